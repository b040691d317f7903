# Copyright (c) grass_mm contributors. All rights reserved.
"""Version of grass_mm and the OpenMMLab versions it is known to work with."""

__version__ = '0.1.0'

# (minimum inclusive, maximum exclusive) of each OpenMMLab dependency. This is
# the single source of truth: ``setup.py`` turns it into ``install_requires``
# and ``grass_mm.utils.check_versions`` checks it at import time.
OPENMMLAB_VERSIONS = {
    'mmcv': ('2.1.0', '2.2.0'),
    'mmengine': ('0.10.0', '0.11.0'),
    'mmpretrain': ('1.2.0', '1.3.0'),
    'mmsegmentation': ('1.2.0', '1.3.0'),
}

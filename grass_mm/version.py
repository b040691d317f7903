# Copyright (c) grass_mm contributors. All rights reserved.
"""Version of grass_mm and the torch and OpenMMLab versions it works with."""

__version__ = '0.1.0'

# (minimum inclusive, maximum exclusive) of each OpenMMLab dependency, and
# below of torch. These are the single source of truth: ``setup.py`` turns
# them into ``install_requires`` and ``grass_mm.utils.check_versions`` checks
# them at import time.
OPENMMLAB_VERSIONS = {
    'mmcv': ('2.1.0', '2.2.0'),
    'mmengine': ('0.10.0', '0.11.0'),
    'mmpretrain': ('1.2.0', '1.3.0'),
    'mmsegmentation': ('1.2.0', '1.3.0'),
}

# (minimum inclusive, maximum exclusive or None for none) of torch. grass_mm
# loads every checkpoint with ``torch.load(weights_only=True)`` and an
# allow-list that resolves two names to stand-ins of its own (an
# ``(object, name)`` entry of ``torch.serialization.add_safe_globals``),
# which torch understands from 2.6 on; torch 2.4 and 2.5 would also default
# to ``weights_only=False`` for any other caller.
TORCH_VERSIONS = {
    'torch': ('2.6.0', None),
}

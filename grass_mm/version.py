# Copyright (c) grass_mm contributors. All rights reserved.
"""Version of grass_mm and the torch and OpenMMLab stacks it works with."""

__version__ = '0.2.0'

# grass_mm runs on either of two OpenMMLab stacks. Both install the same
# import names (``mmengine``, ``mmcv``, ``mmpretrain``, ``mmseg``) under
# different distribution names, so a stack is a mapping from import name to
# (distribution, minimum inclusive, maximum exclusive).
#
# - ``onedl``: the maintained fork of OpenMMLab (the default). Its mmseg
#   guards every ``mmcv.ops`` import, so it needs no compiled op, and it
#   supports numpy 2.
# - ``openmmlab``: the original 1.x releases, whose last versions came out
#   in 2023-2024. mmsegmentation 1.2 imports ``mmcv.ops`` at import time and
#   so needs mmcv with compiled ops (``mmcv``, not ``mmcv-lite``); mmcv
#   2.1.0's ``adjust_hue`` overflows on numpy 2, hence the numpy and opencv
#   caps in ``STACK_EXTRAS``.
#
# These are the single source of truth: ``setup.py`` turns them into the
# ``onedl`` and ``openmmlab`` extras, ``tools/setup_env.sh`` installs one of
# them, and ``grass_mm.utils.check_versions`` checks them at import time.
STACKS = {
    'onedl': {
        'mmengine': ('onedl-mmengine', '0.10.12', '0.11.0'),
        'mmcv': ('onedl-mmcv', '2.3.6', '2.4.0'),
        'mmpretrain': ('onedl-mmpretrain', '1.3.6', '1.4.0'),
        'mmseg': ('onedl-mmsegmentation', '1.4.2', '1.5.0'),
    },
    'openmmlab': {
        'mmengine': ('mmengine', '0.10.0', '0.11.0'),
        'mmcv': ('mmcv', '2.1.0', '2.2.0'),
        'mmpretrain': ('mmpretrain', '1.2.0', '1.3.0'),
        'mmseg': ('mmsegmentation', '1.2.0', '1.3.0'),
    },
}
DEFAULT_STACK = 'onedl'

# Requirements a stack adds besides its four packages (pip syntax).
STACK_EXTRAS = {
    'onedl': [],
    # mmcv 2.1.0's adjust_hue (SimCLR's ColorJitter) raises OverflowError on
    # numpy 2, and opencv-python 4.12+ requires numpy 2. mmsegmentation
    # 1.2.2 imports ftfy and regex without declaring them.
    'openmmlab':
    ['numpy>=1.24,<2', 'opencv-python>=4.5,<4.12', 'ftfy', 'regex'],
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

# Copyright (c) grass_mm contributors. All rights reserved.
"""GraSS for OpenMMLab: gradient guided sampling for contrastive learning.

Importing the package checks the torch and OpenMMLab versions, allow-lists
the classes that mmengine checkpoints need for
``torch.load(weights_only=True)``, makes every mmengine checkpoint loader
(local, http(s), ``open-mmlab://`` and the other schemes) load that way, and
registers every component in the mmpretrain (pretraining) and mmseg
(fine-tuning) registries, so ``custom_imports=dict(imports=['grass_mm'])``
is all a config needs.
"""
from .utils.version_check import check_versions
from .version import __version__

check_versions()

from .utils.checkpoint import register_checkpoint_safe_globals  # noqa: E402
from .utils.checkpoint_loaders import (  # noqa: E402
    register_safe_checkpoint_loaders)

register_checkpoint_safe_globals()
register_safe_checkpoint_loaders()

from . import (datasets, engine, evaluation, models,  # noqa: E402,F401
               visualization)
from .models import (crop_and_resize, foreground_mask,  # noqa: E402
                     loss_activation_map, select_boxes)

__all__ = [
    '__version__', 'crop_and_resize', 'foreground_mask',
    'loss_activation_map', 'select_boxes'
]

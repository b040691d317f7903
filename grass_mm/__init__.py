# Copyright (c) grass_mm contributors. All rights reserved.
"""GraSS for OpenMMLab: gradient guided sampling for contrastive learning.

Importing the package checks the OpenMMLab versions, allow-lists the classes
that mmengine checkpoints need for ``torch.load(weights_only=True)``, and
registers every component in the mmpretrain (pretraining) and mmseg
(fine-tuning) registries, so ``custom_imports=dict(imports=['grass_mm'])``
is all a config needs.
"""
from .utils.version_check import check_versions
from .version import __version__

check_versions()

from .utils.checkpoint import register_checkpoint_safe_globals  # noqa: E402

register_checkpoint_safe_globals()

from . import datasets, engine, models, visualization  # noqa: E402,F401
from .models import (crop_and_resize, foreground_mask,  # noqa: E402
                     loss_activation_map, select_boxes)

__all__ = [
    '__version__', 'crop_and_resize', 'foreground_mask',
    'loss_activation_map', 'select_boxes'
]

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
import contextlib
import io
import logging
import warnings

# isort: off
# The order below is the point (hence E402 and F401 are off for this file):
# the warning filter before mmcv is imported, the version check before any
# OpenMMLab class is used, the checkpoint allow-list before any checkpoint
# is read, then the subpackages, which register their components.

# On the onedl stack mmcv has no compiled ops, and importing mmcv.cnn warns
# that MultiScaleDeformableAttention is missing and advises installing
# another mmcv. grass_mm's models use no compiled op, so the advice would
# only mislead its users; the filter matches that one message alone.
warnings.filterwarnings(
    'ignore',
    message='Fail to import ``MultiScaleDeformableAttention``',
    category=UserWarning,
    module=r'mmcv\.cnn')

from .utils.version_check import check_versions
from .version import __version__

check_versions()

from .checkpoint import (register_checkpoint_safe_globals,
                         register_safe_checkpoint_loaders)

register_checkpoint_safe_globals()
register_safe_checkpoint_loaders()

# The onedl stack's mmseg and mmpretrain report a debug message ("Could not
# import OneDL") with print_log and no logger, which prints it to stdout
# whatever its level. Tools whose stdout is their result (markdown tables,
# `mIoU: X`) must not carry it: what they print while they are imported goes
# to mmengine's current logger at the DEBUG level they meant.
with contextlib.redirect_stdout(io.StringIO()) as _import_output:
    from . import datasets, engine, evaluation, models, visualization
if _import_output.getvalue().strip():
    from mmengine.logging import print_log
    print_log(
        _import_output.getvalue().strip(),
        logger='current',
        level=logging.DEBUG)
from .models import (crop_and_resize, foreground_mask, loss_activation_map,
                     select_boxes)
# isort: on

__all__ = [
    '__version__', 'crop_and_resize', 'foreground_mask', 'loss_activation_map',
    'select_boxes'
]

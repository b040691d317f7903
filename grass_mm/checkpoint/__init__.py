# Copyright (c) grass_mm contributors. All rights reserved.
"""Checkpoints: loaded safely, and converted for other frameworks.

Every checkpoint grass_mm or mmengine reads is unpickled with
``weights_only=True`` and an allow-list (:mod:`.safe_load`, :mod:`.loaders`,
:mod:`.history_buffer`); the backbone of a pretraining checkpoint is taken
out for mmseg (:mod:`.backbone`) or torchvision and timm
(:mod:`.torchvision_resnet`, which checks the backbone's config, read
from the checkpoint without running it by :mod:`.recorded_config`).
"""
from .backbone import (extract_backbone, load_backbone_state_dict,
                       write_backbone_checkpoint)
from .loaders import SAFE_CHECKPOINT_LOADERS, register_safe_checkpoint_loaders
from .recorded_config import load_recorded_model_config, read_model_config
from .safe_load import (UnsafeCheckpointError, check_allow_list,
                        checkpoint_safe_globals, explain_unsafe_checkpoint,
                        load_weights_only, register_checkpoint_safe_globals)
from .torchvision_resnet import (RESNET_DEPTHS, TORCHVISION_SETTINGS,
                                 backbone_config, check_torchvision_settings,
                                 resnet_depth, to_torchvision_resnet)

__all__ = [
    'RESNET_DEPTHS', 'SAFE_CHECKPOINT_LOADERS', 'TORCHVISION_SETTINGS',
    'UnsafeCheckpointError', 'backbone_config', 'check_allow_list',
    'check_torchvision_settings', 'checkpoint_safe_globals',
    'explain_unsafe_checkpoint', 'extract_backbone',
    'load_backbone_state_dict', 'load_recorded_model_config',
    'load_weights_only', 'read_model_config',
    'register_checkpoint_safe_globals', 'register_safe_checkpoint_loaders',
    'resnet_depth', 'to_torchvision_resnet', 'write_backbone_checkpoint'
]

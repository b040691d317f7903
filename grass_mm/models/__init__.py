# Copyright (c) grass_mm contributors. All rights reserved.
from ..utils import moved_names
from .algorithms import (GraSS, NTXentSimCLR, SamplingResult, get_guide_loss,
                         register_guide_loss)
from .data_preprocessors import PhotometricAugDataPreprocessor
from .heads import NTXentHead
from .init import (CheckpointMismatchError, StateDictMismatch,
                   StrictPretrainedInit, find_state_dict_mismatch)
from .losses import nt_xent_loss
from .utils import (crop_and_resize, foreground_mask, loss_activation_map,
                    select_boxes)
from .wrappers import CPUDistributedDataParallel, get_ori_model

__all__ = [
    'CPUDistributedDataParallel', 'CheckpointMismatchError', 'GraSS',
    'NTXentHead', 'NTXentSimCLR', 'PhotometricAugDataPreprocessor',
    'SamplingResult', 'StateDictMismatch', 'StrictPretrainedInit',
    'crop_and_resize', 'find_state_dict_mismatch', 'foreground_mask',
    'get_guide_loss', 'get_ori_model', 'loss_activation_map', 'nt_xent_loss',
    'register_guide_loss', 'select_boxes'
]

# Checkpoint conversion moved to grass_mm.checkpoint in 0.2.
__getattr__ = moved_names(
    __name__, {
        name: 'grass_mm.checkpoint'
        for name in ('extract_backbone', 'load_backbone_state_dict',
                     'write_backbone_checkpoint')
    })

# Copyright (c) grass_mm contributors. All rights reserved.
from .algorithms import (GraSS, NTXentSimCLR, SamplingResult, get_guide_loss,
                         register_guide_loss)
from .heads import NTXentHead
from .init import (CheckpointMismatchError, StateDictMismatch,
                   StrictPretrainedInit, extract_backbone,
                   find_state_dict_mismatch, load_backbone_state_dict,
                   write_backbone_checkpoint)
from .losses import nt_xent_loss
from .utils import (crop_and_resize, foreground_mask, loss_activation_map,
                    select_boxes)

__all__ = [
    'GraSS', 'NTXentHead', 'NTXentSimCLR', 'SamplingResult',
    'crop_and_resize', 'foreground_mask', 'get_guide_loss',
    'loss_activation_map',
    'nt_xent_loss', 'register_guide_loss', 'select_boxes',
    'CheckpointMismatchError', 'StateDictMismatch', 'StrictPretrainedInit',
    'extract_backbone', 'find_state_dict_mismatch',
    'load_backbone_state_dict', 'write_backbone_checkpoint'
]

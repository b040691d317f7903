# Copyright (c) grass_mm contributors. All rights reserved.
from .convert import (extract_backbone, load_backbone_state_dict,
                      write_backbone_checkpoint)
from .resnet_export import (RESNET_DEPTHS, resnet_depth,
                            to_torchvision_resnet)
from .strict_pretrained import (CheckpointMismatchError, StateDictMismatch,
                                StrictPretrainedInit,
                                find_state_dict_mismatch)

__all__ = [
    'CheckpointMismatchError', 'StateDictMismatch', 'StrictPretrainedInit',
    'extract_backbone', 'find_state_dict_mismatch',
    'load_backbone_state_dict', 'write_backbone_checkpoint', 'RESNET_DEPTHS',
    'resnet_depth', 'to_torchvision_resnet'
]

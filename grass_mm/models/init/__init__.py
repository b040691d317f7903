# Copyright (c) grass_mm contributors. All rights reserved.
from .strict_pretrained import (CheckpointMismatchError, StateDictMismatch,
                                StrictPretrainedInit, find_state_dict_mismatch)

__all__ = [
    'CheckpointMismatchError', 'StateDictMismatch', 'StrictPretrainedInit',
    'find_state_dict_mismatch'
]

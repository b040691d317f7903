# Copyright (c) grass_mm contributors. All rights reserved.
from .photometric_aug_data_preprocessor import (PhotometricAugDataPreprocessor,
                                                stream_seed)
from .photometric_augments import (AUGMENTS, BatchedAugment, build_augment,
                                   build_augments)

__all__ = [
    'AUGMENTS', 'BatchedAugment', 'PhotometricAugDataPreprocessor',
    'build_augment', 'build_augments', 'stream_seed'
]

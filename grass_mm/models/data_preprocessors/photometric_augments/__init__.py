# Copyright (c) grass_mm contributors. All rights reserved.
"""mmpretrain's photometric view transforms as batched augmentations.

Each class reads the config of the mmpretrain (or mmcv) transform of the
same name, with the same keys and meanings, draws one set of parameters per
image from the same distributions, and applies them with the pure functions
of :mod:`grass_mm.models.utils.batched_photometric` and
:mod:`grass_mm.models.utils.batched_blur`; together they move the colour
augmentations of the `GraSS <https://arxiv.org/abs/2306.15868>`_ views from
the data workers to the training device.

Parameters are drawn on the CPU from the generator given, so a seed gives
the same parameters on every device.
"""
from .base import BatchedAugment, Params, take, to_device
from .color_jitter import ColorJitter
from .magnitude_augments import GaussianBlur, Solarize
from .random_apply import AUGMENTS, RandomApply, build_augment, build_augments
from .random_grayscale import RandomGrayscale

__all__ = [
    'AUGMENTS', 'BatchedAugment', 'ColorJitter', 'GaussianBlur', 'Params',
    'RandomApply', 'RandomGrayscale', 'Solarize', 'build_augment',
    'build_augments', 'take', 'to_device'
]

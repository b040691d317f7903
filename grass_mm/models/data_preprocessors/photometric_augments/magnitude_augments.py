# Copyright (c) grass_mm contributors. All rights reserved.
"""The magnitude transforms of mmpretrain's ``BaseAugTransform`` family
that colour the views: ``GaussianBlur`` and ``Solarize``."""
import numbers
from typing import Optional, Sequence, Union

import torch
from torch import Tensor

from ...utils.batched_blur import gaussian_blur
from ...utils.batched_photometric import solarize
from .base import BatchedAugment, Params, draw_uniform


class _MagnitudeAugment(BatchedAugment):
    """A transform of mmpretrain's ``BaseAugTransform`` family: a fixed
    magnitude (the key ``MAGNITUDE``) or one drawn from
    ``magnitude_range``."""
    MAGNITUDE = ''
    KEYS = ('prob', 'magnitude_range', 'magnitude_std', 'magnitude_level',
            'total_level')

    def __init__(self,
                 where: str,
                 prob: float = 0.5,
                 magnitude_range: Optional[Sequence[float]] = None,
                 magnitude_std: Union[str, float] = 0.,
                 magnitude_level: float = 10,
                 total_level: float = 10,
                 **fixed: float) -> None:
        super().__init__(where, prob)
        fixed = fixed.get(self.MAGNITUDE)
        if (fixed is None) == (magnitude_range is None):
            raise ValueError(f'{where}: give exactly one of '
                             f'`{self.MAGNITUDE}` and `magnitude_range`')
        if fixed is not None and not fixed >= 0:
            raise ValueError(f'{where}: `{self.MAGNITUDE}` must be non '
                             f'negative, got {fixed}')
        if magnitude_range is not None and (len(magnitude_range) != 2
                                            or min(magnitude_range) < 0):
            raise ValueError(f'{where}: `magnitude_range` must be two non '
                             f'negative numbers, got {magnitude_range!r}')
        if not (magnitude_std == 'inf'
                or isinstance(magnitude_std, numbers.Real)):
            raise ValueError(f"{where}: `magnitude_std` must be 'inf' or a "
                             f'number, got {magnitude_std!r}')
        if not 0 <= magnitude_level <= total_level or total_level <= 0:
            raise ValueError(f'{where}: `magnitude_level` must lie in [0, '
                             f'`total_level`], got {magnitude_level} of '
                             f'{total_level}')
        self.fixed = fixed
        self.magnitude_range = magnitude_range
        self.magnitude_std = magnitude_std
        self.magnitude_level = magnitude_level
        self.total_level = total_level

    def draw(self, num: int, generator: torch.Generator) -> Params:
        """Magnitudes as ``BaseAugTransform.random_magnitude`` draws them."""
        if self.fixed is not None:
            magnitude = torch.full((num, ),
                                   float(self.fixed),
                                   dtype=torch.float64)
            return {self.MAGNITUDE: magnitude}
        level = torch.full((num, ),
                           float(self.magnitude_level),
                           dtype=torch.float64)
        if self.magnitude_std == 'inf':
            level = draw_uniform(num, 0., self.magnitude_level, generator)
        elif self.magnitude_std > 0:
            noise = torch.randn(num, generator=generator, dtype=torch.float64)
            level = (level + self.magnitude_std * noise).clamp(
                0, self.total_level)
        low, high = self.magnitude_range
        magnitude = level / self.total_level * (high - low) + low
        return {self.MAGNITUDE: magnitude}


class GaussianBlur(_MagnitudeAugment):
    """mmpretrain's ``GaussianBlur``: Pillow's Gaussian of standard
    deviation ``radius``."""
    MAGNITUDE = 'radius'
    KEYS = _MagnitudeAugment.KEYS + (MAGNITUDE, )

    def transform(self, img: Tensor, params: Params, channel_order: str,
                  quantize: bool) -> Tensor:
        return gaussian_blur(img, params['radius'], quantize)


class Solarize(_MagnitudeAugment):
    """mmpretrain's ``Solarize``: invert the pixels at or above ``thr``."""
    MAGNITUDE = 'thr'
    KEYS = _MagnitudeAugment.KEYS + (MAGNITUDE, )

    def transform(self, img: Tensor, params: Params, channel_order: str,
                  quantize: bool) -> Tensor:
        return solarize(img, params['thr'])

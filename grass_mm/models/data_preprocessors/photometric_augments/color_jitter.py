# Copyright (c) grass_mm contributors. All rights reserved.
import numbers
import warnings
from typing import Optional, Sequence, Tuple, Union

import torch
from torch import Tensor

from ...utils import batched_photometric as photometric
from .base import BatchedAugment, Params, draw_uniform


class ColorJitter(BatchedAugment):
    """mmpretrain's ``ColorJitter``: brightness, contrast, saturation and
    hue, in a random order per image, each factor uniform in its range."""
    KEYS = ('brightness', 'contrast', 'saturation', 'hue', 'backend')
    NAMES = ('brightness', 'contrast', 'saturation', 'hue')

    def __init__(self,
                 where: str,
                 brightness: Union[float, Sequence[float]] = 0.,
                 contrast: Union[float, Sequence[float]] = 0.,
                 saturation: Union[float, Sequence[float]] = 0.,
                 hue: Union[float, Sequence[float]] = 0.,
                 backend: str = 'pillow') -> None:
        super().__init__(where)
        if backend != 'pillow':
            raise ValueError(f"{where}: `backend` must be 'pillow' (the "
                             f'functions follow it), got {backend!r}')
        self.ranges = {
            name: self._range(value, name, center, bound)
            for name, value, center, bound in (('brightness', brightness, 1.,
                                                (0., float('inf'))),
                                               ('contrast', contrast, 1.,
                                                (0., float('inf'))),
                                               ('saturation', saturation, 1.,
                                                (0., float('inf'))),
                                               ('hue', hue, 0., (-0.5, 0.5)))
        }

    def _range(self, value, name: str, center: float,
               bound: Tuple[float, float]) -> Optional[Tuple[float, float]]:
        """The factor's range, as mmpretrain's ``ColorJitter`` reads it."""
        if isinstance(value, numbers.Real):
            if value < 0:
                raise ValueError(f'{self.where}: `{name}` must be non '
                                 f'negative, got {value}')
            value = (center - value, center + value)
        if not (isinstance(value, (tuple, list)) and len(value) == 2
                and all(isinstance(v, numbers.Real) for v in value)):
            raise TypeError(f'{self.where}: `{name}` must be a number or a '
                            f'(min, max) pair, got {value!r}')
        low, high = (float(v) for v in value)
        if low > high:
            raise ValueError(f'{self.where}: `{name}` must be (min, max) with '
                             f'min <= max, got {value!r}')
        if not bound[0] <= low <= high <= bound[1]:
            low, high = max(low, bound[0]), min(high, bound[1])
            warnings.warn(f'{self.where}: `{name}` exceeds {bound}, clipped '
                          f'to ({low}, {high}) as mmpretrain does')
        return None if low == high == center else (low, high)

    def draw(self, num: int, generator: torch.Generator) -> Params:
        # a uniformly random order of the four adjustments per image
        params = dict(
            order=torch.rand(num, 4, generator=generator).argsort(dim=1))
        for name, bounds in self.ranges.items():
            if bounds is not None:
                params[name] = draw_uniform(num, *bounds, generator)
        return params

    def transform(self, img: Tensor, params: Params, channel_order: str,
                  quantize: bool) -> Tensor:
        order = params['order']
        for step in range(order.shape[1]):
            for index, name in enumerate(self.NAMES):
                chosen = order[:, step] == index
                if name not in params or not bool(chosen.any()):
                    continue
                img[chosen] = self._adjust(name, img[chosen],
                                           params[name][chosen], channel_order,
                                           quantize)
        return img

    @staticmethod
    def _adjust(name: str, img: Tensor, factor: Tensor, channel_order: str,
                quantize: bool) -> Tensor:
        if name == 'brightness':
            return photometric.adjust_brightness(img, factor, quantize)
        function = dict(
            contrast=photometric.adjust_contrast,
            saturation=photometric.adjust_saturation,
            hue=photometric.adjust_hue)[name]
        return function(img, factor, channel_order, quantize)

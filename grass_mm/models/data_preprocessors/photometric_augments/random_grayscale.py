# Copyright (c) grass_mm contributors. All rights reserved.
from typing import Sequence

import torch
from torch import Tensor

from ...utils import batched_photometric as photometric
from .base import BatchedAugment, Params


class RandomGrayscale(BatchedAugment):
    """mmcv's ``RandomGrayscale`` with ``keep_channels=True``."""
    KEYS = ('prob', 'keep_channels', 'channel_weights', 'color_format')

    def __init__(self,
                 where: str,
                 prob: float = 0.1,
                 keep_channels: bool = False,
                 channel_weights: Sequence[float] = (1., 1., 1.),
                 color_format: str = 'bgr') -> None:
        super().__init__(where, prob)
        if not keep_channels:
            raise ValueError(f'{where}: `keep_channels` must be True (a '
                             'batch keeps its channels)')
        if color_format not in ('bgr', 'rgb'):
            raise ValueError(f"{where}: `color_format` must be 'bgr' or "
                             f"'rgb', got {color_format!r}")
        weights = torch.tensor(channel_weights, dtype=torch.float64)
        if weights.ndim != 1 or bool((weights < 0).any()) or \
                float(weights.sum()) <= 0:
            raise ValueError(f'{where}: `channel_weights` must be non '
                             f'negative with a positive sum, got '
                             f'{channel_weights!r}')
        self.channel_weights = weights

    def transform(self, img: Tensor, params: Params, channel_order: str,
                  quantize: bool) -> Tensor:
        if img.shape[1] != len(self.channel_weights):
            raise ValueError(f'{self.where}: {len(self.channel_weights)} '
                             f'`channel_weights` for {img.shape[1]} channels')
        return photometric.grayscale(img, self.channel_weights, quantize)

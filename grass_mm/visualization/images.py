# Copyright (c) grass_mm contributors. All rights reserved.
"""Turn normalised view tensors back into displayable RGB images.

The views that GraSS (https://arxiv.org/abs/2306.15868) samples from, and the
crops it trains on, are normalised by the model's data preprocessor. Drawing
them needs the inverse: multiply by ``std``, add ``mean``, restore RGB order.
"""
import numpy as np
import torch
from torch import Tensor

from ..models.utils import Normalization


def denormalize_views(views: Tensor,
                      normalization: Normalization) -> np.ndarray:
    """Undo the normalisation of a batch of views.

    Args:
        views (Tensor): Normalised views, shape (N, C, H, W) with C = 1 or 3.
        normalization (Normalization): How they were normalised.

    Returns:
        np.ndarray: uint8 RGB images, shape (N, H, W, 3), rounded and clipped
        to [0, 255]; a single channel is repeated three times.
    """
    if views.dim() != 4 or views.shape[1] not in (1, 3):
        raise ValueError('views must have shape (N, C, H, W) with 1 or 3 '
                         f'channels, got {tuple(views.shape)}')
    images = views.detach().float().cpu()
    if normalization.mean is not None:
        mean = torch.tensor(normalization.mean).view(1, -1, 1, 1)
        std = torch.tensor(normalization.std).view(1, -1, 1, 1)
        images = images * std + mean
    if images.shape[1] == 1:
        images = images.expand(-1, 3, -1, -1)
    elif not normalization.rgb:
        images = images.flip(1)
    images = images.round().clamp(0, 255).to(torch.uint8)
    return images.permute(0, 2, 3, 1).contiguous().numpy()

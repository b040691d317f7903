# Copyright (c) grass_mm contributors. All rights reserved.
"""Gaussian blur of a whole batch, one standard deviation per image.

Pillow's ``GaussianBlur``, which mmpretrain's ``GaussianBlur`` transform
calls on each view of `GraSS <https://arxiv.org/abs/2306.15868>`_, does not
convolve with a Gaussian: it runs three extended box filters along the rows,
then three along the columns, repeating the edge pixels and storing each
pass in 8 bits. These functions do the same on a float batch ``(N, C, H,
W)`` in 0..255 (see :mod:`~grass_mm.models.utils.batched_photometric` for
``quantize``).
"""
import math

import torch
import torch.nn.functional as F
from torch import Tensor

from .batched_photometric import clamp_and_store, per_sample


def extended_box_kernels(sigma: Tensor, passes: int = 3) -> Tensor:
    """Extended box kernels whose ``passes``-fold convolution has variance
    ``sigma ** 2``.

    Each kernel weighs the central ``2 l + 1`` taps by 1 and the next tap on
    each side by ``a`` (0 <= a < 1), normalised: ``l`` is the widest whole
    box whose variance ``l (l + 1) / 3`` does not exceed ``s = sigma ** 2 /
    passes``, and ``a`` brings the variance to ``s`` exactly. This is the
    approximation of a Gaussian that Pillow's ``GaussianBlur`` uses.

    Args:
        sigma (Tensor): Standard deviations, (N,), non negative.
        passes (int): Number of box passes. Defaults to 3.

    Returns:
        Tensor: Kernels, (N, 2 K + 1), centred, ``K`` the largest ``l + 1``.
    """
    var = sigma.double()**2 / passes
    half = torch.floor((torch.sqrt(12 * var + 1) - 1) / 2)
    edge = (2 * half + 1) * (3 * var - half *
                             (half + 1)) / (6 * ((half + 1)**2 - var))
    reach = int(half.max().item()) + 1
    offsets = torch.arange(-reach, reach + 1, dtype=var.dtype).abs()
    half, edge = half[:, None], edge[:, None]
    weights = torch.where(offsets <= half, torch.ones_like(edge),
                          torch.where(offsets == half + 1, edge, 0 * edge))
    return (weights / weights.sum(dim=1, keepdim=True)).float()


def _box_pass(img: Tensor, kernels: Tensor, dim: int) -> Tensor:
    """Convolve each image along ``dim`` (-1 or -2) with its own symmetric
    kernel, repeating the edge pixels."""
    reach = kernels.shape[1] // 2
    pad = (reach, reach, 0, 0) if dim == -1 else (0, 0, reach, reach)
    padded = F.pad(img, pad, mode='replicate')
    size = img.shape[dim]
    weights = kernels.to(img)
    out = img * per_sample(weights[:, reach], img)
    for offset in range(1, reach + 1):
        pair = padded.narrow(dim, reach - offset, size) + padded.narrow(
            dim, reach + offset, size)
        out = out.add_(pair.mul_(per_sample(weights[:, reach + offset], img)))
    return out


def gaussian_blur(img: Tensor,
                  sigma: Tensor,
                  quantize: bool = False,
                  passes: int = 3) -> Tensor:
    """Blur each image with its own Gaussian, as Pillow approximates it.

    ``passes`` extended box filters (:func:`extended_box_kernels`) along the
    rows, then as many along the columns, each repeating the edge pixels;
    with ``quantize=True`` each pass is rounded to integers, as Pillow's
    8-bit passes are.

    Args:
        img (Tensor): Images, (N, C, H, W), values in 0..255.
        sigma (Tensor): Standard deviation per image in pixels, (N,), non
            negative (mmpretrain's ``GaussianBlur`` radius; 0 keeps the
            image).
        quantize (bool): Round every pass to integers. Defaults to False.
        passes (int): Box passes per direction. Defaults to 3.

    Returns:
        Tensor: The blurred images, (N, C, H, W).
    """
    if img.shape[0] == 0:
        return img
    if not bool((sigma >= 0).all()) or not math.isfinite(sigma.sum().item()):
        raise ValueError('gaussian_blur: every sigma must be non negative and '
                         'finite')
    kernels = extended_box_kernels(sigma, passes)
    for dim in (-1, -2):
        for _ in range(passes):
            img = clamp_and_store(
                _box_pass(img, kernels, dim), quantize, 'nearest')
    return img

# Copyright (c) grass_mm contributors. All rights reserved.
"""Photometric view augmentations of a whole batch at once.

The colour augmentations of the SimCLR views that `GraSS
<https://arxiv.org/abs/2306.15868>`_ pretrains on, as pure tensor functions
of a float batch ``(N, C, H, W)`` with values in 0..255 and one parameter
per sample (tensors of shape ``(N,)``), so that they run on the device that
trains instead of on the data workers.

Each function follows the mmpretrain transform of the same name on a uint8
image, which works through mmcv and Pillow:

- channels are in the order the images were loaded, BGR for OpenMMLab's
  loaders (``channel_order='bgr'``, the default) or RGB; only the luma and
  the hue need to know which channel is red;
- the luma is Pillow's ``L`` conversion, ``(19595 R + 38470 G + 7471 B) /
  65536``, i.e. ITU-R 601-2 in 16-bit fixed point;
- every function clamps its result to 0..255. With ``quantize=True`` it
  also stores it as the CPU transform stores its uint8 result: truncated
  (Pillow's ``Image.blend`` behind brightness, contrast and saturation, and
  the ``astype('uint8')`` of ``RandomGrayscale``) or rounded to the nearest
  integer (the hue; the Gaussian blur of
  :mod:`~grass_mm.models.utils.batched_blur`, pass by pass). With
  ``quantize=False`` the result stays in floating point.

The hue is shifted in floating point HSV; Pillow's HSV holds each of H, S
and V in 8 bits, so the two differ by a few units (see
``tests/test_models/test_batched_photometric.py`` for the measured bound).
"""
import torch
from torch import Tensor

# Pillow's RGB -> L weights, 16-bit fixed point (R, G, B).
LUMA_WEIGHTS = (19595 / 65536, 38470 / 65536, 7471 / 65536)
CHANNEL_ORDERS = ('bgr', 'rgb')


def per_sample(values: Tensor, like: Tensor) -> Tensor:
    """A ``(N,)`` parameter as ``(N, 1, 1, 1)``, in ``like``'s dtype and on
    its device."""
    return values.to(like).reshape(-1, 1, 1, 1)


def clamp_and_store(img: Tensor,
                    quantize: bool,
                    rounding: str = 'floor') -> Tensor:
    """Clamp to 0..255, in place, and with ``quantize`` round to integers as
    the uint8 CPU transform stores its result.

    Args:
        img (Tensor): A freshly computed batch; it is modified in place.
        quantize (bool): Whether to round.
        rounding (str): ``'floor'`` (truncation, as Pillow's blends and
            NumPy's ``astype('uint8')``) or ``'nearest'``. Defaults to
            'floor'.

    Returns:
        Tensor: ``img``.
    """
    img = img.clamp_(0, 255)
    if not quantize:
        return img
    return img.floor_() if rounding == 'floor' else img.add_(0.5).floor_()


def _rgb_index(channel_order: str) -> tuple:
    if channel_order not in CHANNEL_ORDERS:
        raise ValueError(f'channel_order must be one of {CHANNEL_ORDERS}, '
                         f'got {channel_order!r}')
    return (0, 1, 2) if channel_order == 'rgb' else (2, 1, 0)


def luma(img: Tensor,
         channel_order: str = 'bgr',
         quantize: bool = False) -> Tensor:
    """Pillow's ``L`` of a batch of colour images, ``(N, 1, H, W)``; with
    ``quantize=True`` rounded to integers, as Pillow stores it."""
    red, green, blue = (img[:, i:i + 1] for i in _rgb_index(channel_order))
    gray = (
        LUMA_WEIGHTS[0] * red + LUMA_WEIGHTS[1] * green +
        LUMA_WEIGHTS[2] * blue)
    return gray.add_(0.5).floor_() if quantize else gray


def _blend(degenerate: Tensor, img: Tensor, factor: Tensor) -> Tensor:
    """``degenerate + factor * (img - degenerate)``, as ``Image.blend``."""
    return (img - degenerate).mul_(per_sample(factor, img)).add_(degenerate)


def adjust_brightness(img: Tensor,
                      factor: Tensor,
                      quantize: bool = False) -> Tensor:
    """Scale the images towards black: ``img * factor``.

    Args:
        img (Tensor): Images, (N, C, H, W), values in 0..255.
        factor (Tensor): One factor per image, (N,); 1 keeps the image.
        quantize (bool): Truncate to integers, as ``mmcv.adjust_brightness``
            does (Pillow backend). Defaults to False.

    Returns:
        Tensor: The adjusted images, (N, C, H, W).
    """
    # Image.blend with black: 0 + factor * (img - 0)
    return clamp_and_store(img * per_sample(factor, img), quantize)


def adjust_contrast(img: Tensor,
                    factor: Tensor,
                    channel_order: str = 'bgr',
                    quantize: bool = False) -> Tensor:
    """Blend each image with the grey of its mean luma.

    With ``quantize=True`` the mean is taken over the rounded luma and is
    itself rounded, as Pillow's ``ImageEnhance.Contrast`` does.

    Args:
        img (Tensor): Images, (N, 3, H, W), values in 0..255.
        factor (Tensor): One factor per image, (N,); 0 gives a flat grey.
        channel_order (str): ``'bgr'`` or ``'rgb'``. Defaults to 'bgr'.
        quantize (bool): See the module. Defaults to False.

    Returns:
        Tensor: The adjusted images, (N, 3, H, W).
    """
    mean = luma(img, channel_order, quantize).mean(dim=(1, 2, 3), keepdim=True)
    if quantize:
        mean = torch.floor(mean + 0.5)
    return clamp_and_store(_blend(mean, img, factor), quantize)


def adjust_saturation(img: Tensor,
                      factor: Tensor,
                      channel_order: str = 'bgr',
                      quantize: bool = False) -> Tensor:
    """Blend each image with its own luma (``mmcv.adjust_color``).

    Args:
        img (Tensor): Colour images, (N, 3, H, W), in 0..255.
        factor (Tensor): Saturation factor per image, (N,); 0 gives the
            luma, 1 the image, above 1 more saturated colours.
        channel_order (str): Channel order of ``img``, ``'bgr'`` or
            ``'rgb'``. Defaults to 'bgr'.
        quantize (bool): Truncate to integers (the luma is rounded first),
            as ``ImageEnhance.Color`` does. Defaults to False.

    Returns:
        Tensor: The images with their saturation scaled.
    """
    return clamp_and_store(
        _blend(luma(img, channel_order, quantize), img, factor), quantize)


def adjust_hue(img: Tensor,
               shift: Tensor,
               channel_order: str = 'bgr',
               quantize: bool = False) -> Tensor:
    """Rotate the hue of each image by ``shift`` turns (``mmcv.adjust_hue``).

    A hue rotation keeps each pixel's maximum and minimum channel (its HSV
    value and chroma), so only the hue is computed, shifted and turned back
    into the three channels.

    Args:
        img (Tensor): Images, (N, 3, H, W), values in 0..255.
        shift (Tensor): Hue shift per image in turns, (N,), in
            [-0.5, 0.5]; 0 keeps the image.
        channel_order (str): ``'bgr'`` or ``'rgb'``. Defaults to 'bgr'.
        quantize (bool): Round to integers. Defaults to False.

    Returns:
        Tensor: The adjusted images, (N, 3, H, W).
    """
    index = _rgb_index(channel_order)
    red, green, blue = (img[:, i] for i in index)
    value = img.amax(dim=1)
    chroma = value - img.amin(dim=1)
    # hue in sixths of a turn, 0..6, measured from red: the sextant of the
    # largest channel (red 0, green 2, blue 4; red first on ties) plus the
    # difference of the other two over the chroma
    is_red = value == red
    is_green = (value == green).logical_and_(~is_red)
    sextant = torch.where(is_red, green - blue,
                          torch.where(is_green, blue - red, red - green))
    sextant.div_(torch.where(chroma > 0, chroma, 1.0))
    sextant.add_(4 - 2 * is_green.to(img.dtype) - 4 * is_red.to(img.dtype))
    sextant.add_(6 * per_sample(shift, img)[:, 0]).remainder_(6)
    out = torch.empty_like(img)
    for offset, channel in zip((5, 3, 1), index):  # R, G, B
        k = torch.remainder(sextant + offset, 6)
        ramp = torch.minimum(k, 4 - k).clamp_(0, 1)
        torch.sub(value, ramp.mul_(chroma), out=out[:, channel])
    return clamp_and_store(out, quantize, rounding='nearest')


def grayscale(img: Tensor,
              channel_weights: Tensor,
              quantize: bool = False) -> Tensor:
    """Replace every channel by a weighted sum of the channels.

    The weights are normalised to sum to 1 and apply to the channels in the
    tensor's order, as in mmcv's ``RandomGrayscale(keep_channels=True)``;
    the sum is taken in float64, channel after channel, as NumPy takes it
    there, so that the truncation of ``quantize`` falls as on the CPU (a
    grey pixel stays the same grey).

    Args:
        img (Tensor): Images, (N, C, H, W), values in 0..255.
        channel_weights (Tensor): One weight per channel, (C,).
        quantize (bool): Truncate to integers. Defaults to False.

    Returns:
        Tensor: The grey images, channels repeated, (N, C, H, W).
    """
    weights = channel_weights.double() / channel_weights.double().sum()
    gray = weights[0].item() * img[:, :1].double()
    for channel in range(1, img.shape[1]):
        gray = gray + weights[channel].item() * img[:, channel:channel + 1]
    gray = clamp_and_store(gray, quantize).to(img.dtype)
    return gray.expand_as(img).contiguous()


def solarize(img: Tensor, threshold: Tensor) -> Tensor:
    """Invert the pixels at or above a threshold: ``255 - x`` where ``x >=
    thr`` (``mmcv.solarize``).

    Args:
        img (Tensor): Images, (N, C, H, W), values in 0..255.
        threshold (Tensor): One threshold per image, (N,).

    Returns:
        Tensor: The solarised images, (N, C, H, W).
    """
    return torch.where(img < per_sample(threshold, img), img, 255 - img)

# Copyright (c) grass_mm contributors. All rights reserved.
"""Gradient guided sampling: loss activation maps, boxes and crops.

The three functions here are the sampling step of GraSS (Zhang et al.,
"GraSS: Contrastive Learning with Gradient Guided Sampling Strategy for
Remote Sensing Image Semantic Segmentation", IEEE TGRS 2023,
https://arxiv.org/abs/2306.15868). They are pure, batched tensor functions:
no Python loop over views and no copy to the host, so they run on whatever
device their inputs live on.
"""
from typing import Tuple

import torch
import torch.nn.functional as F
from torch import Tensor


def loss_activation_map(features: Tensor, grads: Tensor,
                        size: Tuple[int, int]) -> Tensor:
    """Compute the loss activation map (LAM) of each view.

    With ``F`` a view's feature map (C x h x w) and ``G`` the gradient of the
    contrastive loss with respect to it, the map is
    ``M = mean_c(mean_hw(G_c) * F_c)``, upsampled bilinearly (half-pixel
    centres) to the view's size. No ReLU and no rescaling are applied.

    The reference implementation divides each map by its maximum; we do
    not. :func:`select_boxes` thresholds the map between its own minimum
    and maximum, so where the reference's division is a positive rescaling
    (maximum > 0) the boxes are the same, and every finite map, including
    one whose maximum is <= 0, keeps the sign of the loss gradient: its box
    holds the view's highest value. (Divided by a negative maximum the
    reference's map is inverted, so its box would hold the lowest value; by
    a zero maximum it is not finite.)

    Args:
        features (Tensor): Last backbone feature maps, shape (N, C, h, w).
        grads (Tensor): Gradients of the loss w.r.t. ``features``, same shape.
        size (tuple[int, int]): Output size ``(H, W)`` of the views.

    Returns:
        Tensor: The maps, shape (N, H, W), in float32.
    """
    if features.shape != grads.shape or features.dim() != 4:
        raise ValueError('features and grads must both have shape '
                         f'(N, C, h, w), got {tuple(features.shape)} and '
                         f'{tuple(grads.shape)}')
    features, grads = features.float(), grads.float()
    channel_weights = grads.mean(dim=(2, 3), keepdim=True)
    lam = (channel_weights * features).mean(dim=1, keepdim=True)
    lam = F.interpolate(
        lam, size=tuple(size), mode='bilinear', align_corners=False)
    return lam.squeeze(1)


def _run_ids(foreground: Tensor) -> Tensor:
    """Number the horizontal foreground runs of a batch of masks.

    A run is a maximal sequence of foreground pixels in one row. Runs are
    numbered from 1 over the flattened batch; background pixels get 0.

    Args:
        foreground (Tensor): Boolean masks, shape (N, H, W).

    Returns:
        Tensor: int64 run ids, shape (N * H * W,), in row-major order.
    """
    starts = foreground.clone()
    starts[..., 1:] &= ~foreground[..., :-1]
    ids = torch.cumsum(starts.flatten(), 0)
    return torch.where(foreground.flatten(), ids, torch.zeros_like(ids))


def _fill_runs(reached: Tensor, run_ids: Tensor) -> Tensor:
    """Extend ``reached`` to every run that holds a reached pixel."""
    run_reached = torch.zeros(
        run_ids.numel() + 1, dtype=torch.uint8, device=run_ids.device)
    run_reached.scatter_reduce_(0, run_ids,
                                reached.flatten().to(torch.uint8), 'amax')
    run_reached[0] = 0  # background
    return run_reached[run_ids].view_as(reached).bool()


def _dilate(mask: Tensor) -> Tensor:
    """Binary dilation with a 3 x 3 square: the 8-neighbourhood."""
    grown = mask.clone()
    grown[:, 1:] |= mask[:, :-1]
    grown[:, :-1] |= mask[:, 1:]
    rows = grown.clone()
    grown[:, :, 1:] |= rows[:, :, :-1]
    grown[:, :, :-1] |= rows[:, :, 1:]
    return grown


def peak_component(foreground: Tensor, seeds: Tensor) -> Tensor:
    """Grow each seed into its 8-connected component of the foreground.

    Alternates a 3 x 3 dilation (the 8-neighbourhood) with filling whole
    row and column runs of the foreground, until nothing changes. A straight
    stretch of a component is crossed in one step, so smooth maps converge
    in a few iterations; one scalar is read per iteration to test
    convergence.

    Args:
        foreground (Tensor): Boolean masks, shape (N, H, W).
        seeds (Tensor): Boolean masks of the seed pixels, shape (N, H, W).

    Returns:
        Tensor: Boolean masks of the components holding the seeds.
    """
    row_runs = _run_ids(foreground)
    col_runs = _run_ids(foreground.transpose(1, 2).contiguous()).view(
        foreground.shape[0], foreground.shape[2],
        foreground.shape[1]).transpose(1, 2).flatten()
    region = seeds & foreground
    while True:
        grown = _dilate(region) & foreground
        grown = _fill_runs(_fill_runs(grown, row_runs), col_runs)
        if torch.equal(grown, region):
            return region
        region = grown


def _first_true(mask: Tensor) -> Tensor:
    """Index of the first True along the last dimension (0 if none)."""
    return mask.to(torch.uint8).argmax(dim=-1)


def foreground_mask(lam: Tensor, ratio: float = 0.5) -> Tensor:
    """Threshold each map between its own minimum and maximum.

    The rule does not change under a positive rescaling or a shift of a map
    (``a * lam + b`` with ``a > 0`` has the same foreground, up to rounding),
    so no map is normalised first and a map whose maximum is <= 0 is
    thresholded like any other; a negative scale selects the opposite
    region.

    Args:
        lam (Tensor): Maps of shape (N, H, W).
        ratio (float): Threshold between the map's minimum (0) and maximum
            (1). Defaults to 0.5.

    Returns:
        Tensor: Boolean masks ``lam > lo + ratio * (hi - lo)``, shape
        (N, H, W); all False for a constant map or one holding a non-finite
        value.
    """
    flat = lam.reshape(lam.shape[0], -1)
    finite = torch.isfinite(flat).all(dim=1)
    lo, hi = flat.amin(dim=1), flat.amax(dim=1)
    threshold = lo + ratio * (hi - lo)
    return (lam > threshold.view(-1, 1, 1)) & finite.view(-1, 1, 1)


def select_boxes(lam: Tensor, ratio: float = 0.5) -> Tuple[Tensor, Tensor]:
    """Choose a box per view from its loss activation map.

    The foreground is ``lam > lo + ratio * (hi - lo)`` with ``lo, hi`` the
    view's minimum and maximum. The box is the bounding box of the
    8-connected foreground component that holds the map's peak (the first
    maximum in row-major order). A view without foreground (constant map)
    or with a non-finite value is kept whole.

    The maps are used as they are, not divided by their maximum as in the
    reference implementation: the boxes are the same for ``a * lam + b``
    with any ``a > 0``, so they agree with the reference wherever its
    maximum is positive, and a map whose maximum is <= 0 (which the
    reference's division inverts, or makes non-finite) still gets the box
    of its highest region (see :func:`loss_activation_map`).

    Args:
        lam (Tensor): Maps of shape (N, H, W).
        ratio (float): Threshold between the map's minimum (0) and maximum
            (1). Must lie in [0, 1). Defaults to 0.5.

    Returns:
        tuple[Tensor, Tensor]:

        - boxes (Tensor): int64 boxes ``[y0, x0, y1, x1]`` (end exclusive),
          shape (N, 4). Kept-whole views get ``[0, 0, H, W]``.
        - kept_whole (Tensor): bool, shape (N,), True where the view had no
          foreground and is kept whole.
    """
    if lam.dim() != 3:
        raise ValueError('lam must have shape (N, H, W), got '
                         f'{tuple(lam.shape)}')
    if not 0.0 <= ratio < 1.0:
        raise ValueError(f'ratio must lie in [0, 1), got {ratio}')
    num_views, height, width = lam.shape
    flat = lam.reshape(num_views, -1)
    foreground = foreground_mask(lam, ratio)
    kept_whole = ~foreground.flatten(1).any(dim=1)

    seeds = torch.zeros_like(flat, dtype=torch.bool)
    seeds.scatter_(1, flat.argmax(dim=1, keepdim=True), True)
    region = peak_component(foreground, seeds.view_as(foreground))

    rows, cols = region.any(dim=2), region.any(dim=1)
    y0, x0 = _first_true(rows), _first_true(cols)
    y1 = height - _first_true(rows.flip(1))
    x1 = width - _first_true(cols.flip(1))
    boxes = torch.stack([y0, x0, y1, x1], dim=1).long()
    whole = boxes.new_tensor([0, 0, height, width])
    boxes = torch.where(kept_whole.view(-1, 1), whole, boxes)
    return boxes, kept_whole


def _nearest_source_index(start: Tensor, length: Tensor,
                          out_size: int) -> Tensor:
    """Source indices of a nearest resize of ``[start, start + length)``.

    Follows PyTorch's ``mode='nearest'`` rule in float32:
    ``min(floor(dst * (length / out_size)), length - 1)``.
    """
    scale = length.to(torch.float32) / out_size
    dst = torch.arange(out_size, device=start.device, dtype=torch.float32)
    offset = torch.floor(dst * scale.view(-1, 1)).long()
    offset = torch.minimum(offset, (length - 1).view(-1, 1))
    return start.view(-1, 1) + offset


def crop_and_resize(views: Tensor, boxes: Tensor) -> Tensor:
    """Crop each view to its box and resize the crop to the view's size.

    Equivalent to ``F.interpolate(view[:, y0:y1, x0:x1][None],
    size=(H, W), mode='nearest')`` per view, done for the whole batch with
    a single gather.

    Args:
        views (Tensor): Views of shape (N, C, H, W).
        boxes (Tensor): Integer boxes ``[y0, x0, y1, x1]`` (end exclusive)
            of shape (N, 4), non-empty and inside the views.

    Returns:
        Tensor: The resized crops, shape (N, C, H, W), dtype of ``views``.
    """
    if views.dim() != 4 or boxes.shape != (views.shape[0], 4):
        raise ValueError('expected views (N, C, H, W) and boxes (N, 4), got '
                         f'{tuple(views.shape)} and {tuple(boxes.shape)}')
    num_views, channels, height, width = views.shape
    boxes = boxes.to(device=views.device, dtype=torch.long)
    rows = _nearest_source_index(boxes[:, 0], boxes[:, 2] - boxes[:, 0],
                                 height)
    cols = _nearest_source_index(boxes[:, 1], boxes[:, 3] - boxes[:, 1], width)
    index = (rows.unsqueeze(2) * width + cols.unsqueeze(1)).view(
        num_views, 1, height * width)
    crops = views.flatten(2).gather(
        2, index.expand(num_views, channels, height * width))
    return crops.view(num_views, channels, height, width)

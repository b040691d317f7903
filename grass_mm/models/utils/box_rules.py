# Copyright (c) grass_mm contributors. All rights reserved.
"""Where the box of each view comes from: GraSS's rule and two controls.

GraSS (https://arxiv.org/abs/2306.15868) crops each view to the bounding box
of the strongest region of its loss activation map. Two controls isolate
*where* the sampler looks from *how large* its crops are, and from the sign
of the map:

- ``'gradient'`` (the paper's rule): the box of :func:`select_boxes` on the
  map.
- ``'random'``: a box of the same height and width as the ``'gradient'`` box
  of the same view and step, placed uniformly at random in the view.
- ``'opposite'``: the box of :func:`select_boxes` on the negated map, i.e.
  the strongest region of the least activated part of the view.

Views kept whole by one rule's map are kept whole by all three (a map
without foreground has none when negated either).
"""
from typing import Optional, Tuple

import torch
from torch import Tensor

from .sampling import select_boxes

BOX_RULES = ('gradient', 'random', 'opposite')


def random_boxes_like(boxes: Tensor,
                      height: int,
                      width: int,
                      generator: Optional[torch.Generator] = None) -> Tensor:
    """Boxes of the same sizes, placed uniformly at random in the view.

    Each box keeps its height and width; its top-left corner is drawn
    uniformly among the positions that keep it inside an ``height`` x
    ``width`` view.

    Args:
        boxes (Tensor): Boxes ``[y0, x0, y1, x1]``, end exclusive, (N, 4),
            each inside the view.
        height (int): Height of the view.
        width (int): Width of the view.
        generator (torch.Generator, optional): Source of randomness; the
            draws are made on its device. Defaults to None, torch's global
            generator on the device of ``boxes``.

    Returns:
        Tensor: int64 boxes of shape (N, 4), on the device of ``boxes``.
    """
    boxes = boxes.detach().long()
    box_h, box_w = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    if ((box_h < 1) | (box_w < 1) | (box_h > height) | (box_w > width)).any():
        raise ValueError('every box must be non-empty and fit in the '
                         f'{height} x {width} view')
    device = boxes.device if generator is None else generator.device
    draws = torch.rand(
        len(boxes), 2, generator=generator, device=device,
        dtype=torch.float64).to(boxes.device)
    # positions 0 .. height - box_h, equally likely
    y0 = (draws[:, 0] * (height - box_h + 1)).floor().long()
    x0 = (draws[:, 1] * (width - box_w + 1)).floor().long()
    y0 = torch.minimum(y0, height - box_h)
    x0 = torch.minimum(x0, width - box_w)
    return torch.stack([y0, x0, y0 + box_h, x0 + box_w], dim=1)


def rule_boxes(
        lam: Tensor,
        ratio: float = 0.5,
        box_rule: str = 'gradient',
        generator: Optional[torch.Generator] = None) -> Tuple[Tensor, Tensor]:
    """A box per view from its loss activation map, by one of the rules.

    Args:
        lam (Tensor): Loss activation maps, shape (N, H, W).
        ratio (float): Foreground threshold of :func:`select_boxes`.
            Defaults to 0.5.
        box_rule (str): ``'gradient'`` (the paper's), ``'random'`` or
            ``'opposite'``; see the module's docstring. Defaults to
            ``'gradient'``.
        generator (torch.Generator, optional): Randomness of the
            ``'random'`` rule. Defaults to None, torch's global generator.

    Returns:
        tuple[Tensor, Tensor]: int64 boxes ``[y0, x0, y1, x1]`` (N, 4) and
        the bool mask of views kept whole (N,), as :func:`select_boxes`.
    """
    if box_rule not in BOX_RULES:
        raise ValueError(f'box_rule must be one of {BOX_RULES}, got '
                         f'{box_rule!r}')
    if box_rule == 'opposite':
        return select_boxes(-lam, ratio)
    boxes, kept_whole = select_boxes(lam, ratio)
    if box_rule == 'random':
        boxes = random_boxes_like(boxes, lam.shape[1], lam.shape[2], generator)
    return boxes, kept_whole

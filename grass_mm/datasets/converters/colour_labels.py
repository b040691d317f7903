# Copyright (c) grass_mm contributors. All rights reserved.
"""Turn colour-coded label images into class-id maps.

ISPRS Potsdam and Vaihingen ship labels as RGB images, one colour per
class. The colours come from the ``palette`` of the mmseg dataset's
``METAINFO`` (the one source of truth), so ids always agree with the class
names that training and evaluation report (used by the
`GraSS <https://arxiv.org/abs/2306.15868>`_ converters).
"""
from typing import Sequence, Tuple

import numpy as np


def _colour_keys(rgb: np.ndarray) -> np.ndarray:
    """One int per pixel: ``(r << 16) | (g << 8) | b``."""
    rgb = rgb.astype(np.int32)
    return (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]


def colour_to_ids(rgb: np.ndarray,
                  palette: Sequence[Sequence[int]]) -> Tuple[np.ndarray, int]:
    """Map every pixel's colour to ``1 + its index in palette``.

    Colours that are not in the palette (the black boundary of eroded
    labels, or stray values) become 0, which the datasets ignore through
    ``reduce_zero_label=True``; so class ``k`` of ``METAINFO['classes']`` is
    stored as ``k + 1`` and trained as ``k``.

    Args:
        rgb (np.ndarray): uint8 label image, shape (H, W, 3), in R, G, B
            order.
        palette (Sequence[Sequence[int]]): RGB colour of each class.

    Returns:
        tuple[np.ndarray, int]: uint8 id map of shape (H, W), and the number
        of pixels whose colour is not in the palette.
    """
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f'expected an (H, W, 3) colour label, got shape '
                         f'{rgb.shape}')
    if len(palette) > 254:
        raise ValueError('at most 254 classes fit in a uint8 id map')
    keys = _colour_keys(np.asarray(palette, dtype=np.uint8))
    if len(np.unique(keys)) != len(keys):
        raise ValueError(f'palette {palette} repeats a colour')
    order = np.argsort(keys)
    sorted_keys = keys[order]
    pixels = _colour_keys(rgb)
    pos = np.clip(np.searchsorted(sorted_keys, pixels), 0, len(keys) - 1)
    known = sorted_keys[pos] == pixels
    ids = np.where(known, order[pos] + 1, 0).astype(np.uint8)
    return ids, int(known.size - np.count_nonzero(known))

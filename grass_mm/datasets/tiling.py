# Copyright (c) grass_mm contributors. All rights reserved.
"""Cut a large image into a grid of fixed-size windows.

Used both by the converters (patches for fine-tuning) and by
:class:`~grass_mm.datasets.RSIPatchDataset` (windows read straight from an
orthophoto for `GraSS <https://arxiv.org/abs/2306.15868>`_ pretraining), so
the two always agree on the grid.
"""
from typing import List, Tuple

Window = Tuple[int, int, int, int]


def window_starts(length: int, size: int, stride: int) -> List[int]:
    """First pixels of the windows along one axis.

    Windows start at ``0, stride, 2 * stride, ...`` as long as they fit. If
    the last of them stops short of the image edge, one more window is added
    flush with the edge (``length - size``), so every pixel is covered; it
    overlaps its neighbour by more than ``size - stride``.

    Args:
        length (int): Image length along the axis, in pixels.
        size (int): Window length, ``1 <= size <= length``.
        stride (int): Step between window starts, ``>= 1``. A stride larger
            than ``size`` leaves gaps between the regular windows.

    Returns:
        list[int]: Increasing start offsets.
    """
    for name, value in (('length', length), ('size', size), ('stride',
                                                             stride)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f'{name} must be a positive integer, got '
                             f'{value!r}')
    if size > length:
        raise ValueError(f'a window of {size} pixels does not fit in an '
                         f'image of {length} pixels')
    starts = list(range(0, length - size + 1, stride))
    if starts[-1] + size < length:
        starts.append(length - size)
    return starts


def tile_windows(height: int, width: int, size: int,
                 stride: int) -> List[Window]:
    """Windows of ``size x size`` pixels laid over an image, row by row.

    Along each axis the windows follow :func:`window_starts`: a regular grid
    with step ``stride``, plus a last row (column) flush with the bottom
    (right) edge when the grid does not reach it.

    Args:
        height (int): Image height in pixels.
        width (int): Image width in pixels.
        size (int): Window side in pixels, at most ``min(height, width)``.
        stride (int): Step between neighbouring windows in pixels.

    Returns:
        list[tuple[int, int, int, int]]: ``(y0, x0, y1, x1)`` of each window,
        half-open (``y1 = y0 + size``), rows first.

    Example:
        >>> tile_windows(6, 10, size=4, stride=4)
        [(0, 0, 4, 4), (0, 4, 4, 8), (0, 6, 4, 10),
         (2, 0, 6, 4), (2, 4, 6, 8), (2, 6, 6, 10)]
    """
    rows = window_starts(height, size, stride)
    cols = window_starts(width, size, stride)
    return [(y0, x0, y0 + size, x0 + size) for y0 in rows for x0 in cols]

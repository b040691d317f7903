# Copyright (c) grass_mm contributors. All rights reserved.
"""Tiling: the stride is honoured and the last row/column reaches the edge."""
import numpy as np
import pytest

from grass_mm.datasets import tile_windows, window_starts


def reference_starts(length: int, size: int, stride: int) -> list:
    """Slow reference: walk by stride, then one window flush with the end."""
    starts, start = [], 0
    while start + size <= length:
        starts.append(start)
        start += stride
    if starts[-1] + size != length:
        starts.append(length - size)
    return starts


def test_docstring_example():
    assert tile_windows(
        6, 10, size=4, stride=4) == [(0, 0, 4, 4), (0, 4, 4, 8), (0, 6, 4, 10),
                                     (2, 0, 6, 4), (2, 4, 6, 8), (2, 6, 6, 10)]


@pytest.mark.parametrize(
    'length,size,stride,expected',
    [
        (6000, 512, 256, 23),  # Potsdam tile, mmseg's default clip and stride
        (6000, 512, 512, 12),
        (1024, 512, 512, 2),
        (1024, 512, 256, 3),
        (512, 512, 256, 1),
        (45, 16, 12, 4),
        (40, 16, 12, 3),  # 24 + 16 == 40: the grid reaches the edge itself
    ])
def test_counts(length, size, stride, expected):
    assert len(window_starts(length, size, stride)) == expected


@pytest.mark.parametrize('length', [1, 7, 16, 17, 45, 100, 513])
@pytest.mark.parametrize('size', [1, 5, 16])
@pytest.mark.parametrize('stride', [1, 3, 16, 40])
def test_against_reference_and_coverage(length, size, stride):
    if size > length:
        with pytest.raises(ValueError, match='does not fit'):
            window_starts(length, size, stride)
        return
    starts = window_starts(length, size, stride)
    assert starts == reference_starts(length, size, stride)
    # the stride is honoured: every step but the last is exactly `stride`
    assert all(b - a == stride for a, b in zip(starts[:-2], starts[1:-1]))
    assert starts[0] == 0 and starts[-1] + size == length
    assert starts == sorted(set(starts))


def test_windows_cover_every_pixel_with_stride_gaps_only_between():
    height, width, size, stride = 37, 50, 16, 12
    windows = tile_windows(height, width, size, stride)
    covered = np.zeros((height, width), bool)
    for y0, x0, y1, x1 in windows:
        assert (y1 - y0, x1 - x0) == (size, size)
        assert 0 <= y0 and y1 <= height and 0 <= x0 and x1 <= width
        covered[y0:y1, x0:x1] = True
    assert covered.all()
    rows = sorted({w[0] for w in windows})
    cols = sorted({w[1] for w in windows})
    assert rows == [0, 12, 21] and cols == [0, 12, 24, 34]
    assert len(windows) == len(rows) * len(cols)
    # rows first, then columns
    assert windows == sorted(windows)


def test_stride_larger_than_size_leaves_gaps_but_covers_the_edge():
    starts = window_starts(100, 10, 30)
    assert starts == [0, 30, 60, 90]
    assert window_starts(101, 10, 30) == [0, 30, 60, 90, 91]


@pytest.mark.parametrize('args', [(10, 0, 1), (10, 4, 0), (10, 4, -2),
                                  (0, 1, 1), (10, 4.0, 2), (10, 4, True)])
def test_invalid_arguments(args):
    with pytest.raises(ValueError, match='positive integer'):
        window_starts(*args)

"""Tests of the sampling functions against slow references (spec §2-3)."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy import ndimage

from grass_mm.models.utils.sampling import (crop_and_resize,
                                            loss_activation_map, select_boxes)


def reference_box(lam: np.ndarray, ratio: float = 0.5):
    """One view's box, written from the spec with scipy's labelling."""
    height, width = lam.shape
    if not np.isfinite(lam).all():
        return (0, 0, height, width), True
    lo, hi = lam.min(), lam.max()
    threshold = lo + np.float32(ratio) * (hi - lo)
    foreground = lam > threshold
    if not foreground.any():
        return (0, 0, height, width), True
    labels, _ = ndimage.label(foreground, structure=np.ones((3, 3)))
    peak = np.unravel_index(np.argmax(lam), lam.shape)
    ys, xs = np.nonzero(labels == labels[peak])
    return (ys.min(), xs.min(), ys.max() + 1, xs.max() + 1), False


def smooth_maps(num: int, size=(224, 224), seed: int = 0) -> torch.Tensor:
    """Random grids of 2x2 to 9x9 values upsampled bilinearly to ``size``."""
    generator = torch.Generator().manual_seed(seed)
    maps = []
    for _ in range(num):
        grid = int(torch.randint(2, 10, (1, ), generator=generator))
        small = torch.randn(1, 1, grid, grid, generator=generator)
        maps.append(
            F.interpolate(
                small, size=size, mode='bilinear', align_corners=False)[0, 0])
    return torch.stack(maps)


def assert_matches_reference(lam: torch.Tensor, ratio: float = 0.5):
    boxes, kept_whole = select_boxes(lam, ratio)
    assert boxes.dtype == torch.int64 and boxes.shape == (len(lam), 4)
    for i, view in enumerate(lam.numpy()):
        box, whole = reference_box(view, ratio)
        assert tuple(boxes[i].tolist()) == tuple(int(v) for v in box), i
        assert bool(kept_whole[i]) == whole, i


@pytest.mark.parametrize('ratio', [0.5, 0.3, 0.8])
def test_select_boxes_matches_scipy_on_random_smooth_maps(ratio):
    assert_matches_reference(smooth_maps(150, seed=int(ratio * 10)), ratio)


def test_select_boxes_non_square_views():
    assert_matches_reference(smooth_maps(60, size=(96, 224), seed=3))
    assert_matches_reference(smooth_maps(60, size=(224, 80), seed=4))


def test_select_boxes_constant_and_non_finite_maps_are_kept_whole():
    lam = torch.zeros(4, 20, 30)
    lam[1] = 3.5
    lam[2, 5, 5] = float('nan')
    lam[3, 0, 0] = float('inf')
    boxes, kept_whole = select_boxes(lam)
    assert kept_whole.tolist() == [True] * 4
    assert boxes.tolist() == [[0, 0, 20, 30]] * 4


def test_select_boxes_equal_peaks_take_the_first_in_row_major_order():
    lam = torch.zeros(1, 10, 12)
    lam[0, 6, 1:3] = 1.0  # second in row-major order
    lam[0, 2, 8:11] = 1.0  # first in row-major order
    boxes, kept_whole = select_boxes(lam)
    assert boxes.tolist() == [[2, 8, 3, 11]] and not kept_whole[0]
    assert_matches_reference(lam)


def test_select_boxes_border_and_one_pixel_components():
    lam = torch.zeros(3, 8, 9)
    lam[0, 0:3, 6:9] = 1.0  # touches the top and right borders
    lam[1, 7, 0] = 1.0  # one pixel in the corner
    lam[2, 4, 4] = 2.0  # a one-pixel peak ...
    lam[2, 0:2, :] = 1.5  # ... beside a larger but lower component
    boxes, _ = select_boxes(lam)
    assert boxes.tolist() == [[0, 6, 3, 9], [7, 0, 8, 1], [4, 4, 5, 5]]
    assert_matches_reference(lam)


def test_select_boxes_follows_8_connectivity_along_a_diagonal_and_spiral():
    lam = torch.zeros(2, 16, 16)
    idx = torch.arange(10)
    lam[0, idx + 2, idx + 3] = 1.0  # only diagonal neighbours
    lam[0, 2, 3] = 1.2
    spiral = torch.zeros(16, 16, dtype=torch.bool)
    spiral[1, 1:15] = spiral[1:15, 14] = spiral[14, 3:15] = True
    spiral[3:15, 3] = spiral[3, 3:12] = spiral[3:12, 11] = True
    lam[1][spiral] = 1.0
    lam[1, 11, 11] = 1.2
    boxes, _ = select_boxes(lam)
    assert boxes[0].tolist() == [2, 3, 12, 13]
    assert boxes[1].tolist() == [1, 1, 15, 15]
    assert_matches_reference(lam)


def test_select_boxes_rejects_bad_arguments():
    with pytest.raises(ValueError, match='ratio'):
        select_boxes(torch.rand(1, 4, 4), ratio=1.0)
    with pytest.raises(ValueError, match='N, H, W'):
        select_boxes(torch.rand(4, 4))


def reference_lam(features, grads, size):
    """The spec's formula, with explicit loops over views and channels."""
    n, c, h, w = features.shape
    maps = torch.zeros(n, h, w, dtype=torch.float64)
    for i in range(n):
        for k in range(c):
            weight = grads[i, k].double().mean()
            maps[i] += weight * features[i, k].double()
        maps[i] /= c
    up = F.interpolate(
        maps[:, None], size=size, mode='bilinear', align_corners=False)
    return up[:, 0]


@pytest.mark.parametrize('feat_size,size', [((7, 7), (224, 224)),
                                            ((3, 5), (48, 80)),
                                            ((6, 2), (96, 32))])
def test_loss_activation_map_matches_loops(feat_size, size):
    torch.manual_seed(0)
    features = torch.randn(5, 16, *feat_size)
    grads = torch.randn(5, 16, *feat_size)
    lam = loss_activation_map(features, grads, size)
    assert lam.shape == (5, *size) and lam.dtype == torch.float32
    expected = reference_lam(features, grads, size).float()
    torch.testing.assert_close(lam, expected, rtol=1e-5, atol=1e-6)


def test_loss_activation_map_keeps_height_and_width_in_place():
    features = torch.zeros(1, 1, 2, 3)
    features[0, 0, 1, 2] = 1.0  # bottom right of a wide map
    lam = loss_activation_map(features, torch.ones_like(features), (20, 30))
    peak = torch.nonzero(lam[0] == lam[0].max())[0].tolist()
    assert peak[0] >= 10 and peak[1] >= 20


def test_loss_activation_map_accepts_bf16_and_checks_shapes():
    features = torch.randn(2, 4, 3, 3)
    lam = loss_activation_map(features.bfloat16(), features.bfloat16(), (9, 9))
    assert lam.dtype == torch.float32
    with pytest.raises(ValueError, match='shape'):
        loss_activation_map(features, features[:1], (9, 9))


@pytest.mark.parametrize('size', [(224, 224), (37, 61)])
def test_crop_and_resize_matches_per_view_interpolate(size):
    generator = torch.Generator().manual_seed(1)
    height, width = size
    views = torch.randn(64, 3, height, width, generator=generator)
    y0 = torch.randint(0, height, (64, ), generator=generator)
    x0 = torch.randint(0, width, (64, ), generator=generator)
    y1 = y0 + 1 + (torch.rand(64, generator=generator) *
                   (height - y0)).long().clamp(max=height - y0 - 1)
    x1 = x0 + 1 + (torch.rand(64, generator=generator) *
                   (width - x0)).long().clamp(max=width - x0 - 1)
    boxes = torch.stack([y0, x0, y1, x1], dim=1)
    boxes[0] = torch.tensor([0, 0, height, width])
    boxes[1] = torch.tensor([height - 1, width - 1, height, width])
    crops = crop_and_resize(views, boxes)
    assert crops.shape == views.shape
    for view, crop, (a, b, c, d) in zip(views, crops, boxes.tolist()):
        expected = F.interpolate(
            view[None, :, a:c, b:d], size=size, mode='nearest')[0]
        assert torch.equal(crop, expected)


def test_crop_and_resize_checks_shapes():
    with pytest.raises(ValueError, match='boxes'):
        crop_and_resize(torch.rand(2, 3, 8, 8), torch.zeros(3, 4))


def quantised_maps(num: int, seed: int) -> torch.Tensor:
    """Smooth maps on a grid of 1/64, where shifts and halvings are exact."""
    return torch.round(smooth_maps(num, size=(48, 64), seed=seed) * 64) / 64


def test_boxes_ignore_positive_rescaling_and_shifts():
    lam = quantised_maps(40, seed=5)
    boxes, kept_whole = select_boxes(lam)
    for scale, shift in [(2.0**-20, 0.0), (2.0**12, 0.0), (1.0, -8.0),
                         (0.5, 3.0)]:
        other, other_kept = select_boxes(lam * scale + shift)
        assert torch.equal(other, boxes), (scale, shift)
        assert torch.equal(other_kept, kept_whole)


def test_maps_are_not_divided_by_their_maximum():
    """The reference divides each map by its maximum; we keep the sign.

    Where the maximum is positive, that division is a positive rescaling and
    gives our boxes. Where it is <= 0 it inverts the map (or makes it
    non-finite); our box still holds the view's highest value.
    """
    lam = quantised_maps(30, seed=6)
    top = lam.flatten(1).amax(dim=1).view(-1, 1, 1)
    positive, negative, at_zero = lam - top + 4, lam - top - 4, lam - top
    boxes, kept_whole = select_boxes(positive)
    assert not kept_whole.any()
    assert torch.equal(select_boxes(positive / 4)[0], boxes)  # reference
    assert torch.equal(select_boxes(negative)[0], boxes)
    assert torch.equal(select_boxes(at_zero)[0], boxes)
    assert not select_boxes(at_zero)[1].any()
    for view, (y0, x0, y1, x1) in zip(negative, boxes.tolist()):
        y, x = np.unravel_index(int(view.argmax()), view.shape)
        assert y0 <= y < y1 and x0 <= x < x1
    # the reference's division of a negative map boxes its minimum instead
    inverted = select_boxes(negative / -4)[0]
    assert torch.equal(inverted, select_boxes(-lam)[0])
    assert (inverted != boxes).any(dim=1).all()

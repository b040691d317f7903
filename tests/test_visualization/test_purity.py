"""Purity statistics: hand-computed boxes and label maps, the random boxes'
distribution, the confidence intervals, per view and clustered by patch."""
import math

import numpy as np
import pytest
import torch
from scipy import stats

from grass_mm.visualization import (box_purity, boxes_purity, purity_table,
                                    random_boxes_like, summarise,
                                    view_purities)
from grass_mm.visualization.purity import (Z_95, cluster_means,
                                           clustered_summary)

# 0: 6 pixels, 1: 10 pixels, 2: 4 pixels, 4 pixels ignored
LABEL = np.array([[0, 0, 0, 1, 1, 1], [0, 0, 0, 1, 1, 1],
                  [2, 2, 255, 255, 1, 1], [2, 2, 255, 255, 1, 1]],
                 dtype=np.uint8)


@pytest.mark.parametrize(
    'box, purity, num_classes',
    [
        ([0, 0, 2, 3], 1.0, 1),  # all class 0
        ([1, 2, 3, 5], 3 / 4, 2),  # 0, 1, 1 / ignored, ignored, 1
        ([0, 2, 2, 4], 1 / 2, 2),  # 0, 1 / 0, 1
        ([0, 0, 4, 6], 10 / 20, 3),  # whole map
        ([2, 2, 4, 4], math.nan, 0),  # only ignored pixels
    ])
def test_box_purity_hand_computed(box, purity, num_classes):
    got_purity, got_classes = box_purity(LABEL, box, ignore_index=255)
    assert got_classes == num_classes
    if math.isnan(purity):
        assert math.isnan(got_purity)
    else:
        assert got_purity == pytest.approx(purity)
    # tensors are accepted too
    tensor_purity, _ = box_purity(torch.from_numpy(LABEL), torch.tensor(box))
    assert tensor_purity == pytest.approx(purity, nan_ok=True)


def test_box_purity_other_ignore_index():
    # with 0 ignored instead, the 255 pixels form a class of their own
    purity, num_classes = box_purity(LABEL, [0, 0, 4, 6], ignore_index=0)
    assert (purity, num_classes) == (pytest.approx(10 / 18), 3)


def test_boxes_purity_matches_one_by_one():
    boxes = np.array([[0, 0, 2, 3], [1, 2, 3, 5], [2, 2, 4, 4]])
    purity, classes = boxes_purity(np.stack([LABEL] * 3), boxes)
    assert classes.tolist() == [1, 2, 0]
    np.testing.assert_allclose(purity, [1.0, 0.75, np.nan])
    with pytest.raises(ValueError, match='2 label maps but 3 boxes'):
        boxes_purity(np.stack([LABEL] * 2), boxes)


def test_purity_table_hand_computed():
    labels = np.stack([LABEL] * 3)
    gs = torch.tensor([[0, 0, 2, 3], [2, 0, 4, 2], [2, 2, 4, 4]])
    rnd = torch.tensor([[1, 2, 3, 5], [0, 2, 2, 4], [0, 0, 1, 1]])
    opp = torch.tensor([[0, 0, 4, 6], [0, 0, 1, 1], [0, 0, 1, 1]])
    # three patches of one view each: the interval is Student-t over views
    table = purity_table(
        view_purities(labels, gs, rnd, opp, 255), np.array([4, 0, 9]))
    assert list(table) == [
        'gs_box', 'random_box', 'opposite_box', 'whole_view',
        'gs_minus_random', 'gs_minus_opposite'
    ]
    t_2, t_3 = stats.t.ppf(0.975, 1), stats.t.ppf(0.975, 2)
    half = t_2 * np.std([0.75, 0.5], ddof=1) / np.sqrt(2)

    def check(stats_, mean, half_width, n):
        assert stats_['n'] == n and stats_['n_views'] == n
        assert stats_['mean'] == pytest.approx(mean)
        assert stats_['ci_low'] == pytest.approx(mean - half_width)
        assert stats_['ci_high'] == pytest.approx(mean + half_width)

    # GS boxes: pure class 0, pure class 2, all ignored (left out)
    check(table['gs_box']['purity'], 1.0, 0.0, 2)
    check(table['gs_box']['num_classes'], 1.0, 0.0, 2)
    # random boxes: 3/4, 1/2, 1 (one pixel of class 0)
    rnd_half = t_3 * np.std([0.75, 0.5, 1.0], ddof=1) / np.sqrt(3)
    check(table['random_box']['purity'], 0.75, rnd_half, 3)
    num_half = t_3 * np.std([2, 2, 1], ddof=1) / np.sqrt(3)
    check(table['random_box']['num_classes'], 5 / 3, num_half, 3)
    check(table['whole_view']['purity'], 0.5, 0.0, 3)
    check(table['whole_view']['num_classes'], 3.0, 0.0, 3)
    # paired over the two views where both boxes hold labels: 1/4, 1/2
    check(table['gs_minus_random']['purity'], 0.375, half, 2)
    check(table['gs_minus_random']['num_classes'], -1.0, 0.0, 2)
    # opposite boxes: the whole map (1/2, 3 classes), then one pixel of
    # class 0 twice (1, 1 class); paired with GS over views 0 and 1
    opp_half = t_3 * np.std([0.5, 1.0, 1.0], ddof=1) / np.sqrt(3)
    check(table['opposite_box']['purity'], 2.5 / 3, opp_half, 3)
    check(table['gs_minus_opposite']['purity'], 0.25,
          t_2 * np.std([0.5, 0.0], ddof=1) / np.sqrt(2), 2)
    check(table['gs_minus_opposite']['num_classes'], -1.0,
          t_2 * np.std([-2, 0], ddof=1) / np.sqrt(2), 2)
    # areas (of 24 pixels) over the views with labelled pixels: GS 6, 4;
    # opposite 24, 1, 1; whole view 1
    area = table['gs_box']['box_area']
    assert (area['mean'], area['n']) == (pytest.approx(5 / 24), 2)
    assert table['opposite_box']['box_area']['mean'] == pytest.approx(26 / 72)
    assert table['whole_view']['box_area']['mean'] == 1.0
    assert table['gs_minus_opposite']['box_area']['mean'] == pytest.approx(
        (-18 + 3) / 48)


def test_cluster_means_hand_computed():
    ids, means, counts = cluster_means(
        torch.tensor([1.0, 3.0, math.nan, 5.0, 7.0, 2.0]),
        np.array([0, 0, 1, 2, 2, 2]))
    assert ids.tolist() == [0, 2]  # cluster 1 holds no value
    np.testing.assert_allclose(means, [2.0, 14 / 3])
    assert counts.tolist() == [2, 3]
    summary = clustered_summary([1.0, 3.0, math.nan, 5.0, 7.0, 2.0],
                                [0, 0, 1, 2, 2, 2])
    assert (summary['n'], summary['n_units']) == (2, 5)
    half = stats.t.ppf(0.975, 1) * np.std([2.0, 14 / 3], ddof=1) / 2**0.5
    assert (summary['mean'], summary['ci_low'],
            summary['ci_high']) == pytest.approx(
                (10 / 3, 10 / 3 - half, 10 / 3 + half))
    with pytest.raises(ValueError, match='3 values but 2 cluster ids'):
        cluster_means([1.0, 2.0, 3.0], [0, 1])


def reference_purity(label: np.ndarray, box, ignore_index: int = 255):
    """Purity by counting classes with np.unique, apart from box_purity."""
    y0, x0, y1, x1 = box
    pixels = label[y0:y1, x0:x1]
    _, counts = np.unique(pixels[pixels != ignore_index], return_counts=True)
    return counts.max() / counts.sum() if counts.size else math.nan


def test_purity_table_intervals_are_over_patches_not_views():
    """Two identical views per patch carry the information of one: the
    interval is the one over the distinct patches, sqrt(2) and more wider
    than the interval that counts each view as a sample."""
    rng = np.random.default_rng(0)
    num_patches, size = 40, 12
    labels = rng.integers(0, 3, (num_patches, size, size)).astype(np.uint8)
    labels[:, :2] = 255
    corners = rng.integers(0, size // 2, (num_patches, 2))
    sides = rng.integers(2, size // 2 + 1, (num_patches, 2))
    boxes = np.concatenate([corners, corners + sides], axis=1)
    other = np.concatenate([corners[::-1], (corners + sides)[::-1]], axis=1)
    # view-major as the analysis orders them: first views, then mirrors
    # (identical here), so patch i holds views i and num_patches + i
    values = view_purities(
        np.concatenate([labels, labels]),
        torch.from_numpy(np.concatenate([boxes, boxes])),
        torch.from_numpy(np.concatenate([other, other])),
        torch.from_numpy(np.concatenate([other, other])))
    patches = np.tile(np.arange(num_patches), 2)
    table = purity_table(values, patches)

    gs = np.array([reference_purity(lb, b) for lb, b in zip(labels, boxes)])
    rnd = np.array([reference_purity(lb, b) for lb, b in zip(labels, other)])
    whole = np.array(
        [reference_purity(lb, (0, 0, size, size)) for lb in labels])
    for row, per_patch in (('gs_box', gs), ('random_box', rnd),
                           ('whole_view', whole), ('gs_minus_random',
                                                   gs - rnd)):
        per_patch = per_patch[~np.isnan(per_patch)]
        n = per_patch.size
        half = stats.t.ppf(0.975, n - 1) * per_patch.std(ddof=1) / np.sqrt(n)
        got = table[row]['purity']
        assert (got['n'], got['n_views']) == (n, 2 * n), row
        assert got['mean'] == pytest.approx(per_patch.mean()), row
        assert got['ci_low'] == pytest.approx(per_patch.mean() - half), row
        assert got['ci_high'] == pytest.approx(per_patch.mean() + half), row
        # the per-view interval treats the 2n views as independent
        per_view = np.concatenate([per_patch, per_patch])
        per_view_half = Z_95 * per_view.std(ddof=1) / np.sqrt(2 * n)
        assert got['ci_high'] - got['mean'] > 1.4 * per_view_half, row


def test_summarise_hand_computed():
    mean, low, high = summarise([1.0, 2.0, 3.0, 4.0, math.nan])
    half = 1.959963984540054 * math.sqrt(5 / 3) / 2
    assert (mean, low, high) == pytest.approx((2.5, 2.5 - half, 2.5 + half))
    assert Z_95 == pytest.approx(stats.norm.ppf(0.975), abs=1e-12)
    assert summarise(torch.tensor([0.5])).mean == 0.5
    assert math.isnan(summarise([0.5]).ci_low)
    assert all(math.isnan(v) for v in summarise([]))


def test_summarise_interval_covers_the_mean_95_percent_of_the_time():
    rng = np.random.default_rng(0)
    samples = rng.exponential(size=(2000, 200))  # skewed, true mean 1
    covered = [lo <= 1.0 <= hi for _, lo, hi in map(summarise, samples)]
    assert 0.93 < np.mean(covered) < 0.97


def test_random_boxes_keep_sizes_and_stay_inside():
    boxes = torch.tensor([[0, 0, 3, 2], [1, 1, 5, 4], [0, 0, 5, 4]])
    out = random_boxes_like(boxes, 5, 4, torch.Generator().manual_seed(0))
    assert out.dtype == torch.int64
    assert torch.equal(out[:, 2] - out[:, 0], boxes[:, 2] - boxes[:, 0])
    assert torch.equal(out[:, 3] - out[:, 1], boxes[:, 3] - boxes[:, 1])
    assert (out[:, :2] >= 0).all()
    assert (out[:, 2] <= 5).all() and (out[:, 3] <= 4).all()
    assert out[2].tolist() == [0, 0, 5, 4]  # a whole-view box cannot move


def test_random_boxes_are_uniform_and_seeded():
    boxes = torch.tensor([[0, 0, 3, 2]]).repeat(9000, 1)
    out = random_boxes_like(boxes, 5, 4, torch.Generator().manual_seed(1))
    # top-left corners 0..2 x 0..2, nine positions, 1000 expected each
    positions, counts = torch.unique(out[:, :2], dim=0, return_counts=True)
    assert positions.tolist() == [[y, x] for y in range(3) for x in range(3)]
    assert stats.chisquare(counts.numpy()).pvalue > 1e-3
    again = random_boxes_like(boxes, 5, 4, torch.Generator().manual_seed(1))
    other = random_boxes_like(boxes, 5, 4, torch.Generator().manual_seed(2))
    assert torch.equal(out, again) and not torch.equal(out, other)


@pytest.mark.parametrize('box', [[0, 0, 6, 2], [1, 1, 1, 3]])
def test_random_boxes_refuse_boxes_that_do_not_fit(box):
    with pytest.raises(ValueError, match='non-empty and fit'):
        random_boxes_like(torch.tensor([box]), 5, 4, torch.Generator())

"""Offline view batches: shapes, the mirror, label maps aligned with views."""
import numpy as np
import pytest
import torch
from mmpretrain.registry import MODELS

from grass_mm.visualization import (deterministic_batch,
                                    deterministic_label_views, split_batches)


def block_label(rng, height, width):
    """A label map constant on aligned 2 x 2 blocks."""
    blocks = rng.integers(0, 4, (height // 2, width // 2), dtype=np.uint8)
    return np.repeat(np.repeat(blocks, 2, axis=0), 2, axis=1)


def test_views_are_resized_and_mirrored_and_labels_stay_aligned():
    rng = np.random.default_rng(0)
    labels = [block_label(rng, 16, 16), block_label(rng, 16, 16)]
    # images whose colour encodes the label: halving a map that is constant
    # on aligned 2 x 2 blocks gives the same pixels with bilinear and nearest
    images = [np.stack([lb * 60, lb * 30, 255 - lb * 50], -1) for lb in labels]
    data = deterministic_batch(images, 8)
    views = data['inputs']
    assert data['data_samples'] is None
    assert len(views) == 2
    assert all(v.shape == (2, 3, 8, 8) and v.dtype == torch.uint8
               for v in views)
    assert torch.equal(views[1], views[0].flip(-1))
    label_views = deterministic_label_views(labels, 8)
    assert label_views.shape == (4, 8, 8)
    # view-major: first views of both images, then the second views
    decoded = torch.cat(views)[:, 0].numpy() // 60
    np.testing.assert_array_equal(decoded, label_views)
    np.testing.assert_array_equal(label_views[2:], label_views[:2, :, ::-1])


def test_label_views_of_any_shape_are_nearest_resized():
    rng = np.random.default_rng(1)
    labels = [
        rng.integers(0, 9, (20, 12), dtype=np.uint8),
        rng.integers(0, 9, (7, 30), dtype=np.uint8)
    ]
    label_views = deterministic_label_views(labels, 8)
    for i, label in enumerate(labels):
        rows = np.floor(np.arange(8) * label.shape[0] / 8).astype(int)
        cols = np.floor(np.arange(8) * label.shape[1] / 8).astype(int)
        expected = label[rows][:, cols]
        np.testing.assert_array_equal(label_views[i], expected)
        np.testing.assert_array_equal(label_views[2 + i], expected[:, ::-1])


def test_the_batch_goes_through_the_data_preprocessor():
    preprocessor = MODELS.build(
        dict(
            type='SelfSupDataPreprocessor',
            mean=[0, 0, 0],
            std=[1, 1, 1],
            to_rgb=True))
    images = [np.full((10, 10, 3), (1, 2, 3), np.uint8)] * 2
    inputs = preprocessor(deterministic_batch(images, 4), False)['inputs']
    assert [tuple(v.shape) for v in inputs] == [(2, 3, 4, 4)] * 2
    # BGR in, RGB out
    assert inputs[0][0, :, 0, 0].tolist() == [3.0, 2.0, 1.0]


@pytest.mark.parametrize('num_items, batch_size, sizes', [
    (9, 8, [5, 4]),
    (16, 8, [8, 8]),
    (17, 8, [6, 5, 6]),
    (3, 8, [3]),
    (1, 8, [1]),
    (0, 8, []),
    (5, 2, [2, 3]),
    (5, 1, [2, 3]),
])
def test_split_batches(num_items, batch_size, sizes):
    batches = split_batches(num_items, batch_size)
    assert sorted(len(b) for b in batches) == sorted(sizes)
    assert [i for b in batches for i in b] == list(range(num_items))


def test_split_batches_never_leaves_a_single_image_alone():
    for num_items in range(2, 60):
        for batch_size in range(2, 12):
            sizes = [len(b) for b in split_batches(num_items, batch_size)]
            assert min(sizes) >= 2
            # only batches of 2 may grow, to 3, for an odd number of items
            limit = batch_size + (batch_size == 2 and num_items % 2)
            assert max(sizes) <= limit
    with pytest.raises(ValueError):
        split_batches(4, 0)

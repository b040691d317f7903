# Copyright (c) grass_mm contributors. All rights reserved.
"""The segmentation probe on images whose classes are known by colour."""
import os

import numpy as np
import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from mmpretrain.registry import MODELS

import grass_mm  # noqa: F401
from grass_mm.evaluation import normalise_images, probe_backbone
from grass_mm.models.utils import Normalization

NORMALIZATION = Normalization((120., 120., 120.), (60., 60., 60.), True)
COLOURS = np.array([[200, 40, 40], [40, 200, 40], [40, 40, 200]], np.uint8)


def coloured_set(n, seed, size=64, shuffle_labels=False):
    """Images of three colour blocks; the label map names each block."""
    rng = np.random.default_rng(seed)
    items = []
    for _ in range(n):
        labels = np.zeros((size, size), np.uint8)
        cut = rng.integers(16, size - 16, 2)
        labels[:cut[0]] = 1
        labels[cut[0]:, cut[1]:] = 2
        image = COLOURS[labels] + rng.integers(
            0, 20, (size, size, 3), dtype=np.uint8)
        labels[:2] = 255  # an ignored strip
        if shuffle_labels:
            labels = np.roll(labels, size // 2, axis=rng.integers(0, 2))
        items.append(dict(img=image, gt_seg_map=labels))
    return items


def backbone():
    torch.manual_seed(0)
    model = MODELS.build(
        dict(type='mmpretrain.ResNet', depth=18, norm_cfg=dict(type='BN')))
    model.eval()
    return model


def test_normalise_images_flips_to_rgb_and_scales():
    image = np.zeros((1, 2, 2, 3), np.uint8)
    image[..., 0] = 180  # blue, in the BGR order images are loaded in
    x = normalise_images(image, NORMALIZATION)
    assert x.shape == (1, 3, 2, 2)
    torch.testing.assert_close(x[0, :, 0, 0], torch.tensor([-2., -2., 1.]))


def test_classes_known_by_colour_are_found():
    result = probe_backbone(
        backbone(),
        coloured_set(12, 0),
        coloured_set(6, 1),
        NORMALIZATION,
        3,
        classes=('r', 'g', 'b'),
        batch_size=5)
    assert result['mIoU'] > 90
    assert set(result) == {'mIoU', 'IoU.r', 'IoU.g', 'IoU.b', 'pixels'}
    # 8 x 8 grid cells per image; their centres miss the ignored strip
    assert result['pixels'] == 12 * 8 * 8


def test_labels_that_do_not_match_the_images_score_low():
    result = probe_backbone(backbone(),
                            coloured_set(12, 0, shuffle_labels=True),
                            coloured_set(6, 1), NORMALIZATION, 3)
    assert result['mIoU'] < 60


def test_the_backbone_is_left_as_it_was():
    model = backbone()
    model.train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    probe_backbone(model, coloured_set(4, 0), coloured_set(2, 1),
                   NORMALIZATION, 3)
    assert model.training and model.out_indices == (3, )
    for key, value in model.state_dict().items():
        torch.testing.assert_close(value, before[key])


def test_loader_workers_and_mixed_image_sizes_change_nothing():
    # 64 and 48 pixel images alternate: each loaded batch is cut into runs
    # of one size; worker processes read the same items in the same order
    train = coloured_set(6, 0)
    small = coloured_set(6, 2, size=48)
    train = [item for pair in zip(train, small) for item in pair]
    results = [
        probe_backbone(
            backbone(),
            train,
            coloured_set(3, 1),
            NORMALIZATION,
            3,
            batch_size=3,
            num_workers=workers) for workers in (0, 2)
    ]
    assert results[0]['pixels'] == 6 * 8 * 8 + 6 * 6 * 6
    assert results[0]['mIoU'] > 90
    for key, value in results[0].items():
        assert results[1][key] == pytest.approx(value, abs=1e-9), key


def _worker(rank, port, out_dir):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=2)
    # 5 training images: one rank has one image more (a padded sampler
    # would count an image twice); 1 val image: rank 1 scores none and must
    # still take part in every all-reduce
    result = probe_backbone(
        backbone(),
        coloured_set(5, 0),
        coloured_set(1, 1),
        NORMALIZATION,
        3,
        batch_size=2)
    torch.save(result, os.path.join(out_dir, f'rank{rank}.pth'))
    dist.destroy_process_group()


def test_ddp_shards_and_equals_one_process(tmp_path, free_port):
    expected = probe_backbone(
        backbone(),
        coloured_set(5, 0),
        coloured_set(1, 1),
        NORMALIZATION,
        3,
        batch_size=2)
    mp.spawn(_worker, args=(free_port(), str(tmp_path)), nprocs=2)
    for rank in range(2):
        result = torch.load(tmp_path / f'rank{rank}.pth')
        assert result['pixels'] == expected['pixels']
        for key, value in expected.items():
            assert result[key] == pytest.approx(
                value, abs=1e-6, nan_ok=True), key


class OffsetFeatures(torch.nn.Module):
    """A 1 x 1 convolution whose features all carry the same offset."""

    def __init__(self, offset):
        super().__init__()
        torch.manual_seed(0)
        self.conv = torch.nn.Conv2d(3, 8, 1)
        self.offset = offset

    def forward(self, x):
        return self.conv(x) + self.offset


def test_a_large_feature_offset_changes_nothing():
    # the probe standardises its features: an offset of 5000 on features
    # of std ~1 must give the score of the same features without it
    scores = [
        probe_backbone(
            OffsetFeatures(offset), coloured_set(8, 0), coloured_set(4, 1),
            NORMALIZATION, 3)['mIoU'] for offset in (0., 5000.)
    ]
    assert scores[0] > 90
    assert scores[1] == pytest.approx(scores[0], abs=0.5)

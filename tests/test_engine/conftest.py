"""Fixtures of the hook tests."""
import os
import os.path as osp

import numpy as np
import pytest
from PIL import Image


@pytest.fixture(scope='module')
def image_dir(tmp_path_factory):
    """Eight small RGB images on disk."""
    root = tmp_path_factory.mktemp('images')
    rng = np.random.default_rng(0)
    for i in range(8):
        pixels = rng.integers(0, 256, (80, 80, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(osp.join(root, f'{i}.png'))
    return str(root)


@pytest.fixture(scope='module')
def labelled_root(tmp_path_factory):
    """Six 64 x 64 images: a bright rectangle (class 1) on dark ground."""
    root = tmp_path_factory.mktemp('labelled')
    rng = np.random.default_rng(0)
    for split, n in (('train', 4), ('val', 2)):
        os.makedirs(root / 'img' / split)
        os.makedirs(root / 'ann' / split)
        for i in range(n):
            labels = np.zeros((64, 64), np.uint8)
            top, left = rng.integers(8, 32, 2)
            labels[top:top + 24, left:left + 24] = 1
            image = (labels[..., None] * 180 + 30 +
                     rng.integers(0, 20, (64, 64, 3))).astype(np.uint8)
            Image.fromarray(image).save(root / 'img' / split / f'{i}.png')
            Image.fromarray(labels).save(root / 'ann' / split / f'{i}.png')
    return root

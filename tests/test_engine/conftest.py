"""Fixtures of the hook tests."""
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

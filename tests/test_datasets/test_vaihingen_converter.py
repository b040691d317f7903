# Copyright (c) grass_mm contributors. All rights reserved.
"""Vaihingen from tiny official-style archives to the mmseg pipeline."""
import os
import re

import numpy as np
from PIL import Image

from grass_mm.datasets import tile_windows
from grass_mm.datasets.converters import VAIHINGEN_SPLITS

from .factories import expected_gt, make_vaihingen, run_tool, seg_dataloader


def test_tool_end_to_end(tmp_path):
    areas = make_vaihingen(tmp_path / 'archives')
    out = tmp_path / 'data' / 'vaihingen'
    proc = run_tool('vaihingen', tmp_path / 'archives', '-o', out,
                    '--clip-size', 16, '--stride', 8, '--fractions', 10, 100)
    assert proc.returncode == 0, proc.stderr
    assert '33/33' in proc.stdout
    assert 'outside the palette' not in proc.stdout  # full labels: all known
    for split, ids in VAIHINGEN_SPLITS.items():
        expected = set()
        for area in ids:
            height, width = areas[area]['ids'].shape
            expected |= {
                f'{area}_{x0}_{y0}_{x1}_{y1}.png'
                for y0, x0, y1, x1 in tile_windows(height, width, 16, 8)
            }
        assert set(os.listdir(out / 'img_dir' / split)) == expected
    # only top/ is converted (not dsm/ or gts_for_participants/)
    assert sorted(os.listdir(out / 'pretrain')) == sorted(
        f'top_mosaic_09cm_{a}.tif' for a in VAIHINGEN_SPLITS['train'])
    assert sorted(os.listdir(out / 'splits')) == [
        'train_100pct.txt', 'train_10pct.txt']

    # the fine-tuning config reads the IR-R-G patches and their labels back
    val = seg_dataloader('vaihingen_finetune.py', out, 'val')
    sample = next(iter(val))['data_samples'][0]
    area, x0, y0, x1, y1 = re.fullmatch(
        r'(area\d+)_(\d+)_(\d+)_(\d+)_(\d+)\.png',
        os.path.basename(sample.img_path)).groups()
    window = np.s_[int(y0):int(y1), int(x0):int(x1)]
    np.testing.assert_array_equal(sample.gt_sem_seg.data.numpy()[0],
                                  expected_gt(areas[area]['ids'][window]))
    np.testing.assert_array_equal(
        np.asarray(Image.open(sample.img_path)),
        areas[area]['pixels'][window])
    train = seg_dataloader('vaihingen_finetune.py', out, 'train',
                           ann_file='splits/train_10pct.txt')
    listed = (out / 'splits' / 'train_10pct.txt').read_text().split()
    assert len(train.dataset) == len(listed) > 0

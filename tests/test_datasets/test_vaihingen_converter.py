# Copyright (c) grass_mm contributors. All rights reserved.
"""Vaihingen from tiny official-style archives to the mmseg pipeline."""
import json
import os
import re

import numpy as np
from PIL import Image

from grass_mm.datasets import tile_windows, window_starts
from grass_mm.datasets.converters import VAIHINGEN_SPLITS, convert_vaihingen
from .factories import expected_gt, make_vaihingen, run_tool, seg_dataloader


def test_tool_end_to_end(tmp_path):
    areas = make_vaihingen(tmp_path / 'archives')
    out = tmp_path / 'data' / 'vaihingen'
    proc = run_tool('vaihingen', tmp_path / 'archives', '-o', out,
                    '--clip-size', 16, '--stride', 8, '--fractions', 10, 100)
    assert proc.returncode == 0, proc.stderr
    assert '33/33' in proc.stdout
    assert 'outside the palette' not in proc.stdout  # full labels: all known
    strides = dict(train=8, val=16)  # --stride is for training only
    for split, ids in VAIHINGEN_SPLITS.items():
        expected = set()
        for area in ids:
            height, width = areas[area]['ids'].shape
            expected |= {
                f'{area}_{x0}_{y0}_{x1}_{y1}.png'
                for y0, x0, y1, x1 in tile_windows(height, width, 16,
                                                   strides[split])
            }
        assert set(os.listdir(out / 'img_dir' / split)) == expected
    # only top/ is converted (not dsm/ or gts_for_participants/)
    assert sorted(os.listdir(out / 'pretrain')) == sorted(
        f'top_mosaic_09cm_{a}.tif' for a in VAIHINGEN_SPLITS['train'])
    assert sorted(os.listdir(
        out / 'splits')) == ['train_100pct.txt', 'train_10pct.txt']

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
        np.asarray(Image.open(sample.img_path)), areas[area]['pixels'][window])
    train = seg_dataloader(
        'vaihingen_finetune.py',
        out,
        'train',
        ann_file='splits/train_10pct.txt')
    listed = (out / 'splits' / 'train_10pct.txt').read_text().split()
    assert len(train.dataset) == len(listed) > 0


def test_eroded_labels_by_default_and_irregular_areas(tmp_path):
    """mmseg's protocol on areas of irregular sizes: windows every clip
    size, the last row and column flush with each area's edge, eroded
    labels (black boundary stored as 0, ignored) when present."""
    sizes = {
        a: (33 + i, 40 + 2 * i)
        for i, a in enumerate(a for s in VAIHINGEN_SPLITS.values() for a in s)
    }
    areas = make_vaihingen(
        tmp_path / 'archives', labels=('full', 'eroded'), sizes=sizes)
    out = tmp_path / 'out'
    summary = convert_vaihingen(
        str(tmp_path / 'archives'), str(out), clip_size=16, percents=(100, ))
    assert summary['labels'] == 'eroded'
    assert summary['label_archive'] == (
        'ISPRS_semantic_labeling_Vaihingen_ground_truth_eroded_COMPLETE.zip')
    expected = {
        split:
        sum(
            len(window_starts(sizes[a][0], 16, 16)) *
            len(window_starts(sizes[a][1], 16, 16)) for a in ids)
        for split, ids in VAIHINGEN_SPLITS.items()
    }
    assert summary['patches'] == expected
    # area1 is 33 x 40: rows 0, 16, 17; columns 0, 16, 24
    assert window_starts(33, 16, 16) == [0, 16, 17]
    assert window_starts(40, 16, 16) == [0, 16, 24]
    names = sorted(
        n for n in os.listdir(out / 'ann_dir' / 'train')
        if n.startswith('area1_'))
    assert len(names) == 9 and 'area1_24_17_40_33.png' in names
    label = np.asarray(
        Image.open(out / 'ann_dir' / 'train' / 'area1_24_17_40_33.png'))
    np.testing.assert_array_equal(label, areas['area1']['eroded_ids'][17:33,
                                                                      24:40])
    assert (label == 0).any()  # the boundary, ignored by the dataset
    stamp = json.loads((out / '.grass_mm_conversion.json').read_text())
    assert stamp['labels'] == 'eroded'
    assert stamp['strides'] == dict(train=16, val=16)
    # the full labels on request, from the other archive
    full = convert_vaihingen(
        str(tmp_path / 'archives'),
        str(out),
        labels='full',
        clip_size=16,
        percents=(100, ))
    assert full['labels'] == 'full' and full['patches'] == expected
    label = np.asarray(
        Image.open(out / 'ann_dir' / 'train' / 'area1_24_17_40_33.png'))
    np.testing.assert_array_equal(label, areas['area1']['ids'][17:33, 24:40])

"""The Dubai aerial converter on a tiny copy of the embedded data's layout."""
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
from mmengine.registry import DefaultScope
from PIL import Image

from grass_mm.datasets import DubaiAerialDataset
from grass_mm.datasets.converters import ConversionError, convert_dubai_aerial

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PALETTE = DubaiAerialDataset.METAINFO['palette']


def make_source(root, height=40, width=50, palette_png_tile=2):
    """8 tiles x 9 parts; pixel (y, x) has class (y // 10) % 5, the last
    row is black and one pixel is the "unlabeled" grey."""
    rng = np.random.default_rng(0)
    ids = (np.arange(height) // 10 % 5)[:, None].repeat(width, axis=1)
    colours = np.asarray(PALETTE, dtype=np.uint8)[ids]
    colours[-1] = 0
    colours[0, 0] = 155
    for tile in range(1, 9):
        for part in range(1, 10):
            for sub in ('images', 'masks'):
                (root / f'Tile {tile}' / sub).mkdir(
                    parents=True, exist_ok=True)
            pixels = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(root / f'Tile {tile}' / 'images' /
                                         f'image_part_00{part}.jpg')
            mask = Image.fromarray(colours)
            if tile == palette_png_tile:
                mask = mask.quantize(
                    colors=8, method=Image.Quantize.MAXCOVERAGE)
            mask.save(root / f'Tile {tile}' / 'masks' /
                      f'image_part_00{part}.png')
    return ids


def test_conversion_writes_patches_ids_splits_and_is_rerun_safe(tmp_path):
    src, out = tmp_path / 'src', tmp_path / 'out'
    ids = make_source(src)
    counts = convert_dubai_aerial(str(src), str(out), clip_size=32, stride=16)
    # windows of 32 every 16 px on 40 x 50: rows 0, 8; cols 0, 16, 18
    assert counts == dict(train=8 * 7 * 6, val=8 * 2 * 6)
    patch = out / 'ann_dir' / 'val' / 'tile3_part009_8_18.png'
    label = np.asarray(Image.open(patch))
    expected = ids[8:40, 18:50] + 1
    expected[-1] = 0  # black border
    assert np.array_equal(label, expected)
    corner = np.asarray(
        Image.open(out / 'ann_dir' / 'train' / 'tile2_part001_0_0.png'))
    assert corner[0, 0] == 0 and corner[0, 1] == 1  # grey is ignored
    assert len(list((out / 'pretrain').iterdir())) == 8 * 7
    one = (out / 'splits' / 'train_1pct.txt').read_text().split()
    ten = (out / 'splits' / 'train_10pct.txt').read_text().split()
    assert len(one) == 4 and set(one) <= set(ten)
    # a rerun with the same options does nothing
    assert convert_dubai_aerial(
        str(src), str(out), clip_size=32, stride=16) == {}


def test_missing_mask_and_wrong_count_are_reported(tmp_path):
    src = tmp_path / 'src'
    make_source(src)
    (src / 'Tile 5' / 'masks' / 'image_part_004.png').unlink()
    with pytest.raises(ConversionError, match=r'Tile 5.*image_part_004.png'):
        convert_dubai_aerial(str(src), str(tmp_path / 'out'))
    make_source(src)  # restores the mask
    (src / 'Tile 7' / 'images' / 'image_part_001.jpg').unlink()
    with pytest.raises(ConversionError, match=r'Tile 7.*expected 9'):
        convert_dubai_aerial(str(src), str(tmp_path / 'out'))


def test_tool_converts_and_the_dataset_reads_it(tmp_path):
    src, out = tmp_path / 'src', tmp_path / 'out'
    make_source(src)
    subprocess.run([
        sys.executable, 'tools/dataset_converters/dubai_aerial.py',
        str(src), '-o',
        str(out), '--clip-size', '40', '--stride', '40'
    ],
                   cwd=ROOT,
                   check=True,
                   capture_output=True)
    # a scope for this test only: a global one leaks into later tests
    with DefaultScope.overwrite_default_scope('mmseg'):
        dataset = DubaiAerialDataset(
            data_root=str(out),
            data_prefix=dict(
                img_path='img_dir/val', seg_map_path='ann_dir/val'),
            pipeline=[
                dict(type='LoadImageFromFile'),
                dict(type='LoadAnnotations', reduce_zero_label=True)
            ])
        sample = dataset[0]
    assert len(dataset) == 8 * 2 * 2
    assert set(np.unique(sample['gt_seg_map'])) == {0, 1, 2, 3, 255}

# Copyright (c) grass_mm contributors. All rights reserved.
"""Potsdam from tiny official-style archives to the training pipelines."""
import math
import os
import re
import shutil

import numpy as np
import pytest
import rasterio
from PIL import Image

from grass_mm.datasets import RSIPatchDataset, tile_windows
from grass_mm.datasets.converters import (POTSDAM_SPLITS, ConversionError,
                                          convert_potsdam, fraction_subset)
from .factories import (expected_gt, make_potsdam, rewrite_zip, run_tool,
                        seg_dataloader)

SIZE, CLIP, STRIDE = 45, 16, 12
# --stride makes the training windows denser; validation steps by CLIP
TRAIN_WINDOWS = tile_windows(SIZE, SIZE, CLIP, STRIDE)  # 4 x 4 per tile
VAL_WINDOWS = tile_windows(SIZE, SIZE, CLIP, CLIP)  # 3 x 3 per tile
WINDOWS = dict(train=TRAIN_WINDOWS, val=VAL_WINDOWS)


def patch_name(tile_id, window):
    y0, x0, y1, x1 = window
    return f'{tile_id}_{x0}_{y0}_{x1}_{y1}'


@pytest.fixture(scope='module')
def potsdam_out(potsdam_archives, tmp_path_factory):
    """The archives converted by the tool, as a user runs it."""
    archives, tiles = potsdam_archives
    out = tmp_path_factory.mktemp('potsdam') / 'data' / 'potsdam'
    proc = run_tool('potsdam', archives, '-o', out, '--clip-size', CLIP,
                    '--stride', STRIDE)
    assert proc.returncode == 0, proc.stderr
    return out, tiles, proc


def test_tool_writes_every_patch_label_and_tile(potsdam_out):
    out, tiles, proc = potsdam_out
    assert '38/38' in proc.stdout  # the progress bar ran to the end
    assert "{'train': 384, 'val': 126} patches" in proc.stdout
    assert 'colours outside the palette' in proc.stdout  # black pixels
    # only the full labels are in the folder: used, and said so
    assert 'full labels from 5_Labels_all.zip' in proc.stdout
    assert 'note: full labels' in proc.stdout
    for split, ids in POTSDAM_SPLITS.items():
        expected = {
            patch_name(t, w) + '.png'
            for t in ids
            for w in WINDOWS[split]
        }
        assert set(os.listdir(out / 'img_dir' / split)) == expected
        assert set(os.listdir(out / 'ann_dir' / split)) == expected
    assert len(TRAIN_WINDOWS) == 16 and len(VAL_WINDOWS) == 9
    assert (29, 29, 45, 45) in TRAIN_WINDOWS and (29, 29, 45,
                                                  45) in VAL_WINDOWS
    for tile_id in ('2_10', '7_13'):
        split = 'train' if tile_id in POTSDAM_SPLITS['train'] else 'val'
        windows = WINDOWS[split]
        for window in (windows[0], windows[-1]):  # first, and flush with edge
            y0, x0, y1, x1 = window
            name = patch_name(tile_id, window) + '.png'
            image = np.asarray(Image.open(out / 'img_dir' / split / name))
            label = np.asarray(Image.open(out / 'ann_dir' / split / name))
            np.testing.assert_array_equal(
                image, tiles[tile_id]['pixels'][y0:y1, x0:x1])
            np.testing.assert_array_equal(label, tiles[tile_id]['ids'][y0:y1,
                                                                       x0:x1])
    # the pretraining set: the 24 training tiles, whole, tiled, geo-referenced
    pretrain = sorted(os.listdir(out / 'pretrain'))
    assert pretrain == sorted(f'top_potsdam_{t}_RGB.tif'
                              for t in POTSDAM_SPLITS['train'])
    with rasterio.open(out / 'pretrain' / 'top_potsdam_2_10_RGB.tif') as f:
        assert f.profile['tiled'] and f.crs.to_epsg() == 32633
        np.testing.assert_array_equal(f.read().transpose(1, 2, 0),
                                      tiles['2_10']['pixels'])


def test_fine_tune_config_reads_labels_and_fractions(potsdam_out):
    out, tiles, _ = potsdam_out
    # 10 % of the 384 training patches, through the config's train pipeline
    train = seg_dataloader(
        'potsdam_finetune.py', out, 'train', ann_file='splits/train_10pct.txt')
    listed = (out / 'splits' / 'train_10pct.txt').read_text().split()
    assert len(train.dataset) == len(listed) == math.ceil(384 * 0.1)
    batch = next(iter(train))
    for sample in batch['data_samples']:
        name = os.path.basename(sample.img_path)[:-4]
        assert name in listed
        assert set(np.unique(
            sample.gt_sem_seg.data.numpy())) <= {0, 1, 2, 3, 4, 5, 255}
        height, width = sample.gt_sem_seg.data.shape[-2:]
        assert height == width <= 512  # randomly resized, cropped to 512
    # the val pipeline keeps labels at their stored size: compare exactly
    val = seg_dataloader('potsdam_finetune.py', out, 'val')
    assert len(val.dataset) == 14 * 9
    sample = next(iter(val))['data_samples'][0]
    tile_id, x0, y0, x1, y1 = re.fullmatch(
        r'(\d+_\d+)_(\d+)_(\d+)_(\d+)_(\d+)\.png',
        os.path.basename(sample.img_path)).groups()
    ids = tiles[tile_id]['ids'][int(y0):int(y1), int(x0):int(x1)]
    np.testing.assert_array_equal(sample.gt_sem_seg.data.numpy()[0],
                                  expected_gt(ids))
    assert val.dataset.metainfo['classes'][0] == 'impervious_surface'


def test_pretraining_dataset_reads_the_converted_tiles(potsdam_out):
    out, tiles, _ = potsdam_out
    dataset = RSIPatchDataset(
        data_root=str(out),
        data_prefix='pretrain/',
        patch_size=CLIP,
        stride=STRIDE)
    assert len(dataset) == 24 * 16
    info = dataset.get_data_info(15)  # the last window of the first tile
    assert info['window'] == (29, 29, 45, 45)
    assert info['img_path'].endswith('top_potsdam_2_10_RGB.tif')
    np.testing.assert_array_equal(
        dataset.prepare_data(15)['img'], tiles['2_10']['pixels'][29:45,
                                                                 29:45, ::-1])


def test_same_seed_same_nested_fractions(potsdam_archives, potsdam_out,
                                         tmp_path):
    archives, _ = potsdam_archives
    out, _, _ = potsdam_out
    again = tmp_path / 'again'
    convert_potsdam(
        str(archives),
        str(again),
        clip_size=CLIP,
        stride=STRIDE,
        percents=(1, 5, 10),
        seed=0)
    names = sorted(n[:-4] for n in os.listdir(out / 'img_dir' / 'train'))
    subsets = []
    for percent in (1, 5, 10):
        file = f'train_{percent}pct.txt'
        lines = (again / 'splits' / file).read_text().split()
        assert lines == (out / 'splits' / file).read_text().split()
        assert lines == fraction_subset(names, percent, seed=0)
        subsets.append(set(lines))
    assert subsets[0] < subsets[1] < subsets[2]
    other = tmp_path / 'seed1'
    convert_potsdam(
        str(archives),
        str(other),
        clip_size=CLIP,
        stride=STRIDE,
        percents=(10, ),
        seed=1)
    assert (other / 'splits' /
            'train_10pct.txt').read_text() != (out / 'splits' /
                                               'train_10pct.txt').read_text()


def test_rerun_is_safe(potsdam_archives, tmp_path, capsys):
    archives, _ = potsdam_archives
    out = tmp_path / 'potsdam'
    convert_potsdam(str(archives), str(out), clip_size=CLIP, stride=STRIDE)
    mark = out / 'img_dir' / 'train' / '2_10_0_0_16_16.png'
    before = mark.stat().st_mtime_ns
    (out / 'notes.txt').write_text('mine')  # not the converter's
    assert convert_potsdam(
        str(archives), str(out), clip_size=CLIP, stride=STRIDE) is None
    assert 'nothing to do' in capsys.readouterr().out
    assert mark.stat().st_mtime_ns == before
    # another stride replaces the patches as a whole: none left over
    convert_potsdam(str(archives), str(out), clip_size=CLIP, stride=CLIP)
    names = set(os.listdir(out / 'img_dir' / 'train'))
    assert len(names) == 24 * 9 and '2_10_12_0_28_16.png' not in names
    # a run that fails half-way leaves the last good output as it was
    broken = tmp_path / 'broken'
    shutil.copytree(archives, broken, ignore=shutil.ignore_patterns('src_*'))
    make_potsdam(tmp_path / 'wrong', label_sizes={'7_13': (40, 45)})
    shutil.copy(tmp_path / 'wrong' / '5_Labels_all.zip', broken)
    with pytest.raises(ConversionError, match='7_13_label.tif: is 40 x 45'):
        convert_potsdam(str(broken), str(out), clip_size=CLIP, stride=CLIP)
    assert set(os.listdir(out / 'img_dir' / 'train')) == names
    assert sorted(os.listdir(out)) == [
        '.grass_mm_conversion.json', 'ann_dir', 'img_dir', 'notes.txt',
        'pretrain', 'splits'
    ]


def test_rgbir_keeps_four_bands_for_pretraining(tmp_path):
    tiles = make_potsdam(tmp_path / 'archives', size=20, ortho='RGBIR')
    out = tmp_path / 'out'
    convert_potsdam(
        str(tmp_path / 'archives'),
        str(out),
        ortho='RGBIR',
        clip_size=20,
        stride=20,
        percents=(100, ))
    source = tiles['2_10']['pixels']
    assert source.shape[2] == 4
    patch = np.asarray(
        Image.open(out / 'img_dir' / 'train' / '2_10_0_0_20_20.png'))
    np.testing.assert_array_equal(patch, source[..., :3])  # R, G, B
    with rasterio.open(out / 'pretrain' / 'top_potsdam_2_10_RGBIR.tif') as f:
        assert f.count == 4
    dataset = RSIPatchDataset(
        data_root=str(out),
        data_prefix='pretrain/',
        patch_size=20,
        num_bands=4)
    np.testing.assert_array_equal(
        dataset.prepare_data(0)['img'], source[..., 2::-1])  # B, G, R; no IR


# ---- what the converter refuses, and how it says so ------------------------


def test_tool_exit_code_and_message_for_a_missing_archive(tmp_path):
    (tmp_path / '5_Labels_all.zip').write_bytes(b'')
    proc = run_tool('potsdam', tmp_path, '-o', tmp_path / 'out')
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        f'error: missing archive(s) 2_Ortho_RGB.zip in {tmp_path}; found: '
        '5_Labels_all.zip')
    assert not (tmp_path / 'out').exists()


@pytest.fixture
def broken_copy(potsdam_archives, tmp_path):
    """A copy of the archive folder to break one thing in."""
    archives, _ = potsdam_archives
    for name in ('2_Ortho_RGB.zip', '5_Labels_all.zip'):
        shutil.copy(archives / name, tmp_path)
    return archives, tmp_path


def convert(folder, **kwargs):
    convert_potsdam(
        str(folder),
        str(folder / 'out'),
        clip_size=CLIP,
        stride=STRIDE,
        **kwargs)


def test_refuses_a_missing_tile(broken_copy):
    archives, folder = broken_copy
    rewrite_zip(
        archives / '2_Ortho_RGB.zip',
        folder / '2_Ortho_RGB.zip',
        drop=('2_Ortho_RGB/top_potsdam_7_13_RGB.tif', ))
    with pytest.raises(
            ConversionError,
            match=r'2_Ortho_RGB.zip: expected the 38 tiles of the '
            r'official release, found 37; missing 1 tile\(s\): '
            '7_13'):
        convert(folder)
    assert not (folder / 'out').exists()


def test_refuses_an_unexpected_member_name(broken_copy):
    archives, folder = broken_copy
    rewrite_zip(
        archives / '5_Labels_all.zip',
        folder / '5_Labels_all.zip',
        add={'top_potsdam_2_10_label (1).tif': b'x'})
    with pytest.raises(
            ConversionError,
            match=r'unexpected member name\(s\) '
            r'top_potsdam_2_10_label \(1\).tif; expected names '
            'matching'):
        convert(folder)


def test_refuses_an_unknown_tile(broken_copy):
    archives, folder = broken_copy
    rewrite_zip(
        archives / '5_Labels_all.zip',
        folder / '5_Labels_all.zip',
        add={'top_potsdam_9_99_label.tif': b'x'})
    with pytest.raises(ConversionError, match=r'unknown tile\(s\): 9_99'):
        convert(folder)


def test_refuses_a_damaged_archive_and_member(broken_copy):
    archives, folder = broken_copy
    data = (archives / '5_Labels_all.zip').read_bytes()
    (folder / '5_Labels_all.zip').write_bytes(data[:len(data) // 2])
    with pytest.raises(
            ConversionError,
            match='5_Labels_all.zip: not a '
            'readable zip archive'):
        convert(folder)
    # flip bytes inside the first member's compressed data
    shutil.copy(archives / '5_Labels_all.zip', folder)
    damaged = bytearray(data)
    damaged[200:260] = bytes(60)
    (folder / '5_Labels_all.zip').write_bytes(bytes(damaged))
    with pytest.raises(
            ConversionError,
            match=r'top_potsdam_2_10_label.tif: '
            'cannot be extracted .* the archive is damaged'):
        convert(folder)


def test_refuses_the_wrong_number_of_bands(tmp_path):
    make_potsdam(tmp_path, size=20, ortho='RGBIR', bands=3)
    with pytest.raises(
            ConversionError,
            match=r'4_Ortho_RGBIR.zip:4_Ortho_RGBIR/top_potsdam_'
            r'2_10_RGBIR.tif: has 3 band\(s\); expected 4'):
        convert_potsdam(
            str(tmp_path),
            str(tmp_path / 'out'),
            ortho='RGBIR',
            clip_size=20,
            stride=20)

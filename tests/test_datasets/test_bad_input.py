# Copyright (c) grass_mm contributors. All rights reserved.
"""Bad input, nothing lost: each case is a clear error, and a failed
conversion leaves neither partial output nor staging behind."""
import multiprocessing
import os
import shutil
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from grass_mm.datasets.converters import (ConversionError,
                                          convert_dubai_aerial, convert_loveda,
                                          convert_potsdam)
from grass_mm.datasets.converters.parallel import run_jobs
from grass_mm.datasets.converters.staged_output import STAGING_NAME, TRASH_NAME
from .factories import (REPO_ROOT, make_loveda, make_potsdam, rewrite_zip,
                        run_tool)
from .test_dubai_aerial_converter import make_source

DEMO = REPO_ROOT / 'demo' / 'dubai_aerial'

# ---- nproc > 1: the pool is stopped before the clean-up ---------------------


def _slow_write(job):
    """Write one file after a pause; job 1 fails at once."""
    folder, index = job
    if index == 1:
        raise ConversionError('job 1 is broken')
    time.sleep(0.05)
    Path(folder, f'{index}.txt').write_text('written')
    return index


def test_run_jobs_stops_every_worker_before_raising(tmp_path):
    jobs = [(str(tmp_path), i) for i in range(40)]
    with pytest.raises(ConversionError, match='job 1 is broken'):
        run_jobs(_slow_write, jobs, nproc=2)
    assert multiprocessing.active_children() == []
    written = sorted(os.listdir(tmp_path))
    time.sleep(0.5)  # nothing keeps writing after the error
    assert sorted(os.listdir(tmp_path)) == written
    assert len(written) < 39


@pytest.mark.parametrize('nproc', [1, 3])
def test_run_jobs_keeps_the_order(tmp_path, nproc):
    jobs = [(str(tmp_path), i) for i in (0, 2, 3, 4, 5)]
    assert run_jobs(_slow_write, jobs, nproc) == [0, 2, 3, 4, 5]
    with pytest.raises(ValueError, match='nproc must be a positive'):
        run_jobs(_slow_write, jobs, 0)


def tree(folder: Path) -> dict:
    """Every file under ``folder`` with its size and modification time."""
    return {
        str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.rglob('*') if p.is_file()
    }


def test_failed_parallel_conversion_leaves_the_earlier_output(
        potsdam_archives, tmp_path):
    archives, _ = potsdam_archives
    out = tmp_path / 'potsdam'
    convert_potsdam(str(archives), str(out), clip_size=16, nproc=2)
    before = tree(out)
    assert len(before) > 24 * 9 * 2
    # the first tile converted (2_10) is broken: 37 others were queued
    broken = tmp_path / 'broken'
    make_potsdam(broken, label_sizes={'2_10': (40, 45)})
    with pytest.raises(ConversionError, match='2_10_label.tif: is 40 x 45'):
        convert_potsdam(str(broken), str(out), clip_size=16, stride=8, nproc=2)
    assert multiprocessing.active_children() == []
    time.sleep(0.3)  # a worker left running would write now
    assert not (out / STAGING_NAME).exists()
    assert not (out / TRASH_NAME).exists()
    assert tree(out) == before


# ---- the Dubai converter reads JPEGs through the checked reader ------------


def test_dubai_truncated_jpeg_is_an_error_naming_it(tmp_path):
    src = tmp_path / 'src'
    for tile in range(1, 9):
        shutil.copytree(DEMO / f'Tile {tile}', src / f'Tile {tile}')
    cut = src / 'Tile 3' / 'images' / 'image_part_002.jpg'
    data = cut.read_bytes()
    cut.write_bytes(data[:len(data) // 2])
    with pytest.raises(
            ConversionError,
            match=f'{cut}: cannot decode the image .*truncated'):
        convert_dubai_aerial(str(src), str(tmp_path / 'out'))
    assert not (tmp_path / 'out' / STAGING_NAME).exists()
    assert not (tmp_path / 'out' / 'img_dir').exists()


def test_dubai_truncated_mask_is_an_error_naming_it(tmp_path):
    src = tmp_path / 'src'
    make_source(src)
    mask = src / 'Tile 2' / 'masks' / 'image_part_001.png'  # palette PNG
    data = mask.read_bytes()
    mask.write_bytes(data[:len(data) // 2])
    with pytest.raises(ConversionError, match=f'{mask}: cannot be read'):
        convert_dubai_aerial(str(src), str(tmp_path / 'out'))


# ---- strides and sizes ------------------------------------------------------


@pytest.mark.parametrize('option,value', [('stride', 0), ('stride', -16),
                                          ('clip_size', 0), ('nproc', 0),
                                          ('bit_depth', 17)])
def test_non_positive_options_are_refused_before_any_work(
        potsdam_archives, tmp_path, option, value):
    archives, _ = potsdam_archives
    options = dict(clip_size=16)
    options[option] = value
    with pytest.raises(
            ConversionError, match=f'{option} must be .*got '
            f'{value}'):
        convert_potsdam(str(archives), str(tmp_path / 'out'), **options)
    assert not (tmp_path / 'out').exists()


@pytest.mark.parametrize('stride', [0, -1])
def test_dubai_refuses_a_non_positive_stride(tmp_path, stride):
    with pytest.raises(
            ConversionError,
            match=f'stride must be a positive '
            f'integer, got {stride}'):
        convert_dubai_aerial(str(DEMO), str(tmp_path / 'out'), stride=stride)
    assert not (tmp_path / 'out').exists()


@pytest.mark.parametrize('tool,value', [('potsdam', '0'), ('vaihingen', '-8'),
                                        ('vaihingen', '1.5')])
def test_tools_refuse_a_bad_stride(tmp_path, tool, value):
    proc = run_tool(tool, tmp_path, '--stride', value)
    assert proc.returncode == 2
    assert ("argument --stride: expected a positive integer, got "
            in proc.stderr)


# ---- duplicate archive members ----------------------------------------------


def add_duplicate(src: Path, dst: Path, name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', UserWarning)  # zipfile's 'Duplicate'
        rewrite_zip(src, dst, add={name: b'a second copy'})


def test_duplicate_potsdam_member_is_refused(potsdam_archives, tmp_path):
    archives, _ = potsdam_archives
    shutil.copy(archives / '2_Ortho_RGB.zip', tmp_path)
    add_duplicate(archives / '5_Labels_all.zip', tmp_path / '5_Labels_all.zip',
                  'top_potsdam_3_11_label.tif')
    with pytest.raises(
            ConversionError,
            match=r'5_Labels_all.zip: duplicate '
            r'member name\(s\) top_potsdam_3_11_label.tif \(2 '
            r'times\)'):
        convert_potsdam(str(tmp_path), str(tmp_path / 'out'), clip_size=16)
    assert not (tmp_path / 'out').exists()


def test_duplicate_loveda_member_is_refused(tmp_path):
    make_loveda(tmp_path / 'archives')
    folder = tmp_path / 'dup'
    folder.mkdir()
    shutil.copy(tmp_path / 'archives' / 'Val.zip', folder)
    add_duplicate(tmp_path / 'archives' / 'Train.zip', folder / 'Train.zip',
                  'Train/Urban/images_png/1366.png')
    with pytest.raises(
            ConversionError,
            match=r'Train.zip: duplicate member '
            r'name\(s\) Train/Urban/images_png/1366.png'):
        convert_loveda(str(folder), str(tmp_path / 'out'), domain='urban')
    assert not (tmp_path / 'out').exists()


# ---- 12-bit data in 16-bit files --------------------------------------------


@pytest.fixture(scope='module')
def potsdam_12bit(tmp_path_factory):
    root = tmp_path_factory.mktemp('potsdam_12bit')
    return root, make_potsdam(root, size=20, max_value=4095)


def test_16bit_tiles_without_a_bit_depth_are_refused(potsdam_12bit, tmp_path):
    archives, _ = potsdam_12bit
    with pytest.raises(
            ConversionError,
            match=r'2_Ortho_RGB.zip:2_Ortho_RGB/top_potsdam_2_10_'
            r'RGB.tif: 16-bit image \(largest value 4095, 15 of '
            r'255 if scaled as 16-bit data, while it fits in 12 '
            r'bits\).*--bit-depth 12'):
        convert_potsdam(str(archives), str(tmp_path / 'out'), clip_size=20)
    assert not (tmp_path / 'out' / 'img_dir').exists()


def test_16bit_tiles_scaled_by_the_declared_bit_depth(potsdam_12bit, tmp_path):
    archives, tiles = potsdam_12bit
    out = tmp_path / 'out'
    convert_potsdam(
        str(archives), str(out), clip_size=20, bit_depth=12, percents=(100, ))
    patch = np.asarray(
        Image.open(out / 'img_dir' / 'train' / '2_10_0_0_20_20.png'))
    expected = np.floor(tiles['2_10']['pixels'].astype(float) * 255 / 4095 +
                        0.5)
    np.testing.assert_array_equal(patch, expected.astype(np.uint8))
    assert patch.max() == 255  # not the nearly black patches of 65535
    with pytest.raises(
            ConversionError,
            match=r'top_potsdam_2_10_RGB.tif: '
            r'holds the value 4095, above the 11-bit range'):
        convert_potsdam(
            str(archives), str(tmp_path / 'x'), clip_size=20, bit_depth=11)
    proc = run_tool('potsdam', archives, '-o', tmp_path / 'tool',
                    '--clip-size', 20, '--bit-depth', 12, '--fractions', 100)
    assert proc.returncode == 0, proc.stderr

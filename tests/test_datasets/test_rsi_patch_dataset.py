# Copyright (c) grass_mm contributors. All rights reserved.
"""RSIPatchDataset: windows of whole tiles, bands, 16 bits, bad files, and
the real two-view pipeline of the pretraining configs in a DataLoader."""
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.registry import DefaultScope
from mmengine.runner import Runner
from mmpretrain.registry import DATASETS
from PIL import Image

import grass_mm  # noqa: F401
from grass_mm.datasets import ImageReadError, RSIPatchDataset, tile_windows
from .factories import write_tiff

REPO_ROOT = Path(__file__).resolve().parents[2]
PRETRAIN_CONFIGS = [
    'potsdam_pretrain.py', 'loveda-urban_pretrain.py',
    'loveda-rural_pretrain.py'
]


def random_pixels(height, width, bands, seed=0, dtype=np.uint8):
    high = 256 if dtype == np.uint8 else 65536
    return np.random.default_rng(seed).integers(0, high,
                                                (height, width, bands), dtype)


@pytest.fixture
def tile_dir(tmp_path):
    """Two 4-band GeoTIFF tiles (R, G, B, IR) of different sizes."""
    tiles = {
        'a.tif': random_pixels(50, 45, 4, seed=1),
        'sub/b.tif': random_pixels(32, 70, 4, seed=2),
    }
    for name, pixels in tiles.items():
        write_tiff(tmp_path / 'pretrain' / name, pixels)
    return tmp_path, tiles


def test_windows_of_every_tile_with_stride_and_edges(tile_dir):
    root, tiles = tile_dir
    dataset = RSIPatchDataset(
        data_root=str(root), data_prefix='pretrain/', patch_size=16, stride=12)
    a = tile_windows(50, 45, 16, 12)  # rows 0 12 24 34, cols 0 12 24 29
    b = tile_windows(32, 70, 16, 12)  # rows 0 12 16, cols 0 12 24 36 48 54
    assert len(a) == 16 and len(b) == 18
    assert len(dataset) == len(a) + len(b) == 34
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    assert [i['window'] for i in infos] == a + b
    assert infos[0]['img_path'] == str(root / 'pretrain' / 'a.tif')
    assert (34, 29, 50, 45) in a and (16, 54, 32, 70) in b  # flush with edge
    # default bands (0, 1, 2) are R, G, B; the output is BGR like mmcv's
    for idx in (0, len(a) - 1, len(a) + len(b) - 1):
        info = infos[idx]
        y0, x0, y1, x1 = info['window']
        source = tiles['a.tif' if idx < len(a) else 'sub/b.tif']
        data = dataset.prepare_data(idx)
        np.testing.assert_array_equal(data['img'], source[y0:y1, x0:x1, 2::-1])
        assert data['img_shape'] == (16, 16)


def test_whole_images_without_patch_size(tile_dir):
    root, tiles = tile_dir
    dataset = RSIPatchDataset(data_root=str(root), data_prefix='pretrain/')
    assert len(dataset) == 2
    np.testing.assert_array_equal(
        dataset.prepare_data(1)['img'], tiles['sub/b.tif'][..., 2::-1])


def test_band_selection_and_rgb_order(tile_dir):
    root, tiles = tile_dir
    dataset = RSIPatchDataset(
        data_root=str(root),
        data_prefix='pretrain/',
        patch_size=16,
        bands=(3, 0, 1),
        channel_order='rgb',
        num_bands=4)
    y0, x0, y1, x1 = dataset.get_data_info(0)['window']
    np.testing.assert_array_equal(
        dataset.prepare_data(0)['img'], tiles['a.tif'][y0:y1,
                                                       x0:x1][..., [3, 0, 1]])
    with pytest.raises(
            ImageReadError,
            match=r"a.tif: has 4 band\(s\); "
            'expected num_bands=3'):
        RSIPatchDataset(
            data_root=str(root), data_prefix='pretrain/', num_bands=3)


def test_16bit_tiles_follow_the_documented_rule(tmp_path):
    pixels = (random_pixels(20, 20, 3, dtype=np.uint16) % 4096).astype(
        np.uint16)  # a 12-bit sensor stored in a 16-bit file
    pixels[0, 0] = (0, 2048, 4095)
    write_tiff(tmp_path / 'x.tif', pixels)
    dataset = RSIPatchDataset(
        data_prefix=str(tmp_path), bit_depth=12, channel_order='rgb')
    img = dataset.prepare_data(0)['img']
    assert img.dtype == np.uint8
    expected = np.floor(pixels.astype(float) * 255 / 4095 + 0.5)
    np.testing.assert_array_equal(img, expected.astype(np.uint8))
    assert img[0, 0].tolist() == [0, 128, 255]


def test_16bit_tiles_need_a_declared_bit_depth(tmp_path):
    pixels = (random_pixels(20, 20, 3, dtype=np.uint16) % 4096).astype(
        np.uint16)
    write_tiff(tmp_path / 'a.tif', random_pixels(20, 20, 3))  # 8-bit: fine
    write_tiff(tmp_path / 'x.tif', pixels)
    with pytest.raises(
            ImageReadError,
            match=f'{tmp_path / "x.tif"}: 16-bit '
            'image; .*bit_depth=12'):
        RSIPatchDataset(data_prefix=str(tmp_path))
    # the 8-bit tile passes unchanged with a bit depth set for the 16-bit one
    dataset = RSIPatchDataset(
        data_prefix=str(tmp_path), bit_depth=12, channel_order='rgb')
    np.testing.assert_array_equal(
        dataset.prepare_data(0)['img'], random_pixels(20, 20, 3))
    # data above the declared depth: an error naming the file and window
    dataset = RSIPatchDataset(
        data_prefix=str(tmp_path), bit_depth=11, patch_size=10)
    dataset.prepare_data(0)  # the 8-bit tile
    with pytest.raises(
            ImageReadError,
            match=r'x.tif: window \(0, 0, 10, '
            r'10\) holds the value \d+, above the 11-bit range '
            r'0..2047'):
        for index in range(4, 8):  # the windows of x.tif
            dataset.prepare_data(index)
    with pytest.raises(
            ValueError, match='bit_depth must be an integer in '
            '1..16, got 0'):
        RSIPatchDataset(data_prefix=str(tmp_path), bit_depth=0)


def test_folder_of_png_and_jpeg(tmp_path):
    Image.fromarray(random_pixels(24, 24, 3)).save(tmp_path / '1.png')
    Image.fromarray(random_pixels(24, 24, 3)).save(tmp_path / '2.JPG')
    (tmp_path / 'readme.txt').write_text('not an image, not listed')
    dataset = RSIPatchDataset(data_prefix=str(tmp_path), patch_size=24)
    assert [dataset.get_data_info(i)['img_path'][-5:]
            for i in (0, 1)] == ['1.png', '2.JPG']
    assert dataset.prepare_data(1)['img'].shape == (24, 24, 3)


@pytest.mark.parametrize('config', PRETRAIN_CONFIGS)
def test_pretrain_configs_through_a_real_dataloader(tile_dir, config):
    """The base config's dataset, two-view pipeline and collate function."""
    root, _ = tile_dir
    cfg = Config.fromfile(REPO_ROOT / 'configs' / '_base_' / 'datasets' /
                          config)
    loader_cfg = cfg.train_dataloader
    assert loader_cfg.dataset.type == 'RSIPatchDataset'
    assert cfg.data_root == f'data/{config[:-len("_pretrain.py")]}/'
    loader_cfg.update(batch_size=4, num_workers=0, persistent_workers=False)
    loader_cfg.dataset.update(data_root=str(root), patch_size=16, stride=12)
    view_pipeline = loader_cfg.dataset.pipeline[0].transforms[0]
    view_pipeline[0].scale = 8  # small views
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        loader = Runner.build_dataloader(loader_cfg, seed=0)
    assert isinstance(loader.dataset, RSIPatchDataset)
    assert len(loader.dataset) == 34 and len(loader) == 34 // 4  # drop_last
    batch = next(iter(loader))
    views = batch['inputs']
    assert len(views) == 2
    for view in views:
        assert view.shape == (4, 3, 8, 8) and view.dtype == torch.uint8
    assert not torch.equal(views[0], views[1])  # two augmentations
    assert len(batch['data_samples']) == 4
    assert batch['data_samples'][0].img_path.endswith('.tif')


def test_registered_in_mmpretrain():
    assert DATASETS.get('RSIPatchDataset') is RSIPatchDataset


# ---- bad inputs ------------------------------------------------------------


def test_missing_and_empty_folders(tmp_path):
    with pytest.raises(
            FileNotFoundError,
            match=f'image folder {tmp_path}/nope does not exist'):
        RSIPatchDataset(data_prefix=str(tmp_path / 'nope'))
    (tmp_path / 'empty' / 'sub').mkdir(parents=True)
    (tmp_path / 'empty' / 'notes.txt').write_text('')
    with pytest.raises(
            FileNotFoundError,
            match=rf'no image files \(.png, .jpg, .jpeg, .tif, '
            rf'.tiff\) under {tmp_path}/empty'):
        RSIPatchDataset(data_prefix=str(tmp_path / 'empty'))


def write_bad_files(folder: Path) -> dict:
    """One good tile and one file of each kind of problem; their messages."""
    folder.mkdir(parents=True, exist_ok=True)
    write_tiff(folder / 'good.tif', random_pixels(32, 32, 3))
    (folder / 'empty.png').touch()
    (folder / 'text.jpg').write_text('hello')
    (folder / 'dangling.tif').symlink_to(folder / 'elsewhere.tif')
    Image.fromarray(random_pixels(32, 32, 1)[..., 0]).save(folder / 'gray.png')
    write_tiff(folder / 'small.tif', random_pixels(8, 40, 3))
    write_tiff(folder / 'float.tif',
               random_pixels(32, 32, 3).astype(np.float32))
    return {
        'empty.png': 'the file is empty',
        'text.jpg': 'cannot be opened as an image',
        'dangling.tif': 'no such file',
        'gray.png': r'has 1 band\(s\); bands \(0, 1, 2\) need at least 3',
        'small.tif': 'is 8 x 40 pixels; expected at least patch_size=16',
        'float.tif': 'data type float32; expected one of uint8, uint16',
    }


def test_each_bad_file_stops_with_its_path_and_problem(tmp_path):
    problems = write_bad_files(tmp_path / 'all')
    for name, message in problems.items():
        folder = tmp_path / name.replace('.', '_')
        folder.mkdir()
        write_tiff(folder / 'good.tif', random_pixels(32, 32, 3))
        (folder / name).symlink_to(tmp_path / 'all' / name)
        with pytest.raises(
                ImageReadError, match=f'{folder / name}: {message}'):
            RSIPatchDataset(data_prefix=str(folder), patch_size=16)


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])


def test_truncated_tile_fails_at_its_window_by_default(tmp_path):
    write_tiff(
        tmp_path / 'cut.tif', random_pixels(64, 64, 3),
        blockysize=8)  # strips of 8 rows
    truncate(tmp_path / 'cut.tif')
    dataset = RSIPatchDataset(data_prefix=str(tmp_path), patch_size=16)
    assert len(dataset) == 16  # the header is intact
    dataset.prepare_data(0)  # and so are the first strips
    with pytest.raises(
            ImageReadError,
            match=rf'{tmp_path}/cut.tif: cannot decode window '
            r'\(48, 48, 64, 64\) .* corrupt or truncated'):
        dataset.prepare_data(15)


def test_skip_mode_leaves_out_bad_files_and_says_how_many(tmp_path, capsys):
    # a fresh current logger, writing to the stdout that capsys captures
    MMLogger.get_instance(f'skip_mode_{tmp_path.name}')
    folder = tmp_path / 'imgs'
    problems = write_bad_files(folder)
    write_tiff(folder / 'cut.tif', random_pixels(64, 64, 3))
    truncate(folder / 'cut.tif')  # caught by the full decode of skip mode
    dataset = RSIPatchDataset(
        data_prefix=str(folder), patch_size=16, skip_bad_files=True)
    assert dataset.num_skipped_files == len(problems) + 1 == 7
    assert len(dataset) == 4  # the four windows of good.tif only
    assert {dataset.get_data_info(i)['img_path']
            for i in range(4)} == {str(folder / 'good.tif')}
    log = capsys.readouterr()
    log = log.out + log.err
    assert f'skipped 7 of 8 image files under {folder}' in log
    for name in [*problems, 'cut.tif']:
        assert str(folder / name) in log

    (folder / 'good.tif').unlink()
    with pytest.raises(
            ImageReadError, match='none of the 7 image files .* is usable'):
        RSIPatchDataset(
            data_prefix=str(folder), patch_size=16, skip_bad_files=True)


def test_invalid_arguments():
    with pytest.raises(ValueError, match='`stride` needs a `patch_size`'):
        RSIPatchDataset(stride=4, lazy_init=True)
    with pytest.raises(ValueError, match='do not exist in images of'):
        RSIPatchDataset(bands=(0, 3), num_bands=3, lazy_init=True)
    with pytest.raises(ValueError, match='channel_order'):
        RSIPatchDataset(channel_order='BGR', lazy_init=True)

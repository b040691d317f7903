# Copyright (c) grass_mm contributors. All rights reserved.
"""Windowed reads, the 16-bit rule and the messages of bad files."""
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from grass_mm.datasets import (ImageReadError, read_raster, read_raster_info,
                               to_uint8)
from grass_mm.datasets.raster_io import bands_last
from .factories import write_tiff


def reference_to_uint8(x: np.ndarray, bit_depth: int) -> np.ndarray:
    """The documented rule, in floating point: round half up."""
    top = 2**bit_depth - 1
    return np.floor(x * 255.0 / top + 0.5).astype(np.uint8)


def test_to_uint8_analytic():
    x = np.array([0, 128, 257, 32896, 65535], np.uint16)
    assert to_uint8(x).tolist() == [0, 0, 1, 128, 255]
    x12 = np.array([0, 8, 2048, 4095], np.uint16)
    assert to_uint8(x12, bit_depth=12).tolist() == [0, 0, 128, 255]
    # 12-bit data scaled as 16-bit data: the nearly black patches of before
    assert to_uint8(x12).tolist() == [0, 0, 8, 16]


@pytest.mark.parametrize('bit_depth', [16, 14, 12, 11, 8, 1])
def test_to_uint8_matches_reference(bit_depth):
    top = 2**bit_depth - 1
    x = np.random.default_rng(bit_depth).integers(0, top + 1,
                                                  5000).astype(np.uint16)
    x[:2] = (0, top)
    out = to_uint8(x, bit_depth)
    np.testing.assert_array_equal(out, reference_to_uint8(x, bit_depth))
    assert (out.min(), out.max()) == (0, 255)  # the full 8-bit range


@pytest.mark.parametrize('bit_depth,value', [(12, 4096), (11, 4095), (8, 256),
                                             (15, 65535)])
def test_to_uint8_refuses_data_above_the_declared_depth(bit_depth, value):
    x = np.array([0, value, 3], np.uint16)
    with pytest.raises(
            ValueError,
            match=f'holds the value {value}, above '
            f'the {bit_depth}-bit range 0..{2**bit_depth - 1}'):
        to_uint8(x, bit_depth)


def test_to_uint8_passes_uint8_and_refuses_others():
    x = np.arange(256, dtype=np.uint8)
    assert to_uint8(x) is x
    assert to_uint8(x, bit_depth=12) is x  # the depth is about 16-bit data
    with pytest.raises(TypeError, match='uint8 or uint16'):
        to_uint8(np.zeros(3, np.float32))
    for bad in (0, 17, 12.0, True):
        with pytest.raises(
                ValueError, match='bit_depth must be an integer '
                'in 1..16'):
            to_uint8(np.zeros(3, np.uint16), bad)


@pytest.mark.parametrize('suffix', ['.tif', '.png'])
def test_window_equals_slice_of_the_whole_image(tmp_path, suffix):
    pixels = np.random.default_rng(0).integers(0, 256, (37, 53, 4), np.uint8)
    path = tmp_path / f'img{suffix}'
    if suffix == '.tif':
        write_tiff(path, pixels)
    else:
        Image.fromarray(pixels, 'RGBA').save(path)
    info = read_raster_info(str(path))
    assert info == (37, 53, 4, 'uint8')
    np.testing.assert_array_equal(read_raster(str(path)), pixels)
    np.testing.assert_array_equal(
        read_raster(str(path), (5, 7, 21, 40), bands=(3, 0)),
        pixels[5:21, 7:40][..., [3, 0]])


def test_16bit_png_and_tiff_keep_their_values(tmp_path):
    pixels = np.random.default_rng(1).integers(0, 65536, (9, 11, 3), np.uint16)
    write_tiff(tmp_path / 'a.tif', pixels)
    np.testing.assert_array_equal(read_raster(str(tmp_path / 'a.tif')), pixels)
    gray = pixels[..., 0]
    Image.fromarray(gray).save(tmp_path / 'g.png')
    assert read_raster_info(str(tmp_path / 'g.png')).dtype == 'uint16'
    np.testing.assert_array_equal(
        read_raster(str(tmp_path / 'g.png'))[..., 0], gray)


def truncated_copy(src, dst):
    data = src.read_bytes()
    dst.write_bytes(data[:len(data) // 2])
    return str(dst)


def test_bad_files_name_the_path_and_the_problem(tmp_path):
    pixels = np.random.default_rng(2).integers(0, 256, (64, 64, 3), np.uint8)
    empty = tmp_path / 'empty.png'
    empty.touch()
    with pytest.raises(ImageReadError, match=f'{empty}: the file is empty'):
        read_raster_info(str(empty))

    text = tmp_path / 'notes.tif'
    text.write_text('not an image')
    with pytest.raises(
            ImageReadError, match=f'{text}: cannot be opened as an image'):
        read_raster_info(str(text))

    dangling = tmp_path / 'gone.png'
    dangling.symlink_to(tmp_path / 'missing.png')
    with pytest.raises(ImageReadError, match=f'{dangling}: no such file'):
        read_raster(str(dangling))

    good_tif = write_tiff(tmp_path / 'good.tif', pixels)
    bad_tif = truncated_copy(good_tif, tmp_path / 'cut.tif')
    read_raster_info(bad_tif)  # the header survives ...
    with pytest.raises(
            ImageReadError, match=f'{bad_tif}: cannot decode .* truncated'):
        read_raster(bad_tif)  # ... the pixels do not

    for suffix in ('.png', '.jpg'):
        good = tmp_path / f'good{suffix}'
        Image.fromarray(pixels).save(good)
        bad = truncated_copy(good, tmp_path / f'cut{suffix}')
        with pytest.raises(ImageReadError, match=f'{bad}: cannot'):
            read_raster(bad)

    with pytest.raises(
            ImageReadError, match=r'has 3 band\(s\); bands '
            r'\[0, 3\]'):
        read_raster(str(good_tif), bands=(0, 3))
    with pytest.raises(ImageReadError, match='does not lie inside'):
        read_raster(str(good_tif), (0, 0, 65, 10))


def test_png_band_layouts(tmp_path):
    """16-bit RGB (OpenCV path), palette and bilevel PNGs as stored."""
    rgb16 = np.random.default_rng(3).integers(0, 65536, (6, 7, 3), np.uint16)
    cv2.imwrite(str(tmp_path / 'rgb16.png'), rgb16[..., ::-1])  # BGR on disk
    assert read_raster_info(str(tmp_path / 'rgb16.png')) == (6, 7, 3, 'uint16')
    np.testing.assert_array_equal(
        read_raster(str(tmp_path / 'rgb16.png')), rgb16)
    data = (tmp_path / 'rgb16.png').read_bytes()
    (tmp_path / 'cut16.png').write_bytes(data[:len(data) // 2])
    with pytest.raises(ImageReadError, match='cut16.png: cannot decode'):
        read_raster(str(tmp_path / 'cut16.png'))

    indices = np.arange(42, dtype=np.uint8).reshape(6, 7) % 4
    palette = Image.fromarray(indices, 'P')
    palette.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0, 0, 0, 255])
    palette.save(tmp_path / 'p.png')
    np.testing.assert_array_equal(
        read_raster(str(tmp_path / 'p.png'))[..., 0],
        indices)  # the indices, one band
    Image.fromarray(indices > 1).save(tmp_path / 'bits.png')
    np.testing.assert_array_equal(
        read_raster(str(tmp_path / 'bits.png'))[..., 0], indices > 1)


def test_jpeg_pixels_are_opencvs_and_a_truncated_one_fails(tmp_path):
    """The demo's JPEGs decode exactly as OpenCV (mmcv's loaders) decodes
    them; cut in half, OpenCV pads grey rows, the checked reader refuses."""
    demo = (
        Path(__file__).resolve().parents[2] / 'demo' / 'dubai_aerial' /
        'Tile 1' / 'images' / 'image_part_001.jpg')
    np.testing.assert_array_equal(
        read_raster(str(demo)),
        cv2.imread(str(demo))[..., ::-1])
    cut = truncated_copy(demo, tmp_path / 'cut.jpg')
    assert cv2.imread(cut) is not None  # OpenCV accepts it
    with pytest.raises(
            ImageReadError, match=f'{cut}: cannot decode the '
            'image .*truncated'):
        read_raster(cut)


@pytest.mark.parametrize('dtype', ['uint8', 'uint16', 'int32', 'float32'])
@pytest.mark.parametrize('count', [1, 3, 4, 129])
def test_bands_last_interleaves_every_band_in_order(dtype, count):
    """OpenCV's interleaving where it applies, NumPy's elsewhere (int32,
    more than 128 bands): the same array either way."""
    pixels = np.random.default_rng(count).integers(0, 100, (count, 5, 7))
    pixels = pixels.astype(dtype)
    for bands_first in (pixels, pixels[::-1]):  # contiguous, and a view
        result = bands_last(bands_first)
        assert result.shape == (5, 7, count) and result.dtype == dtype
        assert result.flags.c_contiguous
        for band in range(count):
            assert np.array_equal(result[:, :, band], bands_first[band])

# Copyright (c) grass_mm contributors. All rights reserved.
"""Read remote-sensing images (PNG, JPEG, TIFF/GeoTIFF) safely and in windows.

Headers and TIFF pixels are read through GDAL (``rasterio``): a window of a
TIFF decodes only the strips or tiles it overlaps, so a patch of a 6000 x
6000 orthophoto costs about as much as the patch itself. PNG and JPEG pixels
are decoded whole by Pillow (OpenCV for 16-bit multi-band PNGs, which Pillow
cuts to 8 bits): GDAL's PNG driver returns a truncated PNG padded with zeros
instead of failing, OpenCV pads a truncated JPEG with grey rows, and
Pillow's JPEG pixels are exactly OpenCV's (and so mmcv's loaders') where
GDAL's JPEG decoder differs by a few levels. Every failure is raised as
:class:`ImageReadError` naming the file and what was expected, never as a
silent ``None``, a zero-filled or a grey image.

Used by the pretraining dataset and the converters of
`GraSS <https://arxiv.org/abs/2306.15868>`_.
"""
import os
import warnings
from typing import NamedTuple, Optional, Sequence, Tuple

import cv2
import numpy as np
import rasterio
from PIL import Image
from rasterio.errors import NotGeoreferencedWarning, RasterioError
from rasterio.windows import Window as RasterioWindow

IMAGE_SUFFIXES = ('.png', '.jpg', '.jpeg', '.tif', '.tiff')
SUPPORTED_DTYPES = ('uint8', 'uint16')
# Do not list the image's folder looking for side-car files on every open:
# converted folders hold tens of thousands of patches.
_GDAL_OPTIONS = dict(GDAL_DISABLE_READDIR_ON_OPEN='EMPTY_DIR')
# The data types whose bands cv2.merge interleaves.
_CV2_DTYPES = tuple(
    np.dtype(t)
    for t in ('uint8', 'int8', 'uint16', 'int16', 'float32', 'float64'))
_CV2_MAX_BANDS = 128  # OpenCV 5's CV_CN_MAX (4.x: 512)


class ImageReadError(ValueError):
    """An image that cannot be used, with its path and what was expected."""


class RasterInfo(NamedTuple):
    """Header of an image: size, number of bands and data type."""
    height: int
    width: int
    bands: int
    dtype: str


def _open(path: str):
    """Open ``path`` with GDAL, turning every failure into ImageReadError."""
    if not os.path.isfile(path):
        raise ImageReadError(f'{path}: no such file')
    if os.path.getsize(path) == 0:
        raise ImageReadError(f'{path}: the file is empty (0 bytes); expected '
                             'a PNG, JPEG or TIFF image')
    try:
        with rasterio.Env(**_GDAL_OPTIONS), warnings.catch_warnings():
            # Plain (not geo-referenced) TIFF and PNG files are fine here.
            warnings.simplefilter('ignore', NotGeoreferencedWarning)
            return rasterio.open(path)
    except (RasterioError, OSError) as error:
        raise ImageReadError(f'{path}: cannot be opened as an image '
                             f'({error}); expected a readable PNG, JPEG or '
                             'TIFF file') from error


def read_raster_info(path: str) -> RasterInfo:
    """Read the header of an image without decoding its pixels.

    Args:
        path (str): Image file.

    Returns:
        RasterInfo: Height, width, number of bands and data type.

    Raises:
        ImageReadError: If the file is missing, empty or not an image, or if
            its bands do not share one data type.
    """
    with _open(path) as dataset:
        dtypes = set(dataset.dtypes)
        if len(dtypes) != 1:
            raise ImageReadError(f'{path}: bands of mixed data types '
                                 f'{sorted(dtypes)}; expected one type')
        return RasterInfo(dataset.height, dataset.width, dataset.count,
                          dtypes.pop())


def read_raster(path: str,
                window: Optional[Tuple[int, int, int, int]] = None,
                bands: Optional[Sequence[int]] = None) -> np.ndarray:
    """Decode an image, or one window of it, as a ``(H, W, C)`` array.

    Args:
        path (str): Image file.
        window (tuple[int, int, int, int], optional): ``(y0, x0, y1, x1)``,
            half-open, inside the image. Defaults to None (the whole image).
        bands (Sequence[int], optional): 0-based band indices in the order
            wanted. Defaults to None (all bands, in file order).

    Returns:
        np.ndarray: The pixels in the file's data type, bands last.

    Raises:
        ImageReadError: If the file cannot be decoded (corrupt or truncated),
            a band index is out of range or the window leaves the image.
    """
    with _open(path) as dataset:
        if bands is None:
            bands = range(dataset.count)
        bands = [int(b) for b in bands]
        if not bands or min(bands) < 0 or max(bands) >= dataset.count:
            raise ImageReadError(
                f'{path}: has {dataset.count} band(s); bands {bands} were '
                f'asked for (0-based, so at most {dataset.count - 1})')
        y0, x0, y1, x1 = 0, 0, dataset.height, dataset.width
        if window is not None:
            y0, x0, y1, x1 = (int(v) for v in window)
            if not (0 <= y0 < y1 <= dataset.height
                    and 0 <= x0 < x1 <= dataset.width):
                raise ImageReadError(
                    f'{path}: window (y0, x0, y1, x1)={tuple(window)} does '
                    f'not lie inside the {dataset.height} x {dataset.width} '
                    'image')
        if dataset.driver in ('PNG', 'JPEG'):
            shape = (dataset.height, dataset.width, dataset.count)
            pixels = _decode_whole(path, shape, dataset.dtypes[0])
            return np.ascontiguousarray(pixels[y0:y1, x0:x1][..., bands])
        try:
            with rasterio.Env(**_GDAL_OPTIONS):
                pixels = dataset.read([b + 1 for b in bands],
                                      window=RasterioWindow(
                                          x0, y0, x1 - x0, y1 - y0))
        except (RasterioError, OSError) as error:
            where = 'the image' if window is None else f'window {window}'
            raise ImageReadError(f'{path}: cannot decode {where} ({error}); '
                                 'the file is corrupt or truncated') from error
    return bands_last(pixels)


def bands_last(pixels: np.ndarray) -> np.ndarray:
    """A ``(C, H, W)`` array as a contiguous ``(H, W, C)`` copy.

    OpenCV interleaves the bands (for the data types and band counts it
    supports) about fifty times as fast as NumPy's strided copy, which was a
    third of a windowed read of a 512 x 512 RGB patch.

    Args:
        pixels (np.ndarray): Bands first.

    Returns:
        np.ndarray: The same values, bands last.
    """
    count = pixels.shape[0]
    if count == 1:
        return np.ascontiguousarray(pixels.reshape(*pixels.shape[1:], 1))
    if pixels.dtype in _CV2_DTYPES and count <= _CV2_MAX_BANDS:
        return cv2.merge(list(pixels))
    return np.ascontiguousarray(pixels.transpose(1, 2, 0))


def _decode_whole(path: str, shape: Tuple[int, int, int],
                  dtype: str) -> np.ndarray:
    """Decode a whole PNG or JPEG strictly, as ``(H, W, C)`` in file band
    order; a truncated file fails (Pillow's default)."""
    if dtype == 'uint16' and shape[2] in (3, 4):
        pixels = cv2.imread(path, cv2.IMREAD_UNCHANGED)
        if pixels is None:
            raise ImageReadError(f'{path}: cannot decode the image; the file '
                                 'is corrupt or truncated')
        pixels = pixels[..., [2, 1, 0, 3][:shape[2]]]  # BGR(A) to RGB(A)
    else:
        try:
            with Image.open(path) as image:
                image.load()
                pixels = np.asarray(image)
        except (OSError, SyntaxError, ValueError) as error:
            raise ImageReadError(f'{path}: cannot decode the image ({error}); '
                                 'the file is corrupt or truncated') from error
    if pixels.ndim == 2:
        pixels = pixels[..., None]
    pixels = pixels.astype(dtype, copy=False)  # bilevel, big-endian 16 bit
    if pixels.shape != shape:
        raise ImageReadError(f'{path}: decodes to shape {pixels.shape}; its '
                             f'header says {shape}')
    return pixels


def to_uint8(pixels: np.ndarray, bit_depth: int = 16) -> np.ndarray:
    """Bring 8- or 16-bit pixels to 8 bits.

    16-bit files often hold data of fewer bits (11- or 12-bit sensors).
    The rule is linear and per pixel, so every window of a tile is scaled
    alike (no per-image or per-window stretch)::

        out = round(x * 255 / (2 ** bit_depth - 1))

    ``bit_depth=16`` maps the full 16-bit range, ``12`` suits 12-bit data
    stored in 16-bit files. A value above ``2 ** bit_depth - 1`` means the
    declared depth is wrong, and is an error rather than clipped. uint8
    input is returned unchanged whatever ``bit_depth`` says.

    Args:
        pixels (np.ndarray): uint8 or uint16 array.
        bit_depth (int): Bits of the data in 16-bit input, 1 to 16.
            Defaults to 16.

    Returns:
        np.ndarray: uint8 array of the same shape.

    Raises:
        TypeError: For other data types.
        ValueError: For a bit depth outside 1..16, or 16-bit data above
            ``2 ** bit_depth - 1``.
    """
    check_bit_depth(bit_depth)
    if pixels.dtype == np.uint8:
        return pixels
    if pixels.dtype != np.uint16:
        raise TypeError(f'expected uint8 or uint16 pixels, got {pixels.dtype}')
    top = (1 << bit_depth) - 1
    highest = int(pixels.max()) if pixels.size else 0
    if highest > top:
        raise ValueError(f'holds the value {highest}, above the {bit_depth}-'
                         f'bit range 0..{top}; declare the bit depth of the '
                         'data (up to 16)')
    wide = pixels.astype(np.uint32)
    return ((wide * 255 + top // 2) // top).astype(np.uint8)


def check_bit_depth(bit_depth: int) -> None:
    """Refuse a bit depth that is not an integer in 1..16."""
    if (not isinstance(bit_depth, int) or isinstance(bit_depth, bool)
            or not 1 <= bit_depth <= 16):
        raise ValueError(f'bit_depth must be an integer in 1..16, got '
                         f'{bit_depth!r}')


def undeclared_depth_message(path: str, highest: Optional[int] = None) -> str:
    """Why a 16-bit image needs a declared bit depth, naming the file.

    Args:
        path (str): The image.
        highest (int, optional): Its largest value, if known. Defaults to
            None.

    Returns:
        str: The message, ending with what to set.
    """
    seen = ''
    if highest is not None:
        seen = (f' (largest value {highest}, {highest * 255 // 65535} of 255 '
                f'if scaled as 16-bit data, while it fits in '
                f'{max(highest, 1).bit_length()} bits)')
    return (f'{path}: 16-bit image{seen}; the file does not say how many '
            'bits its data uses, and guessing wrong gives nearly black or '
            'clipped patches. Declare it: bit_depth=12 (--bit-depth 12) for '
            '12-bit data stored in 16-bit files, 16 for the full range')

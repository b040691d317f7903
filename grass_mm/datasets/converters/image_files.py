# Copyright (c) grass_mm contributors. All rights reserved.
"""Write the image files of a converted dataset.

Used by the `GraSS <https://arxiv.org/abs/2306.15868>`_ converters; a file
that cannot be written is a :class:`ConversionError` naming it.
"""
import cv2
import numpy as np
import rasterio

from .archive import ConversionError

# Block side of the tiled GeoTIFFs written for windowed pretraining reads.
PRETRAIN_BLOCK = 256


def write_image(path: str, pixels: np.ndarray) -> None:
    """Write an image (BGR or single band) with OpenCV, e.g. a PNG patch."""
    if not cv2.imwrite(path, pixels):
        raise ConversionError(f'{path}: cannot be written')


def write_tiled_geotiff(path: str, pixels: np.ndarray, source: str) -> None:
    """Write a whole tile as a tiled GeoTIFF with the source's georeference.

    Args:
        path (str): The GeoTIFF to write.
        pixels (np.ndarray): The tile, shape (H, W, bands).
        source (str): The raster whose profile (CRS, transform) is kept.
    """
    with rasterio.open(source) as src:
        profile = src.profile
    height, width = pixels.shape[:2]
    profile.update(
        driver='GTiff',
        height=height,
        width=width,
        count=pixels.shape[2],
        dtype=pixels.dtype.name,
        tiled=True,
        blockxsize=PRETRAIN_BLOCK,
        blockysize=PRETRAIN_BLOCK)
    with rasterio.open(path, 'w', **profile) as dst:
        dst.write(pixels.transpose(2, 0, 1))

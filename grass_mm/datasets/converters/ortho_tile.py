# Copyright (c) grass_mm contributors. All rights reserved.
"""One orthophoto tile of a conversion: checked, cut into patches, kept.

The work of :func:`~.orthophotos.convert_orthophotos` for one tile, in a
form a worker process can run (see :mod:`.parallel`).
"""
import os
import os.path as osp
import shutil
from dataclasses import dataclass
from typing import Optional, Tuple

import numpy as np

from ..raster_io import (SUPPORTED_DTYPES, ImageReadError, read_raster,
                         read_raster_info, to_uint8, undeclared_depth_message)
from ..tiling import tile_windows
from .archive import ConversionError, extract_member, open_zip
from .colour_labels import colour_to_ids
from .image_files import write_image, write_tiled_geotiff
from .ortho_spec import OrthoDatasetSpec


@dataclass(frozen=True)
class TileJob:
    """One tile to convert, self-contained so a worker process can run it."""
    spec: OrthoDatasetSpec
    tile_id: str
    split: str
    image_zip: str
    image_member: str
    label_zip: str
    label_member: str
    staging: str
    clip_size: int
    stride: int
    eroded: bool
    bit_depth: Optional[int]


def _read_tile_pair(job: TileJob, image_path: str,
                    label_path: str) -> Tuple[np.ndarray, np.ndarray]:
    """Check an extracted tile and its label against each other; read both.

    Messages name the archive members, not the temporary files.
    """
    spec = job.spec
    where_image = f'{osp.basename(job.image_zip)}:{job.image_member}'
    where_label = f'{osp.basename(job.label_zip)}:{job.label_member}'
    try:
        image_info = read_raster_info(image_path)
        label_info = read_raster_info(label_path)
        if image_info.bands != spec.image_bands:
            raise ConversionError(f'{where_image}: has {image_info.bands} '
                                  f'band(s); expected {spec.image_bands}')
        if image_info.dtype not in SUPPORTED_DTYPES:
            raise ConversionError(
                f'{where_image}: data type {image_info.dtype}; expected '
                f'{" or ".join(SUPPORTED_DTYPES)}')
        if min(image_info.height, image_info.width) < job.clip_size:
            raise ConversionError(
                f'{where_image}: is {image_info.height} x {image_info.width} '
                f'pixels, smaller than the clip size {job.clip_size}')
        if label_info.bands != 3 or label_info.dtype != 'uint8':
            raise ConversionError(
                f'{where_label}: has {label_info.bands} band(s) of '
                f'{label_info.dtype}; expected a 3-band uint8 colour label')
        if image_info[:2] != label_info[:2]:
            raise ConversionError(
                f'{where_label}: is {label_info.height} x {label_info.width} '
                f'pixels; expected the size of {where_image}, '
                f'{image_info.height} x {image_info.width}')
        image = read_raster(image_path)
        if image.dtype == np.uint16 and job.bit_depth is None:
            raise ConversionError(
                undeclared_depth_message(where_image, int(image.max())))
        return image, read_raster(label_path)
    except ImageReadError as error:
        message = str(error).replace(image_path, where_image)
        raise ConversionError(message.replace(label_path,
                                              where_label)) from None


def convert_tile(job: TileJob) -> Tuple[str, str, int, int]:
    """Cut one tile and its label into patches; keep it for pretraining.

    Args:
        job (TileJob): The tile, its archives and the conversion settings.

    Returns:
        tuple: ``(tile_id, split, number of patches, unknown label pixels)``.
    """
    tmp = osp.join(job.staging, '.tmp', job.tile_id)
    os.makedirs(tmp, exist_ok=True)
    try:
        # Vaihingen's image and label members share their base name
        with open_zip(job.image_zip) as zf:
            image_path = extract_member(zf, job.image_member,
                                        osp.join(tmp, 'image.tif'))
        with open_zip(job.label_zip) as zf:
            label_path = extract_member(zf, job.label_member,
                                        osp.join(tmp, 'label.tif'))
        image, label_rgb = _read_tile_pair(job, image_path, label_path)
        ids, unknown = colour_to_ids(label_rgb, job.spec.palette)
        if job.eroded:  # the black boundary is meant to be ignored
            unknown -= int(np.count_nonzero(~label_rgb.any(axis=2)))
        del label_rgb
        try:
            # first three bands, reversed for OpenCV
            bgr = to_uint8(image, job.bit_depth or 16)[..., 2::-1]
        except ValueError as error:  # data above the declared bit depth
            raise ConversionError(f'{osp.basename(job.image_zip)}:'
                                  f'{job.image_member}: {error}') from None
        if job.split == 'train':
            write_tiled_geotiff(
                osp.join(job.staging, 'pretrain',
                         osp.basename(job.image_member)), image, image_path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    windows = tile_windows(image.shape[0], image.shape[1], job.clip_size,
                           job.stride)
    for y0, x0, y1, x1 in windows:
        name = f'{job.tile_id}_{x0}_{y0}_{x1}_{y1}.png'
        write_image(
            osp.join(job.staging, 'img_dir', job.split, name),
            np.ascontiguousarray(bgr[y0:y1, x0:x1]))
        write_image(
            osp.join(job.staging, 'ann_dir', job.split, name),
            np.ascontiguousarray(ids[y0:y1, x0:x1]))
    return job.tile_id, job.split, len(windows), unknown

# Copyright (c) grass_mm contributors. All rights reserved.
"""Convert the embedded Dubai aerial imagery for the GraSS demo.

The source folder (``demo/dubai_aerial/``) holds ``Tile 1`` ... ``Tile 8``,
each with ``images/image_part_NNN.jpg`` and ``masks/image_part_NNN.png``
(RGB colour masks; some are palette PNGs). The conversion, used by the
`GraSS <https://arxiv.org/abs/2306.15868>`_ demo, writes

- ``img_dir/{train,val}/`` and ``ann_dir/{train,val}/``: square patches of
  the images and their id maps (colours of
  :class:`~grass_mm.datasets.DubaiAerialDataset` to ids 1-5, others to 0);
- ``pretrain/``: the whole training images, for ``RSIPatchDataset``;
- ``splits/train_{p}pct.txt``: nested label fractions.

The last ``val_parts`` image parts of every tile form the validation split,
so both splits cover all eight tiles and never share an image.
"""
import os
import os.path as osp
import re
from typing import Dict, List, Sequence, Tuple

import numpy as np
from mmengine.utils import track_progress
from PIL import Image

from ..dubai_aerial import DubaiAerialDataset
from ..raster_io import ImageReadError, read_raster, read_raster_info
from ..tiling import tile_windows
from .archive import ConversionError
from .colour_labels import colour_to_ids
from .image_files import write_image
from .label_fractions import DEFAULT_PERCENTS, write_fraction_splits
from .options import check_options
from .staged_output import StagedOutput

NUM_TILES = 8
PARTS_PER_TILE = 9
PARTS = ('img_dir', 'ann_dir', 'pretrain', 'splits')
_IMAGE_NAME = re.compile(r'image_part_(\d{3})\.jpg$')

Pair = Tuple[str, str, str]  # (sample name, image path, mask path)


def list_pairs(src_dir: str) -> List[Pair]:
    """Find every image and its mask, checking the expected layout.

    Args:
        src_dir (str): Folder holding ``Tile 1`` ... ``Tile 8``.

    Returns:
        list[tuple[str, str, str]]: ``(name, image, mask)`` with names like
        ``tile1_part001``, sorted.

    Raises:
        ConversionError: A missing tile, image or mask, or an unexpected
            number of images.
    """
    pairs = []
    for tile in range(1, NUM_TILES + 1):
        image_dir = osp.join(src_dir, f'Tile {tile}', 'images')
        if not osp.isdir(image_dir):
            raise ConversionError(f'{image_dir}: folder not found; expected '
                                  f'Tile 1 ... Tile {NUM_TILES} in {src_dir}')
        parts = sorted(
            m.group(1) for m in map(_IMAGE_NAME.match, os.listdir(image_dir))
            if m)
        if len(parts) != PARTS_PER_TILE:
            raise ConversionError(
                f'{image_dir}: expected {PARTS_PER_TILE} image_part_NNN.jpg '
                f'files, found {len(parts)}')
        for part in parts:
            mask = osp.join(src_dir, f'Tile {tile}', 'masks',
                            f'image_part_{part}.png')
            if not osp.isfile(mask):
                raise ConversionError(f'{mask}: mask not found')
            pairs.append((f'tile{tile}_part{part}',
                          osp.join(image_dir, f'image_part_{part}.jpg'), mask))
    return pairs


def read_pair(image_path: str,
              mask_path: str) -> Tuple[np.ndarray, np.ndarray]:
    """Read an image (BGR) and its id map, checking that they match.

    The image goes through the project's checked reader
    (:func:`~grass_mm.datasets.read_raster`), so a truncated or corrupt
    JPEG is an error naming it, not an image padded with grey rows.

    Returns:
        tuple[np.ndarray, np.ndarray]: uint8 image (H, W, 3) in BGR order and
        uint8 ids (H, W).

    Raises:
        ConversionError: A file that cannot be decoded, an image that is not
            3-band 8-bit, or a mask of another size.
    """
    try:
        info = read_raster_info(image_path)
        if info.bands != 3 or info.dtype != 'uint8':
            raise ConversionError(f'{image_path}: has {info.bands} band(s) of '
                                  f'{info.dtype}; expected a 3-band uint8 '
                                  'image')
        image = np.ascontiguousarray(read_raster(image_path)[..., ::-1])
    except ImageReadError as error:
        raise ConversionError(str(error)) from None
    try:
        with Image.open(mask_path) as mask:
            mask.load()  # decodes all of it: a truncated PNG fails here
            colours = np.asarray(mask.convert('RGB'))
    except (OSError, SyntaxError, ValueError) as error:
        raise ConversionError(f'{mask_path}: cannot be read ({error}); the '
                              'file is corrupt or truncated') from None
    if colours.shape[:2] != image.shape[:2]:
        raise ConversionError(
            f'{mask_path}: mask of {colours.shape[1]}x{colours.shape[0]} '
            f'pixels for an image of {image.shape[1]}x{image.shape[0]} '
            f'({image_path})')
    ids, _ = colour_to_ids(colours, DubaiAerialDataset.METAINFO['palette'])
    return image, ids


def convert_dubai_aerial(src_dir: str,
                         out_dir: str,
                         clip_size: int = 256,
                         stride: int = 256,
                         val_parts: int = 2,
                         percents: Sequence[float] = DEFAULT_PERCENTS,
                         seed: int = 0,
                         force: bool = False) -> Dict[str, int]:
    """Convert the Dubai aerial images into patches, pretraining images and
    label fractions.

    Args:
        src_dir (str): Folder holding ``Tile 1`` ... ``Tile 8``.
        out_dir (str): Dataset folder to write.
        clip_size (int): Side of the patches. Defaults to 256.
        stride (int): Step between patches; the last row and column are
            flush with the image edge. Defaults to 256.
        val_parts (int): Image parts per tile, counted from the last, that
            form the validation split. Defaults to 2.
        percents (Sequence[float]): Label fractions to write split files
            for. Defaults to (1, 5, 10, 20, 50, 100).
        seed (int): Seed of the label fractions. Defaults to 0.
        force (bool): Convert even if ``out_dir`` is up to date. Defaults
            to False.

    Returns:
        dict[str, int]: Patches per split (empty if already up to date).
    """
    check_options(clip_size=clip_size, stride=stride)
    if not 0 < val_parts < PARTS_PER_TILE:
        raise ConversionError(
            f'val_parts must lie in 1..{PARTS_PER_TILE - 1}, got {val_parts}')
    pairs = list_pairs(src_dir)
    val_first = PARTS_PER_TILE - val_parts + 1
    split_of = {
        name: 'val' if int(name[-3:]) >= val_first else 'train'
        for name, _, _ in pairs
    }
    output = StagedOutput(
        out_dir, PARTS,
        dict(
            dataset='dubai_aerial',
            clip_size=clip_size,
            stride=stride,
            val_parts=val_parts,
            percents=list(percents),
            seed=seed,
            format=1))
    if output.is_current() and not force:
        print(f'{out_dir} is up to date; nothing to do')
        return {}

    os.makedirs(out_dir, exist_ok=True)
    counts = dict(train=0, val=0)
    with output as staging:
        for part in ('img_dir', 'ann_dir'):
            for split in counts:
                os.makedirs(osp.join(staging, part, split))
        os.makedirs(osp.join(staging, 'pretrain'))

        def convert_one(pair: Pair) -> None:
            name, image_path, mask_path = pair
            image, ids = read_pair(image_path, mask_path)
            split = split_of[name]
            if split == 'train':
                write_image(
                    osp.join(staging, 'pretrain', f'{name}.png'), image)
            height, width = ids.shape
            size = min(clip_size, height, width)
            for y0, x0, y1, x1 in tile_windows(height, width, size, stride):
                patch = f'{name}_{y0}_{x0}.png'
                write_image(
                    osp.join(staging, 'img_dir', split, patch), image[y0:y1,
                                                                      x0:x1])
                write_image(
                    osp.join(staging, 'ann_dir', split, patch), ids[y0:y1,
                                                                    x0:x1])
                counts[split] += 1

        print(f'Converting {len(pairs)} Dubai aerial images from {src_dir} '
              f'into {out_dir}')
        track_progress(convert_one, pairs)
        train = sorted(
            osp.splitext(n)[0]
            for n in os.listdir(osp.join(staging, 'img_dir', 'train')))
        write_fraction_splits(train, osp.join(staging, 'splits'), percents,
                              seed)
    print(f'Wrote {counts["train"]} training and {counts["val"]} validation '
          f'patches to {out_dir}')
    return counts

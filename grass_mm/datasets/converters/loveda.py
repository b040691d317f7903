# Copyright (c) grass_mm contributors. All rights reserved.
"""LoveDA: one domain (Urban or Rural) from the official archives.

LoveDA ships ``Train.zip`` and ``Val.zip`` holding
``Train/Urban/images_png/1366.png``, ``Train/Urban/masks_png/1366.png``,
``Train/Rural/...`` and ``Val/...`` alike (``Test.zip`` has no masks and is
not needed). `GraSS <https://arxiv.org/abs/2306.15868>`_ treats Urban and
Rural as two datasets, so a conversion takes one domain and writes, under
``out_dir`` (e.g. ``data/loveda-urban``):

- ``img_dir/{train,val}/*.png`` and ``ann_dir/{train,val}/*.png``: the
  images and masks as shipped (masks hold 0 for no-data and 1-7 for the
  classes of mmseg's ``LoveDADataset.METAINFO``), each decoded once to
  check it;
- ``pretrain/``: the training images, hard links to ``img_dir/train`` where
  the file system allows, copies otherwise;
- ``splits/train_{p}pct.txt``: nested label-fraction subsets.
"""
import os
import os.path as osp
import re
import shutil
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from mmseg.datasets import LoveDADataset

from ..raster_io import ImageReadError, read_raster, read_raster_info
from .archive import (ConversionError, extract_member, list_members, open_zip,
                      require_archives)
from .label_fractions import DEFAULT_PERCENTS, write_fraction_splits
from .options import check_options
from .parallel import run_jobs
from .staged_output import StagedOutput

LOVEDA_ARCHIVES = dict(train=('Train.zip', 'Train'), val=('Val.zip', 'Val'))
LOVEDA_DOMAINS = dict(urban='Urban', rural='Rural')
# Images per split and domain in the official release.
LOVEDA_COUNTS = {
    ('train', 'urban'): 1156,
    ('train', 'rural'): 1366,
    ('val', 'urban'): 677,
    ('val', 'rural'): 992,
}
PARTS = ('img_dir', 'ann_dir', 'pretrain', 'splits')
CHUNK = 32


def list_domain_members(archive: str, names: Sequence[str], top: str,
                        domain: str) -> Dict[str, Tuple[str, str]]:
    """Pair the image and mask members of one domain in one archive.

    Args:
        archive (str): Archive path, for messages.
        names (Sequence[str]): Its member names.
        top (str): Top folder, ``'Train'`` or ``'Val'``.
        domain (str): ``'Urban'`` or ``'Rural'``.

    Returns:
        dict[str, tuple[str, str]]: ``(image member, mask member)`` by file
        name.

    Raises:
        ConversionError: On members other than ``*.png`` in ``images_png``
            and ``masks_png``, on an image without a mask or a mask without
            an image, or if the domain holds no image.
    """
    prefix = f'{top}/{domain}/'
    regex = re.compile(
        re.escape(prefix) + r'(images_png|masks_png)/([^/]+\.png)')
    found = dict(images_png={}, masks_png={})
    unexpected = []
    for name in names:
        if not name.startswith(prefix) or name.endswith('/'):
            continue
        match = regex.fullmatch(name)
        if match is None:
            unexpected.append(name)
        else:
            found[match.group(1)][match.group(2)] = name
    if unexpected:
        raise ConversionError(
            f'{archive}: unexpected member(s) {", ".join(unexpected[:5])}; '
            f'expected only {prefix}images_png/*.png and '
            f'{prefix}masks_png/*.png')
    images, masks = found['images_png'], found['masks_png']
    if not images:
        raise ConversionError(f'{archive}: no {prefix}images_png/*.png '
                              'member; is this the right archive?')
    lonely = sorted(set(images) ^ set(masks))
    if lonely:
        raise ConversionError(
            f'{archive}: {len(lonely)} file(s) of {prefix} without their '
            f'image or mask: {", ".join(lonely[:5])}')
    return {key: (images[key], masks[key]) for key in sorted(images)}


@dataclass(frozen=True)
class _ChunkJob:
    """A few images of one split, self-contained for a worker process."""
    archive: str
    split: str
    members: Tuple[Tuple[str, str, str], ...]  # (file, image, mask)
    staging: str
    num_classes: int


def _check_pair(image_path: str, mask_path: str, num_classes: int) -> None:
    """Decode an image and its mask and check them against each other."""
    image_info = read_raster_info(image_path)
    if image_info.bands != 3 or image_info.dtype != 'uint8':
        raise ImageReadError(f'{image_path}: has {image_info.bands} band(s) '
                             f'of {image_info.dtype}; expected a 3-band '
                             'uint8 image')
    read_raster(image_path)
    mask_info = read_raster_info(mask_path)
    if mask_info.bands != 1 or mask_info.dtype != 'uint8':
        raise ImageReadError(f'{mask_path}: has {mask_info.bands} band(s) of '
                             f'{mask_info.dtype}; expected a 1-band uint8 '
                             'mask')
    if mask_info[:2] != image_info[:2]:
        raise ImageReadError(
            f'{mask_path}: is {mask_info.height} x {mask_info.width} pixels; '
            f'expected the size of {image_path}, {image_info.height} x '
            f'{image_info.width}')
    highest = int(read_raster(mask_path).max())
    if highest > num_classes:
        raise ImageReadError(f'{mask_path}: holds label {highest}; expected '
                             f'0 (no-data) to {num_classes}')


def _convert_chunk(job: _ChunkJob) -> int:
    """Copy and check a chunk of image/mask pairs; return how many."""
    with open_zip(job.archive) as zf:
        for file_name, image_member, mask_member in job.members:
            image_path = osp.join(job.staging, 'img_dir', job.split, file_name)
            mask_path = osp.join(job.staging, 'ann_dir', job.split, file_name)
            extract_member(zf, image_member, image_path, job.archive)
            extract_member(zf, mask_member, mask_path, job.archive)
            try:
                _check_pair(image_path, mask_path, job.num_classes)
            except ImageReadError as error:
                zip_name = osp.basename(job.archive)
                message = str(error).replace(image_path,
                                             f'{zip_name}:{image_member}')
                raise ConversionError(
                    message.replace(mask_path,
                                    f'{zip_name}:{mask_member}')) from None
    return len(job.members)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def convert_loveda(archive_dir: str,
                   out_dir: str,
                   domain: str,
                   percents: Sequence[float] = DEFAULT_PERCENTS,
                   seed: int = 0,
                   nproc: int = 1,
                   force: bool = False) -> Optional[dict]:
    """Convert one LoveDA domain from ``Train.zip`` and ``Val.zip``.

    Member names (each once) and image/mask pairs are checked before
    anything is written; a count that differs from the official release
    is reported as a warning.

    Args:
        archive_dir (str): Folder with the downloaded zip files.
        out_dir (str): Dataset folder, e.g. ``data/loveda-urban``.
        domain (str): ``'urban'`` or ``'rural'``.
        percents (Sequence[float]): Label fractions. Defaults to
            (1, 5, 10, 20, 50, 100).
        seed (int): Seed of the label fractions. Defaults to 0.
        nproc (int): Worker processes. Defaults to 1.
        force (bool): Convert even if up to date. Defaults to False.

    Returns:
        dict, optional: Images per split, or None if ``out_dir`` was up to
        date.
    """
    if domain not in LOVEDA_DOMAINS:
        raise ConversionError(f'domain must be one of '
                              f'{", ".join(LOVEDA_DOMAINS)}, got {domain!r}')
    check_options(nproc=nproc)
    folder = LOVEDA_DOMAINS[domain]
    paths = require_archives(archive_dir,
                             [name for name, _ in LOVEDA_ARCHIVES.values()])
    members = {}
    for (split, (_, top)), path in zip(LOVEDA_ARCHIVES.items(), paths):
        members[split] = (path,
                          list_domain_members(path, list_members(path), top,
                                              folder))
        official = LOVEDA_COUNTS[(split, domain)]
        if len(members[split][1]) != official:
            print(f'warning: {path} holds {len(members[split][1])} {folder} '
                  f'{split} images; the official release has {official}. '
                  'Is the archive complete?')

    stamp = dict(
        dataset=f'LoveDA-{folder}',
        archives=[[
            osp.basename(p),
            os.stat(p).st_size,
            os.stat(p).st_mtime_ns
        ] for p in paths],
        percents=list(percents),
        seed=seed,
        format=1)
    output = StagedOutput(out_dir, PARTS, stamp)
    if output.is_current() and not force:
        print(f'{out_dir} already holds this LoveDA {folder} conversion; '
              'nothing to do (use --force to convert again)')
        return None

    num_classes = len(LoveDADataset.METAINFO['classes'])
    os.makedirs(out_dir, exist_ok=True)
    with output as staging:
        jobs: List[_ChunkJob] = []
        for split, (path, pairs) in members.items():
            for part in ('img_dir', 'ann_dir'):
                os.makedirs(osp.join(staging, part, split))
            items = [(name, image, mask)
                     for name, (image, mask) in pairs.items()]
            jobs.extend(
                _ChunkJob(path, split, tuple(items[i:i + CHUNK]), staging,
                          num_classes) for i in range(0, len(items), CHUNK))
        total = sum(len(pairs) for _, pairs in members.values())
        print(f'Converting {total} LoveDA {folder} images from {archive_dir} '
              f'into {out_dir} (progress in chunks of {CHUNK})')
        run_jobs(_convert_chunk, jobs, nproc)
        train_dir = osp.join(staging, 'img_dir', 'train')
        os.makedirs(osp.join(staging, 'pretrain'))
        train_files = sorted(os.listdir(train_dir))
        for name in train_files:
            _link_or_copy(
                osp.join(train_dir, name), osp.join(staging, 'pretrain', name))
        write_fraction_splits([osp.splitext(n)[0] for n in train_files],
                              osp.join(staging, 'splits'), percents, seed)

    summary = dict(images={s: len(p) for s, (_, p) in members.items()})
    print(f'\nLoveDA {folder}: {summary["images"]} images, '
          f'{len(train_files)} pretraining images; label fractions '
          f'{list(percents)} % (seed {seed}) in {osp.join(out_dir, "splits")}')
    return summary

# Copyright (c) grass_mm contributors. All rights reserved.
"""Convert an ISPRS-style orthophoto dataset (Potsdam, Vaihingen).

Both datasets ship large image tiles in one zip and colour-coded labels of
the same tiles in another. A conversion for
`GraSS <https://arxiv.org/abs/2306.15868>`_ writes, under ``out_dir``:

- ``img_dir/{train,val}/{tile}_{x0}_{y0}_{x1}_{y1}.png``: patches of
  ``clip_size`` pixels, the first three bands of the tile (16-bit tiles
  scaled by their declared ``bit_depth``, see
  :func:`~grass_mm.datasets.to_uint8`);
- ``ann_dir/{train,val}/...png``: the same windows of the label, one uint8
  id per pixel: ``1 +`` the class index in the mmseg dataset's ``METAINFO``
  palette, 0 for any other colour and for the black boundary of eroded
  labels (ignored);
- ``pretrain/``: the whole training tiles, all bands, re-written as tiled
  GeoTIFFs (256 x 256 blocks, geo-referencing kept) for windowed reads by
  :class:`~grass_mm.datasets.RSIPatchDataset`;
- ``splits/train_{p}pct.txt``: nested label-fraction subsets of the
  training patches (see :mod:`.label_fractions`).

The defaults follow mmseg's documented protocol, so that numbers compare
with mmseg's model zoo and the papers that use it: windows of 512 pixels
every 512 pixels with the last row and column flush with the tile edge
(:func:`~grass_mm.datasets.tile_windows`; 144 per 6000 x 6000 Potsdam
tile), for training and validation alike, and the eroded labels
(boundaries ignored) when their archive is present. ``stride`` makes the
training windows denser; validation windows never overlap more than the
edge-flush last row and column need, whatever ``stride`` says, so no
validation pixel is counted more often than the protocol counts it.
"""
import os
import os.path as osp
import shutil
from typing import List, Optional, Sequence

from .archive import (ConversionError, check_ids, list_members, match_members,
                      require_archives)
from .label_fractions import DEFAULT_PERCENTS, write_fraction_splits
from .options import check_options
from .ortho_spec import OrthoDatasetSpec
from .ortho_tile import TileJob, convert_tile
from .parallel import run_jobs
from .staged_output import StagedOutput

PARTS = ('img_dir', 'ann_dir', 'pretrain', 'splits')
# label versions: eroded (mmseg's protocol) or full; 'auto' takes the
# eroded ones when their archive is present
LABEL_CHOICES = ('auto', 'eroded', 'full')


def _archive_stamp(paths: Sequence[str]) -> List[list]:
    return [[osp.basename(p),
             os.stat(p).st_size,
             os.stat(p).st_mtime_ns] for p in paths]


def choose_labels(spec: OrthoDatasetSpec,
                  archive_dir: str,
                  labels: str = 'auto') -> str:
    """Which label version a conversion uses.

    Args:
        spec (OrthoDatasetSpec): The dataset.
        archive_dir (str): Folder holding the downloaded archives.
        labels (str): ``'eroded'``, ``'full'``, or ``'auto'``: the eroded
            labels if their archive is in ``archive_dir``, else the full
            ones. Defaults to 'auto'.

    Returns:
        str: ``'eroded'`` or ``'full'``.
    """
    if labels not in LABEL_CHOICES:
        raise ConversionError(f'labels must be one of '
                              f'{", ".join(LABEL_CHOICES)}, got {labels!r}')
    if labels != 'auto':
        return labels
    eroded_archive = spec.label_archives['eroded'][0]
    return ('eroded'
            if osp.isfile(osp.join(archive_dir, eroded_archive)) else 'full')


def convert_orthophotos(spec: OrthoDatasetSpec,
                        archive_dir: str,
                        out_dir: str,
                        clip_size: int = 512,
                        stride: Optional[int] = None,
                        labels: str = 'auto',
                        bit_depth: Optional[int] = None,
                        percents: Sequence[float] = DEFAULT_PERCENTS,
                        seed: int = 0,
                        nproc: int = 1,
                        force: bool = False) -> Optional[dict]:
    """Convert the official archives of an orthophoto dataset.

    Every check that needs no decoding (options, archives present and
    readable, member names, no duplicated member, the official set of tiles
    in both archives) runs before any file is written; bands, label sizes
    and bit depth are checked per tile. A failure leaves ``out_dir`` as it
    was (see :class:`~grass_mm.datasets.converters.StagedOutput`), also
    with ``nproc > 1``.

    Args:
        spec (OrthoDatasetSpec): The dataset.
        archive_dir (str): Folder holding the downloaded archives.
        out_dir (str): Dataset folder to write, e.g. ``data/potsdam``.
        clip_size (int): Side of the fine-tuning patches. Defaults to 512.
        stride (int, optional): Step between training patches. Validation
            patches always step by ``clip_size``. Defaults to None
            (``clip_size``, mmseg's protocol).
        labels (str): ``'eroded'`` (boundaries ignored, mmseg's protocol),
            ``'full'``, or ``'auto'`` (eroded if their archive is present).
            Defaults to 'auto'.
        bit_depth (int, optional): Bits of the data in 16-bit image tiles,
            e.g. 12 for 12-bit data stored in 16-bit files; required for
            16-bit tiles. Defaults to None (8-bit tiles only).
        percents (Sequence[float]): Label fractions to write split files
            for. Defaults to (1, 5, 10, 20, 50, 100).
        seed (int): Seed of the label fractions. Defaults to 0.
        nproc (int): Worker processes. Defaults to 1.
        force (bool): Convert even if ``out_dir`` holds this conversion
            already. Defaults to False.

    Returns:
        dict, optional: Counts of the conversion and the labels used, or
        None if the output was already up to date.
    """
    check_options(bit_depth, clip_size=clip_size, stride=stride, nproc=nproc)
    train_stride = clip_size if stride is None else stride
    version = choose_labels(spec, archive_dir, labels)
    label_archive, label_pattern = spec.label_archives[version]
    image_zip_path, label_zip_path = require_archives(
        archive_dir, (spec.image_archive, label_archive))
    expected = [t for ids in spec.splits.values() for t in ids]
    images = match_members(image_zip_path, list_members(image_zip_path),
                           spec.image_pattern, spec.image_folder)
    tile_labels = match_members(label_zip_path, list_members(label_zip_path),
                                label_pattern)
    check_ids(image_zip_path, images, expected, spec.ignored_ids)
    check_ids(label_zip_path, tile_labels, expected, spec.ignored_ids)
    strides = {
        s: train_stride if s == 'train' else clip_size
        for s in spec.splits
    }

    stamp = dict(
        dataset=spec.name,
        archives=_archive_stamp((image_zip_path, label_zip_path)),
        labels=version,
        clip_size=clip_size,
        strides=strides,
        bit_depth=bit_depth,
        percents=list(percents),
        seed=seed,
        format=2)
    output = StagedOutput(out_dir, PARTS, stamp)
    if output.is_current() and not force:
        print(f'{out_dir} already holds this {spec.name} conversion; '
              'nothing to do (use --force to convert again)')
        return None

    os.makedirs(out_dir, exist_ok=True)
    with output as staging:
        for part in ('img_dir', 'ann_dir'):
            for split in spec.splits:
                os.makedirs(osp.join(staging, part, split))
        os.makedirs(osp.join(staging, 'pretrain'))
        jobs = [
            TileJob(spec, tile_id, split, image_zip_path, images[tile_id],
                    label_zip_path, tile_labels[tile_id], staging, clip_size,
                    strides[split], version == 'eroded', bit_depth)
            for split, ids in spec.splits.items() for tile_id in sorted(ids)
        ]
        print(f'Converting {len(jobs)} {spec.name} tiles from {archive_dir} '
              f'into {out_dir}: {clip_size} px patches, stride ' +
              ', '.join(f'{s} {v}' for s, v in strides.items()) +
              f'; {version} labels ({label_archive})')
        reports = run_jobs(convert_tile, jobs, nproc)
        shutil.rmtree(osp.join(staging, '.tmp'), ignore_errors=True)
        train_names = sorted(
            osp.splitext(n)[0]
            for n in os.listdir(osp.join(staging, 'img_dir', 'train')))
        write_fraction_splits(train_names, osp.join(staging, 'splits'),
                              percents, seed)

    summary = dict(
        labels=version,
        label_archive=label_archive,
        tiles={s: sum(r[1] == s for r in reports)
               for s in spec.splits},
        patches={
            s: sum(r[2] for r in reports if r[1] == s)
            for s in spec.splits
        },
        unknown_colour_pixels={r[0]: r[3]
                               for r in reports if r[3]})
    print(f'\n{spec.name}: {summary["tiles"]} tiles, {summary["patches"]} '
          f'patches, {summary["tiles"]["train"]} pretraining tiles; '
          f'{version} labels from {label_archive}; label fractions '
          f'{list(percents)} % (seed {seed}) in '
          f'{osp.join(out_dir, "splits")}')
    if version == 'full':
        print(f'note: full labels, boundaries included; mmseg\'s model zoo '
              f'and the papers that use it evaluate on the eroded ones '
              f'({spec.label_archives["eroded"][0]})')
    unknown = summary['unknown_colour_pixels']
    if unknown:
        worst = sorted(unknown, key=unknown.get, reverse=True)[:5]
        print(f'warning: {sum(unknown.values())} label pixels in '
              f'{len(unknown)} tile(s) have colours outside the palette of '
              f'{spec.name} and are stored as 0 (ignored); most in ' +
              ', '.join(f'{t} ({unknown[t]})' for t in worst))
    return summary

# Copyright (c) grass_mm contributors. All rights reserved.
"""ISPRS Vaihingen: from the official archives to fine-tuning.

Vaihingen ships 33 IR-R-G orthophoto areas as
``ISPRS_semantic_labeling_Vaihingen.zip`` (``top/top_mosaic_09cm_area1.tif``,
...) and their colour labels as
``ISPRS_semantic_labeling_Vaihingen_ground_truth_COMPLETE.zip``
(``top_mosaic_09cm_area1.tif``) or, eroded at class boundaries, as
``..._ground_truth_eroded_COMPLETE.zip``
(``top_mosaic_09cm_area1_noBoundary.tif``; the boundary is black, and
ignored). The train/val split by area is the one mmseg uses; area 9,
present in some label archives without an image, is not used.
Fine-tuning target of `GraSS <https://arxiv.org/abs/2306.15868>`_.
"""
from typing import Optional, Sequence

from mmseg.datasets import ISPRSDataset

from .label_fractions import DEFAULT_PERCENTS
from .ortho_spec import OrthoDatasetSpec
from .orthophotos import convert_orthophotos

VAIHINGEN_SPLITS = dict(
    train=tuple(f'area{i}' for i in (1, 3, 5, 7, 11, 13, 15, 17, 21, 23, 26,
                                     28, 30, 32, 34, 37)),
    val=tuple(f'area{i}' for i in (2, 4, 6, 8, 10, 12, 14, 16, 20, 22, 24, 27,
                                   29, 31, 33, 35, 38)))


def vaihingen_spec() -> OrthoDatasetSpec:
    """What Vaihingen ships: archives, member names, split and palette."""
    return OrthoDatasetSpec(
        name='Vaihingen',
        image_archive='ISPRS_semantic_labeling_Vaihingen.zip',
        image_pattern=r'top_mosaic_09cm_(area\d+)\.tif',
        image_folder='top',
        image_bands=3,
        label_archives=dict(
            eroded=('ISPRS_semantic_labeling_Vaihingen_ground_truth_eroded_'
                    'COMPLETE.zip',
                    r'top_mosaic_09cm_(area\d+)_noBoundary\.tif'),
            full=('ISPRS_semantic_labeling_Vaihingen_ground_truth_'
                  'COMPLETE.zip', r'top_mosaic_09cm_(area\d+)\.tif')),
        splits=VAIHINGEN_SPLITS,
        palette=tuple(map(tuple, ISPRSDataset.METAINFO['palette'])),
        ignored_ids=('area9', ))


def convert_vaihingen(archive_dir: str,
                      out_dir: str,
                      labels: str = 'auto',
                      clip_size: int = 512,
                      stride: Optional[int] = None,
                      bit_depth: Optional[int] = None,
                      percents: Sequence[float] = DEFAULT_PERCENTS,
                      seed: int = 0,
                      nproc: int = 1,
                      force: bool = False) -> Optional[dict]:
    """Convert the Vaihingen archives in ``archive_dir`` into ``out_dir``.

    See :func:`~grass_mm.datasets.converters.convert_orthophotos` for the
    layout; patches keep the IR-R-G bands in file order. The defaults are
    mmseg's protocol: 512 x 512 patches every 512 pixels of each area (the
    last row and column flush with its edge), on the eroded labels.

    Args:
        archive_dir (str): Folder with the downloaded zip files.
        out_dir (str): Dataset folder, e.g. ``data/vaihingen``.
        labels (str): ``'eroded'`` (``..._ground_truth_eroded_COMPLETE.zip``),
            ``'full'`` (``..._ground_truth_COMPLETE.zip``) or ``'auto'``
            (eroded if present). Defaults to 'auto'.
        clip_size (int): Patch side. Defaults to 512.
        stride (int, optional): Step between training patches; validation
            patches step by ``clip_size``. Defaults to None (``clip_size``).
        bit_depth (int, optional): Bits of the data in 16-bit tiles.
            Defaults to None (8-bit tiles only).
        percents (Sequence[float]): Label fractions. Defaults to
            (1, 5, 10, 20, 50, 100).
        seed (int): Seed of the label fractions. Defaults to 0.
        nproc (int): Worker processes. Defaults to 1.
        force (bool): Convert even if up to date. Defaults to False.

    Returns:
        dict, optional: Counts, or None if ``out_dir`` was up to date.
    """
    return convert_orthophotos(vaihingen_spec(), archive_dir, out_dir,
                               clip_size, stride, labels, bit_depth, percents,
                               seed, nproc, force)

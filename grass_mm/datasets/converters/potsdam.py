# Copyright (c) grass_mm contributors. All rights reserved.
"""ISPRS Potsdam: from the official archives to fine-tuning and pretraining.

Potsdam ships 38 orthophoto tiles of 6000 x 6000 pixels in three band
combinations (``2_Ortho_RGB.zip`` with ``top_potsdam_2_10_RGB.tif``,
``3_Ortho_IRRG.zip`` with ``..._IRRG.tif``, ``4_Ortho_RGBIR.zip`` with
4-band ``..._RGBIR.tif``) and colour labels in ``5_Labels_all.zip``
(``top_potsdam_2_10_label.tif``) or, eroded at class boundaries, in
``5_Labels_all_noBoundary.zip`` (``..._label_noBoundary.tif``). The
train/val split by tile id is the official one that mmseg also uses. Used
for `GraSS <https://arxiv.org/abs/2306.15868>`_ pretraining and
fine-tuning.
"""
from typing import Optional, Sequence

from mmseg.datasets import PotsdamDataset

from .label_fractions import DEFAULT_PERCENTS
from .orthophotos import OrthoDatasetSpec, convert_orthophotos

POTSDAM_SPLITS = dict(
    train=('2_10', '2_11', '2_12', '3_10', '3_11', '3_12', '4_10', '4_11',
           '4_12', '5_10', '5_11', '5_12', '6_7', '6_8', '6_9', '6_10', '6_11',
           '6_12', '7_7', '7_8', '7_9', '7_10', '7_11', '7_12'),
    val=('2_13', '2_14', '3_13', '3_14', '4_13', '4_14', '4_15', '5_13',
         '5_14', '5_15', '6_13', '6_14', '6_15', '7_13'))

# band combination -> (archive, file name tag, number of bands)
POTSDAM_ORTHOS = dict(
    RGB=('2_Ortho_RGB.zip', 'RGB', 3),
    IRRG=('3_Ortho_IRRG.zip', 'IRRG', 3),
    RGBIR=('4_Ortho_RGBIR.zip', 'RGBIR', 4))


def potsdam_spec(ortho: str = 'RGB', eroded: bool = False) -> OrthoDatasetSpec:
    """What Potsdam ships, for one band combination and label version.

    Args:
        ortho (str): ``'RGB'``, ``'IRRG'`` or ``'RGBIR'``. Defaults to 'RGB'.
        eroded (bool): Use the labels without boundaries. Defaults to False.

    Returns:
        OrthoDatasetSpec: The archives, member names, split and palette.
    """
    if ortho not in POTSDAM_ORTHOS:
        raise ValueError(f'ortho must be one of {sorted(POTSDAM_ORTHOS)}, '
                         f'got {ortho!r}')
    archive, tag, bands = POTSDAM_ORTHOS[ortho]
    label_tag = 'label_noBoundary' if eroded else 'label'
    return OrthoDatasetSpec(
        name='Potsdam',
        image_archive=archive,
        image_pattern=rf'top_potsdam_(\d+_\d+)_{tag}\.tif',
        image_bands=bands,
        label_archive=('5_Labels_all_noBoundary.zip'
                       if eroded else '5_Labels_all.zip'),
        label_pattern=rf'top_potsdam_(\d+_\d+)_{label_tag}\.tif',
        splits=POTSDAM_SPLITS,
        palette=tuple(map(tuple, PotsdamDataset.METAINFO['palette'])),
        boundary_is_ignored=eroded)


def convert_potsdam(archive_dir: str,
                    out_dir: str,
                    ortho: str = 'RGB',
                    eroded: bool = False,
                    clip_size: int = 512,
                    stride: int = 256,
                    percents: Sequence[float] = DEFAULT_PERCENTS,
                    seed: int = 0,
                    nproc: int = 1,
                    force: bool = False) -> Optional[dict]:
    """Convert the Potsdam archives in ``archive_dir`` into ``out_dir``.

    Fine-tuning patches are the first three bands of the chosen
    orthophotos (RGB for ``RGB`` and ``RGBIR``, IR-R-G for ``IRRG``); the
    pretraining tiles keep all bands. See
    :func:`~grass_mm.datasets.converters.convert_orthophotos` for the layout.

    Args:
        archive_dir (str): Folder with the downloaded zip files.
        out_dir (str): Dataset folder, e.g. ``data/potsdam``.
        ortho (str): Band combination. Defaults to 'RGB'.
        eroded (bool): Use ``5_Labels_all_noBoundary.zip``. Defaults to
            False.
        clip_size (int): Patch side. Defaults to 512.
        stride (int): Step between patches. Defaults to 256.
        percents (Sequence[float]): Label fractions. Defaults to
            (1, 5, 10, 20, 50, 100).
        seed (int): Seed of the label fractions. Defaults to 0.
        nproc (int): Worker processes. Defaults to 1.
        force (bool): Convert even if up to date. Defaults to False.

    Returns:
        dict, optional: Counts, or None if ``out_dir`` was up to date.
    """
    return convert_orthophotos(
        potsdam_spec(ortho, eroded), archive_dir, out_dir, clip_size, stride,
        percents, seed, nproc, force)

# Copyright (c) grass_mm contributors. All rights reserved.
"""ISPRS Potsdam: from the official archives to fine-tuning and pretraining.

Potsdam ships 38 orthophoto tiles of 6000 x 6000 pixels in three band
combinations (``2_Ortho_RGB.zip`` with ``top_potsdam_2_10_RGB.tif``,
``3_Ortho_IRRG.zip`` with ``..._IRRG.tif``, ``4_Ortho_RGBIR.zip`` with
4-band ``..._RGBIR.tif``) and colour labels in ``5_Labels_all.zip``
(``top_potsdam_2_10_label.tif``) or, eroded at class boundaries, in
``5_Labels_all_noBoundary.zip`` (``..._label_noBoundary.tif``; the
boundary is black, and ignored). The train/val split by tile id is the
official one that mmseg also uses. Used for
`GraSS <https://arxiv.org/abs/2306.15868>`_ pretraining and fine-tuning.
"""
from typing import Optional, Sequence

from mmseg.datasets import PotsdamDataset

from .archive import ConversionError
from .label_fractions import DEFAULT_PERCENTS
from .ortho_spec import OrthoDatasetSpec
from .orthophotos import convert_orthophotos

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


def potsdam_spec(ortho: str = 'RGB') -> OrthoDatasetSpec:
    """What Potsdam ships, for one band combination.

    Args:
        ortho (str): ``'RGB'``, ``'IRRG'`` or ``'RGBIR'``. Defaults to 'RGB'.

    Returns:
        OrthoDatasetSpec: The archives, member names, split and palette.
    """
    if ortho not in POTSDAM_ORTHOS:
        raise ConversionError(f'ortho must be one of '
                              f'{", ".join(sorted(POTSDAM_ORTHOS))}, got '
                              f'{ortho!r}')
    archive, tag, bands = POTSDAM_ORTHOS[ortho]
    return OrthoDatasetSpec(
        name='Potsdam',
        image_archive=archive,
        image_pattern=rf'top_potsdam_(\d+_\d+)_{tag}\.tif',
        image_bands=bands,
        label_archives=dict(
            eroded=('5_Labels_all_noBoundary.zip',
                    r'top_potsdam_(\d+_\d+)_label_noBoundary\.tif'),
            full=('5_Labels_all.zip', r'top_potsdam_(\d+_\d+)_label\.tif')),
        splits=POTSDAM_SPLITS,
        palette=tuple(map(tuple, PotsdamDataset.METAINFO['palette'])))


def convert_potsdam(archive_dir: str,
                    out_dir: str,
                    ortho: str = 'RGB',
                    labels: str = 'auto',
                    clip_size: int = 512,
                    stride: Optional[int] = None,
                    bit_depth: Optional[int] = None,
                    percents: Sequence[float] = DEFAULT_PERCENTS,
                    seed: int = 0,
                    nproc: int = 1,
                    force: bool = False) -> Optional[dict]:
    """Convert the Potsdam archives in ``archive_dir`` into ``out_dir``.

    Fine-tuning patches are the first three bands of the chosen
    orthophotos (RGB for ``RGB`` and ``RGBIR``, IR-R-G for ``IRRG``); the
    pretraining tiles keep all bands. The defaults are mmseg's protocol:
    512 x 512 patches every 512 pixels, 144 per tile, 3,456 for training
    and 2,016 for validation, on the eroded labels. See
    :func:`~grass_mm.datasets.converters.convert_orthophotos` for the layout.

    Args:
        archive_dir (str): Folder with the downloaded zip files.
        out_dir (str): Dataset folder, e.g. ``data/potsdam``.
        ortho (str): Band combination. Defaults to 'RGB'.
        labels (str): ``'eroded'`` (``5_Labels_all_noBoundary.zip``),
            ``'full'`` (``5_Labels_all.zip``) or ``'auto'`` (eroded if
            present). Defaults to 'auto'.
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
    return convert_orthophotos(
        potsdam_spec(ortho), archive_dir, out_dir, clip_size, stride, labels,
        bit_depth, percents, seed, nproc, force)

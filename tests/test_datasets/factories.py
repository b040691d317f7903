# Copyright (c) grass_mm contributors. All rights reserved.
"""Tiny stand-ins for the official archives, with their real member names.

Each factory writes zip files under a given folder the way the datasets
ship them (member names, folders, band counts, colour-coded labels) but
with tiles of a few dozen pixels, and returns what a conversion must
produce from them, so tests can compare pixel by pixel.
"""
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path
from typing import Dict, Optional, Sequence

import numpy as np
import rasterio
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.runner import Runner
from mmseg.datasets import ISPRSDataset, PotsdamDataset
from PIL import Image
from rasterio.errors import NotGeoreferencedWarning
from rasterio.transform import from_origin

from grass_mm.datasets.converters import POTSDAM_SPLITS, VAIHINGEN_SPLITS

REPO_ROOT = Path(__file__).resolve().parents[2]
CONVERTERS = REPO_ROOT / 'tools' / 'dataset_converters'
DATASET_CONFIGS = REPO_ROOT / 'configs' / '_base_' / 'datasets'


def write_tiff(path: Path, pixels: np.ndarray, **profile) -> Path:
    """Write an (H, W, C) array as a (geo-referenced) GeoTIFF."""
    path.parent.mkdir(parents=True, exist_ok=True)
    height, width, bands = pixels.shape
    options = dict(
        driver='GTiff',
        height=height,
        width=width,
        count=bands,
        dtype=pixels.dtype.name,
        crs='EPSG:32633',
        transform=from_origin(368000.0, 5808000.0, 0.05, 0.05))
    options.update(profile)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', NotGeoreferencedWarning)
        with rasterio.open(path, 'w', **options) as dst:
            dst.write(pixels.transpose(2, 0, 1))
    return path


def class_map(height: int,
              width: int,
              num_classes: int,
              offset: int = 0) -> np.ndarray:
    """A deterministic class-index map with every class present."""
    ys, xs = np.mgrid[:height, :width]
    return ((ys // 5 + xs // 7 + offset) % num_classes).astype(np.uint8)


def colour_label(classes: np.ndarray, palette) -> np.ndarray:
    """Paint a class-index map with the palette; 255 paints black."""
    lut = np.zeros((256, 3), np.uint8)
    lut[:len(palette)] = palette
    return lut[classes]


def tile_pixels(height: int,
                width: int,
                bands: int,
                seed: int,
                max_value: Optional[int] = None) -> np.ndarray:
    """Random uint8 pixels, or uint16 ones up to ``max_value``."""
    rng = np.random.default_rng(seed)
    if max_value is None:
        return rng.integers(0, 256, (height, width, bands), dtype=np.uint8)
    pixels = rng.integers(
        0, max_value + 1, (height, width, bands), dtype=np.uint16)
    pixels[0, 0] = max_value  # the largest value occurs
    return pixels


def erode(classes: np.ndarray) -> np.ndarray:
    """Mark class boundaries 255 (black), as the eroded ISPRS labels do:
    a pixel whose right or lower neighbour has another class."""
    eroded = classes.copy()
    edge = np.zeros(classes.shape, bool)
    edge[:, :-1] |= classes[:, :-1] != classes[:, 1:]
    edge[:-1] |= classes[:-1] != classes[1:]
    eroded[edge] = 255
    return eroded


def zip_folder(src: Path, archive: Path) -> Path:
    """Zip every file under ``src`` with paths relative to it."""
    with zipfile.ZipFile(archive, 'w', zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(src.rglob('*')):
            if path.is_file():
                zf.write(path, path.relative_to(src).as_posix())
    return archive


def rewrite_zip(src: Path,
                dst: Path,
                drop: Sequence[str] = (),
                add: Optional[Dict[str, bytes]] = None) -> Path:
    """Copy an archive without the members ``drop``, plus ``add``."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(
            dst, 'w', zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename not in drop:
                zout.writestr(info, zin.read(info.filename))
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return dst


def run_tool(name: str, *args: str) -> subprocess.CompletedProcess:
    """Run ``tools/dataset_converters/{name}.py`` as users do."""
    return subprocess.run(
        [sys.executable,
         str(CONVERTERS / f'{name}.py'), *map(str, args)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300)


def make_potsdam(root: Path,
                 size: int = 45,
                 ortho: str = 'RGB',
                 skip: Sequence[str] = (),
                 label_sizes: Optional[Dict[str, tuple]] = None,
                 bands: Optional[int] = None,
                 labels: Sequence[str] = ('full', ),
                 max_value: Optional[int] = None) -> dict:
    """Write ``2_Ortho_RGB.zip`` (or ``4_Ortho_RGBIR.zip``) and
    ``5_Labels_all.zip`` and/or ``5_Labels_all_noBoundary.zip`` with all 38
    tiles of ``size`` pixels.

    Images lie in a ``2_Ortho_RGB/`` folder next to ``.tfw`` world files,
    labels at the archive's top, as in the official release
    (``top_potsdam_2_10_label.tif``, ``top_potsdam_2_10_label_noBoundary
    .tif``). A few label pixels are black (not a class colour); the eroded
    labels are also black at class boundaries. ``max_value`` writes uint16
    tiles with values up to it. Returns the pixels of each tile and the
    expected id maps (class + 1, 0 for black) of both label versions.
    """
    archive, tag, official_bands = dict(
        RGB=('2_Ortho_RGB', 'RGB', 3),
        RGBIR=('4_Ortho_RGBIR', 'RGBIR', 4),
        IRRG=('3_Ortho_IRRG', 'IRRG', 3))[ortho]
    bands = bands or official_bands
    label_sizes = label_sizes or {}
    palette = PotsdamDataset.METAINFO['palette']
    tiles = {}
    ids = [t for split in POTSDAM_SPLITS.values() for t in split]
    for i, tile_id in enumerate(ids):
        if tile_id in skip:
            continue
        pixels = tile_pixels(size, size, bands, seed=i, max_value=max_value)
        write_tiff(
            root / 'src_img' / archive / f'top_potsdam_{tile_id}_{tag}.tif',
            pixels)
        (root / 'src_img' / archive /
         f'top_potsdam_{tile_id}_{tag}.tfw').write_text('0.05\n0\n0\n')
        classes = class_map(
            *label_sizes.get(tile_id, (size, size)), len(palette), offset=i)
        classes[0, :3] = 255  # black: no class
        eroded = erode(classes)
        write_tiff(root / 'src_lbl' / f'top_potsdam_{tile_id}_label.tif',
                   colour_label(classes, palette))
        write_tiff(
            root / 'src_eroded' /
            f'top_potsdam_{tile_id}_label_noBoundary.tif',
            colour_label(eroded, palette))
        tiles[tile_id] = dict(
            pixels=pixels,
            ids=np.where(classes == 255, 0, classes + 1).astype(np.uint8),
            eroded_ids=np.where(eroded == 255, 0, eroded + 1).astype(np.uint8))
    zip_folder(root / 'src_img', root / f'{archive}.zip')
    if 'full' in labels:
        zip_folder(root / 'src_lbl', root / '5_Labels_all.zip')
    if 'eroded' in labels:
        zip_folder(root / 'src_eroded', root / '5_Labels_all_noBoundary.zip')
    return tiles


def make_vaihingen(root: Path,
                   labels: Sequence[str] = ('full', ),
                   sizes: Optional[Dict[str, tuple]] = None) -> dict:
    """Write ``ISPRS_semantic_labeling_Vaihingen.zip`` (``top/``, ``dsm/``,
    ``gts_for_participants/``) and the ``..._ground_truth_COMPLETE.zip``
    and/or ``..._ground_truth_eroded_COMPLETE.zip`` (members
    ``top_mosaic_09cm_area1_noBoundary.tif``) with all 33 areas, of a
    different size each unless ``sizes`` gives ``(height, width)`` by
    area."""
    palette = ISPRSDataset.METAINFO['palette']
    areas = {}
    for i, area in enumerate(a for s in VAIHINGEN_SPLITS.values() for a in s):
        height, width = (sizes or {}).get(area, (20 + i % 5, 24 + i % 3))
        pixels = tile_pixels(height, width, 3, seed=100 + i)
        classes = class_map(height, width, len(palette), offset=i)
        label = colour_label(classes, palette)
        eroded = erode(classes)
        name = f'top_mosaic_09cm_{area}.tif'
        write_tiff(root / 'src_img' / 'top' / name, pixels)
        write_tiff(root / 'src_img' / 'gts_for_participants' / name, label)
        write_tiff(root / 'src_img' / 'dsm' / f'dsm_09cm_matching_{area}.tif',
                   pixels[..., :1])
        write_tiff(root / 'src_lbl' / name, label)
        write_tiff(
            root / 'src_eroded' / f'top_mosaic_09cm_{area}_noBoundary'
            '.tif', colour_label(eroded, palette))
        areas[area] = dict(
            pixels=pixels,
            ids=classes + 1,
            eroded_ids=np.where(eroded == 255, 0, eroded + 1).astype(np.uint8))
    zip_folder(root / 'src_img',
               root / 'ISPRS_semantic_labeling_Vaihingen.zip')
    if 'full' in labels:
        zip_folder(
            root / 'src_lbl', root /
            'ISPRS_semantic_labeling_Vaihingen_ground_truth_COMPLETE.zip')
    if 'eroded' in labels:
        zip_folder(
            root / 'src_eroded', root /
            'ISPRS_semantic_labeling_Vaihingen_ground_truth_eroded_COMPLETE'
            '.zip')
    return areas


LOVEDA_IDS = dict(
    train=dict(Rural=(0, 1, 2, 3, 4), Urban=(1366, 1367, 1368, 1369)),
    val=dict(Rural=(2522, 2523), Urban=(3514, 3515, 3516)))


def make_loveda(root: Path, size: int = 32) -> dict:
    """Write ``Train.zip`` and ``Val.zip`` with both domains
    (``Train/Urban/images_png/1366.png``, ``.../masks_png/1366.png``, ...).
    Returns the masks by split, domain and file name."""
    masks = {}
    for split, top in (('train', 'Train'), ('val', 'Val')):
        for domain, numbers in LOVEDA_IDS[split].items():
            for number in numbers:
                folder = root / f'src_{top}' / top / domain
                (folder / 'images_png').mkdir(parents=True, exist_ok=True)
                (folder / 'masks_png').mkdir(parents=True, exist_ok=True)
                pixels = tile_pixels(size, size, 3, seed=number)
                mask = class_map(size, size, 8, offset=number)  # 0 = no-data
                Image.fromarray(pixels).save(folder / 'images_png' /
                                             f'{number}.png')
                Image.fromarray(mask).save(folder / 'masks_png' /
                                           f'{number}.png')
                masks[(split, domain, f'{number}.png')] = mask
        zip_folder(root / f'src_{top}', root / f'{top}.zip')
    return masks


def seg_dataloader(config: str,
                   data_root: Path,
                   which: str = 'val',
                   **dataset_options):
    """Build a dataloader of a fine-tuning base config on ``data_root``.

    The dataset, pipeline and collate function are the config's own; only
    the root, worker settings and the given dataset options change.
    """
    cfg = Config.fromfile(DATASET_CONFIGS / config)
    loader_cfg = cfg[f'{which}_dataloader']
    loader_cfg.update(num_workers=0, persistent_workers=False)
    loader_cfg.dataset.update(data_root=str(data_root), **dataset_options)
    with DefaultScope.overwrite_default_scope('mmseg'):
        return Runner.build_dataloader(loader_cfg, seed=0)


def expected_gt(ids: np.ndarray) -> np.ndarray:
    """What LoadAnnotations(reduce_zero_label=True) makes of stored ids."""
    return np.where(ids == 0, 255, ids.astype(np.int64) - 1)

# Copyright (c) grass_mm contributors. All rights reserved.
"""Time RSIPatchDataset's windowed reads against decoding the whole tile.

A large GeoTIFF tile (6000 x 6000 RGB by default, like a Potsdam
orthophoto) is written to a temporary folder; patches of its grid are then
drawn at random, as a shuffling sampler over many tiles does, through

- ``ours``: :class:`grass_mm.datasets.RSIPatchDataset` with the two views
  of ``configs/_base_/datasets/potsdam_pretrain.py`` made wholly on the
  data workers (crop, flip and the colour augmentations, as mmpretrain's
  SimCLR pipeline does), reading only each patch's window, once from a
  striped tile (GDAL's default layout) and once from a tiled one (the
  layout the Potsdam converter writes);
- ``baseline``: decoding the whole tile with ``mmcv.imread`` (OpenCV, as
  ``LoadImageFromFile`` would), cropping the patch, then the same pipeline.

and, on the tiled layout, the data workers' share of the config's own
pipeline, with the views' colour augmentations batched on the training
device by ``PhotometricAugDataPreprocessor`` (``cpu_part_*``; the read,
the crop and the flip), then that batched part itself on ``--device``:
``--batched-views`` random views of the crop's size augmented as one batch
(in chunks of ``--chunk-size``), against mmpretrain's transforms one view
at a time (``batched_part``; ``tools/benchmark_photometric.py`` times it
over several sizes and chunkings).

Everything runs in one process on one core (``torch.set_num_threads(1)``,
OpenCV on one thread), the batched part on ``--device``. The last line
printed is one JSON object; ``ratio`` is ours (striped) over baseline in
patches per second, ``cpu_part_speedup`` the CPU part over the whole
pipeline (tiled).

Example:
    python tools/benchmark_dataset.py --size 6000 --patch-size 512 \
        --patches 200 --baseline-patches 10
"""
import argparse
import json
import os
import os.path as osp
import platform
import tempfile
import time
from typing import Callable, Sequence

import cv2
import mmcv
import numpy as np
import rasterio
import torch
from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmpretrain.registry import DATASETS

import grass_mm  # noqa: F401  (registers RSIPatchDataset)
from grass_mm.analysis import (config_photometric_augments,
                               photometric_transforms, time_photometric_paths)

CONFIG = osp.join(
    osp.dirname(osp.dirname(osp.abspath(__file__))), 'configs', '_base_',
    'datasets', 'potsdam_pretrain.py')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--size',
        type=int,
        default=6000,
        help='side of the square RGB tile in pixels')
    parser.add_argument('--patch-size', type=int, default=512)
    parser.add_argument(
        '--patches',
        type=int,
        default=200,
        help='patches timed for the windowed reads')
    parser.add_argument(
        '--baseline-patches',
        type=int,
        default=10,
        help='patches timed for whole-tile decoding')
    parser.add_argument(
        '--batched-views',
        type=int,
        default=64,
        help='views of the batch timed for the batched colour augmentations')
    parser.add_argument(
        '--chunk-size',
        type=int,
        default=8,
        help="the data preprocessor's chunk_size for that timing (0: the "
        'whole batch at once)')
    parser.add_argument(
        '--device',
        default='cpu',
        help='where the batched colour augmentations run (cpu or cuda[:i])')
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args()


def write_tile(path: str, size: int, tiled: bool, seed: int) -> None:
    """A random 8-bit RGB GeoTIFF, uncompressed, written in row blocks."""
    rng = np.random.default_rng(seed)
    profile = dict(
        driver='GTiff',
        width=size,
        height=size,
        count=3,
        dtype='uint8',
        crs='EPSG:32633',
        transform=rasterio.transform.from_origin(0, 0, 0.05, 0.05))
    if tiled:
        profile.update(tiled=True, blockxsize=256, blockysize=256)
    with rasterio.open(path, 'w', **profile) as dst:
        for y0 in range(0, size, 1000):
            rows = min(1000, size - y0)
            block = rng.integers(0, 256, (3, rows, size), dtype=np.uint8)
            dst.write(block, window=rasterio.windows.Window(0, y0, size, rows))


def map_views(pipeline: Sequence[dict], change: Callable) -> list:
    """A two-view pipeline whose views' transform lists are ``change``d."""
    result = []
    for cfg in pipeline:
        cfg = dict(cfg)
        if cfg['type'] == 'MultiView':
            cfg['transforms'] = [
                change(list(views)) for views in cfg['transforms']
            ]
        result.append(cfg)
    return result


def without_photometric(pipeline: Sequence[dict]) -> list:
    """A two-view pipeline without the colour augmentations that
    ``PhotometricAugDataPreprocessor`` batches (crop and flip remain)."""
    return map_views(
        pipeline, lambda views:
        [t for t in views if t not in photometric_transforms(views)])


def on_the_workers(pipeline: Sequence[dict], augments: Sequence[dict]) -> list:
    """``pipeline`` (the workers' part) with every view ending in
    ``augments``: the colour augmentations run per view on the workers."""
    return map_views(pipeline,
                     lambda views: views + [dict(t) for t in augments])


def view_transforms(pipeline: Sequence[dict]) -> list:
    """The transform configs of the views of a two-view pipeline."""
    return [
        t for step in pipeline if step['type'] == 'MultiView'
        for views in step['transforms'] for t in views
    ]


def time_patches(fetch: Callable[[int], dict], order: Sequence[int]) -> float:
    """Seconds per patch of ``fetch`` over ``order`` (after one warm-up)."""
    fetch(order[0])
    start = time.perf_counter()
    for idx in order[1:]:
        fetch(idx)
    return (time.perf_counter() - start) / max(1, len(order) - 1)


def main() -> None:
    args = parse_args()
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    cfg = Config.fromfile(CONFIG)
    workers_part = without_photometric(cfg.train_dataloader.dataset.pipeline)
    augments = config_photometric_augments(cfg)
    dataset_cfg = dict(
        cfg.train_dataloader.dataset,
        pipeline=on_the_workers(workers_part, augments))

    results = {}
    with tempfile.TemporaryDirectory() as tmp, \
            DefaultScope.overwrite_default_scope('mmpretrain'):
        for layout in ('striped', 'tiled'):
            root = osp.join(tmp, layout)
            os.makedirs(osp.join(root, 'pretrain'))
            tile = osp.join(root, 'pretrain', 'tile.tif')
            write_tile(tile, args.size, layout == 'tiled', args.seed)
            dataset = DATASETS.build(
                dict(
                    dataset_cfg,
                    data_root=root,
                    patch_size=args.patch_size,
                    stride=args.patch_size))
            # random access, as a shuffling sampler over many tiles makes it
            order = np.random.default_rng(args.seed).integers(
                0, len(dataset),
                max(args.patches, args.baseline_patches) + 1)
            results[f'ours_{layout}_s'] = time_patches(
                dataset.prepare_data, order[:args.patches + 1])
            results[f'ours_{layout}_read_s'] = time_patches(
                lambda i: dataset.read_patch(
                    tile,
                    dataset.get_data_info(i)['window']),
                order[:args.patches + 1])
            if layout == 'tiled':
                cpu_part = DATASETS.build(
                    dict(
                        dataset_cfg,
                        data_root=root,
                        patch_size=args.patch_size,
                        stride=args.patch_size,
                        pipeline=workers_part))
                results['cpu_part_tiled_s'] = time_patches(
                    cpu_part.prepare_data, order[:args.patches + 1])
            if layout != 'striped':
                continue
            pipeline = Compose(dataset_cfg['pipeline'])

            def whole_tile(idx: int) -> dict:
                y0, x0, y1, x1 = dataset.get_data_info(idx)['window']
                img = mmcv.imread(tile)[y0:y1, x0:x1]
                return pipeline(dict(img=img, img_shape=img.shape[:2]))

            results['baseline_s'] = time_patches(
                whole_tile, order[:args.baseline_patches + 1])
            results['baseline_read_s'] = time_patches(
                lambda i: mmcv.imread(tile), order[:args.baseline_patches + 1])

    (view_size, ) = {
        t['scale']
        for t in view_transforms(workers_part)
        if t['type'] == 'RandomResizedCrop'
    }
    batched = time_photometric_paths(
        augments,
        args.batched_views,
        view_size,
        device=args.device,
        seed=args.seed,
        chunk_size=args.chunk_size or None)
    report = dict(
        tile=f'{args.size}x{args.size}x3 uint8 GeoTIFF, uncompressed',
        patch_size=args.patch_size,
        patches_in_tile=len(dataset),
        ours_patches_per_s=round(1 / results['ours_striped_s'], 2),
        ours_tiled_patches_per_s=round(1 / results['ours_tiled_s'], 2),
        baseline_patches_per_s=round(1 / results['baseline_s'], 2),
        ratio=round(results['baseline_s'] / results['ours_striped_s'], 1),
        cpu_part_tiled_patches_per_s=round(1 / results['cpu_part_tiled_s'], 2),
        cpu_part_speedup=round(
            results['ours_tiled_s'] / results['cpu_part_tiled_s'], 2),
        full_transforms=[
            t['type'] for t in view_transforms(dataset_cfg['pipeline'])
        ],
        cpu_part_transforms=[t['type'] for t in view_transforms(workers_part)],
        batched_part=dict(
            device=args.device,
            views=args.batched_views,
            view_size=view_size,
            chunk_size=args.chunk_size or None,
            ms_per_view=round(batched['batched_s_per_view'] * 1e3, 3),
            cpu_transforms_ms_per_view=round(batched['cpu_s_per_view'] * 1e3,
                                             3),
            ratio=round(batched['ratio'], 2)),
        read_ms=dict(
            ours_striped=round(results['ours_striped_read_s'] * 1e3, 2),
            ours_tiled=round(results['ours_tiled_read_s'] * 1e3, 2),
            whole_tile=round(results['baseline_read_s'] * 1e3, 1)),
        threads=dict(
            torch=torch.get_num_threads(), opencv=cv2.getNumThreads()),
        machine=f'{platform.machine()}, python {platform.python_version()}')
    for key, value in report.items():
        print(f'{key}: {value}')
    print(json.dumps(report))


if __name__ == '__main__':
    main()

# Copyright (c) grass_mm contributors. All rights reserved.
"""Time the views' colour augmentations per view on the CPU vs batched.

The colour augmentations of a config's views (by default the SimCLR ones
of ``configs/_base_/datasets/potsdam_pretrain.py``: colour jitter, grey
scale, Gaussian blur), whether its data preprocessor or its view pipeline
runs them, run in one process

- ``cpu``: as mmpretrain's transforms, on one uint8 H x W x 3 view at a
  time, as each data worker runs them today;
- ``batched``: as :class:`grass_mm.models.PhotometricAugDataPreprocessor`
  runs them, on a batch of ``--views`` views on ``--device``, whole and in
  chunks of each of ``--chunk-sizes``.

Torch and OpenCV use one thread. One line per view size and chunk size
(the CPU path is timed again alongside each), then one JSON object;
``ratio`` is cpu over batched, in seconds per view.

Example:
    python tools/benchmark_photometric.py --sizes 224 112 --views 64
"""
import argparse
import json
import platform
from pathlib import Path

import cv2
import torch
from mmengine.config import Config

import grass_mm  # noqa: F401  (registers the preprocessor)
from grass_mm.analysis import (config_photometric_augments,
                               time_photometric_paths)

CONFIG = str(
    Path(__file__).resolve().parents[1] / 'configs/_base_/datasets' /
    'potsdam_pretrain.py')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--config',
        default=CONFIG,
        help='a pretraining config: the `augments` of its data preprocessor, '
        'else the photometric transforms of its `view_pipeline`')
    parser.add_argument('--sizes', type=int, nargs='+', default=[224, 112])
    parser.add_argument('--views', type=int, default=64)
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument(
        '--chunk-sizes',
        type=int,
        nargs='+',
        default=[0, 8],
        help="the preprocessor's chunk_size for each batched timing "
        '(0: the whole batch at once)')
    parser.add_argument('--device', default='cpu', help='cpu or cuda[:i]')
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    augments = config_photometric_augments(Config.fromfile(args.config))
    if not augments:
        raise SystemExit(f'error: {args.config} has no colour augmentation '
                         'in data_preprocessor.augments or view_pipeline')
    report = dict(
        transforms=[cfg['type'] for cfg in augments],
        views=args.views,
        device=args.device,
        threads=dict(
            torch=torch.get_num_threads(), opencv=cv2.getNumThreads()),
        machine=f'{platform.machine()}, python {platform.python_version()}')
    for size in args.sizes:
        for chunk in args.chunk_sizes:
            times = time_photometric_paths(augments, args.views, size,
                                           args.repeats, args.device,
                                           args.seed, chunk or None)
            name = f'{size}' + (f'_chunk{chunk}' if chunk else '')
            print(f'{name}: cpu {times["cpu_s_per_view"] * 1e3:.3f} '
                  f'ms/view, batched {times["batched_s_per_view"] * 1e3:.3f}'
                  f' ms/view, ratio {times["ratio"]:.2f}')
            report[name] = {
                key: round(value, 6 if key.endswith('_s_per_view') else 2)
                for key, value in times.items()
            }
    print(json.dumps(report))


if __name__ == '__main__':
    main()

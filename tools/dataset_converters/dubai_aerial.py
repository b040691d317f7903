# Copyright (c) grass_mm contributors. All rights reserved.
"""Convert the embedded Dubai aerial imagery (``demo/dubai_aerial``).

Writes ``img_dir/``, ``ann_dir/``, ``pretrain/`` and ``splits/`` (see
``grass_mm.datasets.converters.dubai_aerial``).

Example:
    python tools/dataset_converters/dubai_aerial.py demo/dubai_aerial \
        -o data/dubai-aerial
"""
import argparse

from grass_mm.datasets.converters import convert_dubai_aerial
from grass_mm.datasets.converters.cli import positive_int, run_converter
from grass_mm.datasets.converters.label_fractions import DEFAULT_PERCENTS


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src_dir', help='folder holding Tile 1 ... Tile 8')
    parser.add_argument('-o', '--out-dir', default='data/dubai-aerial')
    parser.add_argument('--clip-size', type=positive_int, default=256)
    parser.add_argument('--stride', type=positive_int, default=256)
    parser.add_argument(
        '--val-parts',
        type=positive_int,
        default=2,
        help='last image parts of each tile used for '
        'validation (default: 2)')
    parser.add_argument(
        '--fractions', type=float, nargs='+', default=list(DEFAULT_PERCENTS))
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--force', action='store_true')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    run_converter(
        convert_dubai_aerial,
        src_dir=args.src_dir,
        out_dir=args.out_dir,
        clip_size=args.clip_size,
        stride=args.stride,
        val_parts=args.val_parts,
        percents=args.fractions,
        seed=args.seed,
        force=args.force)


if __name__ == '__main__':
    main()

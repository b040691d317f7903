# Copyright (c) grass_mm contributors. All rights reserved.
"""Convert ISPRS Potsdam for GraSS pretraining and fine-tuning.

Reads ``2_Ortho_RGB.zip`` (or ``3_Ortho_IRRG.zip``, ``4_Ortho_RGBIR.zip``)
and ``5_Labels_all.zip`` (or ``5_Labels_all_noBoundary.zip``) and writes
``img_dir/``, ``ann_dir/``, ``pretrain/`` and ``splits/`` (see
``grass_mm.datasets.converters.orthophotos``).

Example:
    python tools/dataset_converters/potsdam.py ~/downloads/potsdam \
        -o data/potsdam --clip-size 512 --stride 256 --nproc 8
"""
import argparse

from grass_mm.datasets.converters import POTSDAM_ORTHOS, convert_potsdam
from grass_mm.datasets.converters.cli import (add_common_arguments,
                                              run_converter)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_common_arguments(parser, 'data/potsdam', patches=True)
    parser.add_argument('--ortho', choices=sorted(POTSDAM_ORTHOS),
                        default='RGB',
                        help='band combination to convert (default: RGB)')
    parser.add_argument('--eroded', action='store_true',
                        help='use 5_Labels_all_noBoundary.zip')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    run_converter(
        convert_potsdam,
        archive_dir=args.archive_dir,
        out_dir=args.out_dir,
        ortho=args.ortho,
        eroded=args.eroded,
        clip_size=args.clip_size,
        stride=args.stride,
        percents=args.fractions,
        seed=args.seed,
        nproc=args.nproc,
        force=args.force)


if __name__ == '__main__':
    main()

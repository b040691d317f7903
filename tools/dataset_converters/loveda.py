# Copyright (c) grass_mm contributors. All rights reserved.
"""Convert one LoveDA domain (Urban or Rural) for GraSS.

Reads ``Train.zip`` and ``Val.zip`` and writes ``img_dir/``, ``ann_dir/``,
``pretrain/`` and ``splits/`` of the domain (see
``grass_mm.datasets.converters.loveda``); run it once per domain.

Example:
    python tools/dataset_converters/loveda.py ~/downloads/loveda \
        --domain urban -o data/loveda-urban
"""
import argparse

from grass_mm.datasets.converters import convert_loveda
from grass_mm.datasets.converters.cli import (add_common_arguments,
                                              run_converter)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--domain',
        choices=('urban', 'rural'),
        required=True,
        help='LoveDA domain to convert')
    add_common_arguments(parser, 'data/loveda-<domain>')
    args = parser.parse_args()
    if args.out_dir == 'data/loveda-<domain>':
        args.out_dir = f'data/loveda-{args.domain}'
    return args


def main() -> None:
    args = parse_args()
    run_converter(
        convert_loveda,
        archive_dir=args.archive_dir,
        out_dir=args.out_dir,
        domain=args.domain,
        percents=args.fractions,
        seed=args.seed,
        nproc=args.nproc,
        force=args.force)


if __name__ == '__main__':
    main()

# Copyright (c) grass_mm contributors. All rights reserved.
"""Convert ISPRS Potsdam for GraSS pretraining and fine-tuning.

Reads ``2_Ortho_RGB.zip`` (or ``3_Ortho_IRRG.zip``, ``4_Ortho_RGBIR.zip``)
and the eroded labels ``5_Labels_all_noBoundary.zip`` (or, with
``--labels full`` or when the eroded ones are absent, ``5_Labels_all.zip``)
and writes ``img_dir/``, ``ann_dir/``, ``pretrain/`` and ``splits/`` (see
``grass_mm.datasets.converters.orthophotos``). The defaults are mmseg's
protocol: 512 x 512 patches every 512 pixels, 3,456 for training and 2,016
for validation; ``--stride`` makes only the training patches denser.

Example:
    python tools/dataset_converters/potsdam.py ~/downloads/potsdam \
        -o data/potsdam --nproc 8
"""
import argparse

from grass_mm.datasets.converters import POTSDAM_ORTHOS, convert_potsdam
from grass_mm.datasets.converters.cli import (add_common_arguments,
                                              run_converter)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_common_arguments(parser, 'data/potsdam', patches=True)
    parser.add_argument(
        '--ortho',
        choices=sorted(POTSDAM_ORTHOS),
        default='RGB',
        help='band combination to convert (default: RGB)')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    run_converter(
        convert_potsdam,
        archive_dir=args.archive_dir,
        out_dir=args.out_dir,
        ortho=args.ortho,
        labels=args.labels,
        clip_size=args.clip_size,
        stride=args.stride,
        bit_depth=args.bit_depth,
        percents=args.fractions,
        seed=args.seed,
        nproc=args.nproc,
        force=args.force)


if __name__ == '__main__':
    main()

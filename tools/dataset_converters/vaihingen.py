# Copyright (c) grass_mm contributors. All rights reserved.
"""Convert ISPRS Vaihingen for GraSS fine-tuning.

Reads ``ISPRS_semantic_labeling_Vaihingen.zip`` and
``ISPRS_semantic_labeling_Vaihingen_ground_truth_COMPLETE.zip`` (or the
``..._eroded_COMPLETE.zip``) and writes ``img_dir/``, ``ann_dir/``,
``pretrain/`` and ``splits/`` (see
``grass_mm.datasets.converters.orthophotos``).

Example:
    python tools/dataset_converters/vaihingen.py ~/downloads/vaihingen \
        -o data/vaihingen
"""
import argparse

from grass_mm.datasets.converters import convert_vaihingen
from grass_mm.datasets.converters.cli import (add_common_arguments,
                                              run_converter)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    add_common_arguments(parser, 'data/vaihingen', patches=True)
    parser.add_argument('--eroded', action='store_true',
                        help='use the ground truth without boundaries')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    run_converter(
        convert_vaihingen,
        archive_dir=args.archive_dir,
        out_dir=args.out_dir,
        eroded=args.eroded,
        clip_size=args.clip_size,
        stride=args.stride,
        percents=args.fractions,
        seed=args.seed,
        nproc=args.nproc,
        force=args.force)


if __name__ == '__main__':
    main()

# Copyright (c) grass_mm contributors. All rights reserved.
"""Convert ISPRS Vaihingen for GraSS fine-tuning.

Reads ``ISPRS_semantic_labeling_Vaihingen.zip`` and the eroded labels
``ISPRS_semantic_labeling_Vaihingen_ground_truth_eroded_COMPLETE.zip`` (or,
with ``--labels full`` or when the eroded ones are absent,
``..._ground_truth_COMPLETE.zip``) and writes ``img_dir/``, ``ann_dir/``,
``pretrain/`` and ``splits/`` (see
``grass_mm.datasets.converters.orthophotos``). The defaults are mmseg's
protocol: 512 x 512 patches every 512 pixels of each area, the last row and
column flush with its edge; ``--stride`` makes only the training patches
denser.

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
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    run_converter(
        convert_vaihingen,
        archive_dir=args.archive_dir,
        out_dir=args.out_dir,
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

# Copyright (c) grass_mm contributors. All rights reserved.
"""Write the backbone of a GraSS (or mmpretrain) checkpoint for mmseg.

The output holds the entries under ``--prefix`` without it, and loads into
mmseg's ``ResNet`` (``deep_stem=False``) with
``init_cfg=dict(type='Pretrained', checkpoint=OUT)`` or, checking that
every weight fits, ``type='StrictPretrained'``. Example::

    python tools/model_converters/grass2mmseg.py \\
        work_dirs/grass_r50_potsdam/epoch_350.pth \\
        work_dirs/grass_r50_potsdam/backbone.pth
"""
import argparse

# Importing grass_mm makes every checkpoint loader (local, http(s),
# open-mmlab://, ...) unpickle with torch.load(weights_only=True) through an
# allow-list of mmengine's checkpoint globals.
from grass_mm.checkpoint import (UnsafeCheckpointError,
                                 explain_unsafe_checkpoint,
                                 write_backbone_checkpoint)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Extract the backbone of a pretraining checkpoint')
    parser.add_argument('checkpoint', help='pretraining checkpoint')
    parser.add_argument('out', help='backbone-only checkpoint to write')
    parser.add_argument(
        '--prefix',
        default='backbone.',
        help='prefix of the backbone in the checkpoint (default: backbone.)')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    try:
        with explain_unsafe_checkpoint(args.checkpoint):
            count = write_backbone_checkpoint(args.checkpoint, args.out,
                                              args.prefix)
    except (FileNotFoundError, UnsafeCheckpointError, ValueError) as error:
        raise SystemExit(f'error: {error}')
    print(f'wrote {count} backbone tensors to {args.out}')


if __name__ == '__main__':
    main()

# Copyright (c) grass_mm contributors. All rights reserved.
"""Plot the loss, box area, kept-whole fraction, embedding health and probe
mIoU of a GraSS run.

Reads the scalars mmengine's ``LoggerHook`` writes with a ``LocalVisBackend``
(``<work_dir>/<timestamp>/vis_data/scalars.json``; every run of a work
directory, a resumed one included, oldest first) or one such JSON-lines
file, and writes the curves over the iterations as a PNG: the loss and the
sampling statistics, then ``embed_std``, ``effective_rank`` and
``probe/mIoU`` where EmbeddingHealthHook and SegmentationProbeHook logged
them.

Example:
    python tools/plot_sampling_curves.py work_dirs/grass_r50_potsdam \
        --out work_dirs/grass_r50_potsdam/sampling_curves.png
"""
import argparse
import os
import os.path as osp

from PIL import Image

from grass_mm.visualization import (find_scalar_logs, load_probe_scalars,
                                    load_training_scalars,
                                    render_sampling_curves)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('log', help='a work directory or a scalars JSON log')
    parser.add_argument('--out', required=True, help='the PNG to write')
    parser.add_argument(
        '--title',
        default=None,
        help='title of the plot; defaults to the log path')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    try:
        logs = find_scalar_logs(args.log)
    except FileNotFoundError as error:
        raise SystemExit(f'error: {error}')
    records = load_training_scalars(logs)
    if not records:
        raise SystemExit(f'error: no training losses in {", ".join(logs)}')
    image = render_sampling_curves(
        records,
        title=args.title if args.title is not None else args.log,
        probe_records=load_probe_scalars(logs))
    out_dir = osp.dirname(args.out)
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
    Image.fromarray(image).save(args.out)
    print(f'{len(records)} logged iterations from {len(logs)} log(s) -> '
          f'{args.out}')


if __name__ == '__main__':
    main()

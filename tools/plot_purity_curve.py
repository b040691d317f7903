# Copyright (c) grass_mm contributors. All rights reserved.
"""Plot the class purity of GraSS's boxes over a pretraining schedule.

Reads reports of ``tools/analyze_sampling.py`` made on checkpoints of
several epochs (any number per epoch, e.g. one per seed; the epoch is read
from the checkpoint's name) and draws the purity of the GS boxes, of random
boxes of the same size, of the boxes of the negated map and of the whole
view per epoch, with 95% intervals (over seeds, or for one report per
epoch over its patches), beside the paired differences. The curves are also
written as JSON next to the PNG.

Example:
    python tools/plot_purity_curve.py work_dirs/study/purity/*.json \
        --warmup 4 --out work_dirs/study/purity_curve.png
"""
import argparse
import json
import os
import os.path as osp

from PIL import Image

from grass_mm.visualization.purity_curve import (purity_curves,
                                                 render_purity_curve)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        'reports', nargs='+', help='JSON reports of tools/analyze_sampling.py')
    parser.add_argument(
        '--warmup',
        type=int,
        default=None,
        help='end of the ID warm-up, marked on the plot')
    parser.add_argument('--unit', default='epoch', help='x axis label')
    parser.add_argument('--out', required=True, help='the PNG to write')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    reports = []
    for path in args.reports:
        with open(path) as f:
            reports.append(json.load(f))
    try:
        curves = purity_curves(reports)
    except (KeyError, ValueError) as error:
        raise SystemExit(f'error: {error}')
    out_dir = osp.dirname(args.out)
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
    Image.fromarray(render_purity_curve(curves, args.warmup,
                                        args.unit)).save(args.out)
    with open(osp.splitext(args.out)[0] + '.json', 'w') as f:
        json.dump(curves, f, indent=2)
    for row, points in curves.items():
        print(f'{row:<18} ' +
              '  '.join(f'{p["step"]}: {p["mean"]:.3f}'
                        if p['mean'] is not None else f'{p["step"]}: n/a'
                        for p in points))
    units = sorted({p['unit'] for points in curves.values() for p in points})
    print('intervals over: ' + '; '.join(units))
    print(f'-> {args.out}')


if __name__ == '__main__':
    main()

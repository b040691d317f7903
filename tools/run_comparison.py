# Copyright (c) grass_mm contributors. All rights reserved.
"""Pretrain several methods, fine-tune each, and tabulate their mIoU.

The paper's comparison (https://arxiv.org/abs/2306.15868, Table II) as one
command: every method is pretrained with its config on the same data,
fine-tuned with the same fine-tuning config and label fraction, evaluated
with tools/test.py, and a markdown table of mIoU is written.

Example (8 GPUs, Potsdam, 10 % of the labels):
    python tools/run_comparison.py \
        --methods simclr=configs/simclr_r50_potsdam.py \
                  grass=configs/grass_r50_potsdam.py \
        --finetune \
            configs/finetune/upernet_r50-grass_4xb4-80k_potsdam-512x512.py \
        --data-root data/potsdam --gpus 8 --label-fraction 10
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys
from typing import List

from grass_mm.utils.comparison import (last_checkpoint, markdown_table,
                                       parse_methods, parse_miou)

TOOLS = osp.dirname(osp.abspath(__file__))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--methods', nargs='+', required=True,
                        metavar='NAME=CONFIG',
                        help='pretraining configs; the first is the baseline')
    parser.add_argument('--finetune', required=True,
                        help='fine-tuning config (mmseg)')
    parser.add_argument('--data-root', help='dataset folder written by a '
                        'converter; defaults to the configs\' own')
    parser.add_argument('--gpus', type=int, default=1,
                        help='processes per run; > 1 uses tools/dist_train.sh')
    parser.add_argument('--label-fraction', type=float, default=100,
                        help='percentage of labelled images '
                        '(splits/train_{p}pct.txt)')
    parser.add_argument('--work-dir', default='work_dirs/comparison')
    parser.add_argument('--pretrain-options', nargs='+', default=[],
                        metavar='KEY=VALUE', help='--cfg-options of every '
                        'pretraining run')
    parser.add_argument('--finetune-options', nargs='+', default=[],
                        metavar='KEY=VALUE', help='--cfg-options of every '
                        'fine-tuning run')
    return parser.parse_args()


def run(command: List[str]) -> str:
    """Run a command, echoing its output, and return the output."""
    print('+', ' '.join(command), flush=True)
    result = subprocess.run(command, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    sys.stdout.write(result.stdout)
    if result.returncode != 0:
        raise SystemExit(f'error: {command[1]} failed with exit code '
                         f'{result.returncode}')
    return result.stdout


def train(config: str, work_dir: str, gpus: int, options: List[str]) -> None:
    args = [config, '--work-dir', work_dir]
    if options:
        args += ['--cfg-options', *options]
    if gpus > 1:
        run(['bash', osp.join(TOOLS, 'dist_train.sh'), args[0], str(gpus),
             *args[1:]])
    else:
        run([sys.executable, osp.join(TOOLS, 'train.py'), *args])


def main() -> None:
    args = parse_args()
    methods = parse_methods(args.methods)
    fraction = f'{args.label_fraction:g}'
    pretrain_options = list(args.pretrain_options)
    finetune_options = list(args.finetune_options) + [
        f'train_dataloader.dataset.ann_file=splits/train_{fraction}pct.txt']
    if args.data_root:
        root = args.data_root.rstrip('/') + '/'
        pretrain_options.append(f'train_dataloader.dataset.data_root={root}')
        finetune_options += [
            f'{loader}.dataset.data_root={root}'
            for loader in ('train_dataloader', 'val_dataloader',
                           'test_dataloader')
        ]

    rows = []
    for name, config in methods.items():
        pretrain_dir = osp.join(args.work_dir, name, 'pretrain')
        finetune_dir = osp.join(args.work_dir, name, f'finetune_{fraction}pct')
        train(config, pretrain_dir, args.gpus, pretrain_options)
        checkpoint = last_checkpoint(pretrain_dir)
        train(args.finetune, finetune_dir, args.gpus, finetune_options + [
            f'model.backbone.init_cfg.checkpoint={checkpoint}'])
        output = run([
            sys.executable, osp.join(TOOLS, 'test.py'), args.finetune,
            last_checkpoint(finetune_dir), '--work-dir',
            osp.join(finetune_dir, 'test'), '--cfg-options', *finetune_options
        ])
        rows.append(dict(method=name, pretrain_config=config,
                         pretrained=checkpoint, miou=parse_miou(output)))

    table = markdown_table(rows, args.label_fraction)
    os.makedirs(args.work_dir, exist_ok=True)
    with open(osp.join(args.work_dir, 'results.md'), 'w') as f:
        f.write(table)
    with open(osp.join(args.work_dir, 'results.json'), 'w') as f:
        json.dump(dict(label_fraction=args.label_fraction, rows=rows), f,
                  indent=2)
    print()
    print(table, end='')


if __name__ == '__main__':
    main()

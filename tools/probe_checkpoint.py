# Copyright (c) grass_mm contributors. All rights reserved.
"""Score a pretraining checkpoint with the linear segmentation probe.

The probe of :class:`grass_mm.engine.SegmentationProbeHook`, run on any
GraSS or mmpretrain self-supervised checkpoint: a per-pixel ridge
classifier on the frozen backbone's multi-stage features, fitted on a
label-fraction split and scored (mIoU) on the validation images. Two
checkpoints compare in minutes instead of two fine-tunings. ``none`` as the
checkpoint probes the config's random initialisation.

The labelled sets are the config's ``SegmentationProbeHook`` entry, or
those of an mmseg fine-tuning config given with ``--data-config``.

Example:
    python tools/probe_checkpoint.py \
        configs/demo/grass_r18_1xb16-4e_dubai-aerial-demo.py \
        work_dirs/demo/pretrain/epoch_4.pth \
        --data-config \
        configs/demo/upernet_r18-grass_1xb8-300it_dubai-aerial-demo.py \
        --label-fraction 10 --out work_dirs/demo/probe.json
"""
import argparse
import json
import os
import os.path as osp

import torch
from mmengine.config import Config, DictAction

from grass_mm.apis import load_pretraining_model
from grass_mm.evaluation import (build_probe_sets, finetune_probe_datasets,
                                 probe_backbone)
from grass_mm.visualization import preprocessor_normalization


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='the pretraining config')
    parser.add_argument(
        'checkpoint', help="a checkpoint of that model, or 'none'")
    parser.add_argument(
        '--data-config',
        default=None,
        help='an mmseg fine-tuning config whose train and '
        'val sets the probe uses')
    parser.add_argument(
        '--label-fraction',
        type=int,
        default=10,
        help='with --data-config: the training split '
        'splits/train_{p}pct.txt (default 10)')
    parser.add_argument('--stride', type=int, default=8)
    parser.add_argument('--ridge', type=float, default=1e-2)
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument(
        '--seed',
        type=int,
        default=0,
        help="seed of the random initialisation ('none')")
    parser.add_argument(
        '--device', default=None, help='cuda when available, else cpu')
    parser.add_argument('--out', default=None, help='a JSON to write')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the pretraining config')
    return parser.parse_args()


def probe_sets(cfg: Config, args: argparse.Namespace):
    if args.data_config:
        return finetune_probe_datasets(
            Config.fromfile(args.data_config), args.label_fraction)
    for hook in cfg.get('custom_hooks', []):
        if hook.get('type') == 'SegmentationProbeHook':
            return hook['train_dataset'], hook['val_dataset']
    raise SystemExit(f'error: {args.config} has no SegmentationProbeHook in '
                     'custom_hooks: give the labelled sets with '
                     '--data-config FINETUNE_CONFIG')


def main() -> None:
    args = parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    checkpoint = None if args.checkpoint == 'none' else args.checkpoint
    if checkpoint is not None and not osp.isfile(checkpoint) and \
            '://' not in checkpoint:
        raise SystemExit(f'error: no checkpoint {checkpoint}')
    train_cfg, val_cfg = probe_sets(cfg, args)
    train_set, val_set, classes = build_probe_sets(train_cfg, val_cfg)
    if checkpoint is None:
        torch.manual_seed(args.seed)
    model = load_pretraining_model(cfg, checkpoint, device)
    algorithm = getattr(model, 'algorithm', model)
    result = probe_backbone(
        algorithm.backbone,
        train_set,
        val_set,
        preprocessor_normalization(model.data_preprocessor),
        num_classes=len(classes),
        classes=classes,
        stride=args.stride,
        ridge=args.ridge,
        batch_size=args.batch_size)
    for name in classes:
        print(f'{name:>16s}  {result[f"IoU.{name}"]:6.2f}')
    print(f'fitted on {result["pixels"]} pixels of {len(train_set)} '
          f'images, scored on {len(val_set)} images')
    print(f'probe mIoU: {result["mIoU"]:.2f}')
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(
                dict(
                    result,
                    config=args.config,
                    checkpoint=args.checkpoint,
                    label_fraction=args.label_fraction
                    if args.data_config else None),
                f,
                indent=2)


if __name__ == '__main__':
    main()

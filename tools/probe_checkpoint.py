# Copyright (c) grass_mm contributors. All rights reserved.
"""Score a pretraining checkpoint with the linear segmentation probe.

The probe of :class:`grass_mm.engine.SegmentationProbeHook`, run on any
GraSS or mmpretrain self-supervised checkpoint: a per-pixel ridge
classifier on the frozen backbone's multi-stage features, fitted on a
label-fraction split and scored (mIoU) on the validation images. Two
checkpoints compare in minutes instead of two fine-tunings. ``none`` as the
checkpoint probes the config's random initialisation.

The ``--out`` record holds, under ``setup``, everything the score depends
on (stride, ridge, feature stages, label fraction, the training and
validation sets) and the stack and package versions it ran on, so
``tools/summarize_probes.py`` pools only records that compare.

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
from typing import Optional, Sequence

import torch
from mmengine.config import Config, DictAction

import grass_mm
from grass_mm.apis import load_pretraining_model
from grass_mm.evaluation import (build_probe_sets, finetune_probe_datasets,
                                 probe_backbone, probe_stages)
from grass_mm.utils import check_versions, installed_providers
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
        '--num-workers',
        type=int,
        default=2,
        help='processes that read the images')
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


def describe_set(dataset_cfg: dict, dataset: Sequence) -> dict:
    """Which images a probe set holds: its type, files and size."""
    prefix = dataset_cfg.get('data_prefix') or {}
    return dict(
        type=dataset_cfg.get('type'),
        data_root=dataset_cfg.get('data_root'),
        ann_file=dataset_cfg.get('ann_file') or None,
        img_path=prefix.get('img_path'),
        images=len(dataset))


def package_versions() -> dict:
    """grass_mm's, torch's and the OpenMMLab distributions' versions."""
    versions = dict(grass_mm=grass_mm.__version__, torch=torch.__version__)
    for name, providers in installed_providers().items():
        named = [' '.join(str(p) for p in pair if p) for pair in providers]
        versions[name] = ', '.join(named) or None
    return versions


def probe_setup(args: argparse.Namespace, backbone: torch.nn.Module,
                sets: Sequence[tuple]) -> dict:
    """The record's ``setup``: what the score depends on, then versions.

    Args:
        args (argparse.Namespace): The parsed arguments.
        backbone (nn.Module): The probed backbone.
        sets (Sequence[tuple]): ``(config, dataset)`` of the training and
            the validation set.
    """
    stages: Optional[tuple] = probe_stages(backbone)
    (train_cfg, train_set), (val_cfg, val_set) = sets
    return dict(
        stride=args.stride,
        ridge=args.ridge,
        feature_stages=None if stages is None else list(stages),
        label_fraction=args.label_fraction if args.data_config else None,
        train_set=describe_set(train_cfg, train_set),
        val_set=describe_set(val_cfg, val_set),
        stack=check_versions(),
        versions=package_versions())


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
        batch_size=args.batch_size,
        num_workers=args.num_workers)
    for name in classes:
        print(f'{name:>16s}  {result[f"IoU.{name}"]:6.2f}')
    print(f'fitted on {result["pixels"]} pixels of {len(train_set)} '
          f'images, scored on {len(val_set)} images')
    print(f'probe mIoU: {result["mIoU"]:.2f}')
    if args.out:
        setup = probe_setup(args, algorithm.backbone, [(train_cfg, train_set),
                                                       (val_cfg, val_set)])
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(
                dict(
                    result,
                    config=args.config,
                    checkpoint=args.checkpoint,
                    label_fraction=setup['label_fraction'],
                    setup=setup),
                f,
                indent=2)


if __name__ == '__main__':
    main()

# Copyright (c) grass_mm contributors. All rights reserved.
"""Train a model (pretraining or fine-tuning) from an mmengine config."""
import argparse
import os

from mmengine.config import Config, DictAction

# Importing grass_mm checks the torch and OpenMMLab versions, makes every
# checkpoint loader (local, http(s), open-mmlab://, ...) unpickle weights
# only, through an allow-list of mmengine's checkpoint globals, and
# registers grass_mm's modules.
import grass_mm  # noqa: F401
from grass_mm.apis import (build_runner, enable_amp, enable_auto_scale_lr,
                           set_resume, set_work_dir, setup_launcher,
                           strip_collate_fn_scope)
from grass_mm.checkpoint import (UnsafeCheckpointError,
                                 explain_unsafe_checkpoint)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a model')
    parser.add_argument('config', help='config file')
    parser.add_argument(
        '--work-dir',
        help='where logs and checkpoints go; defaults to the config\'s '
        '`work_dir`, else work_dirs/<config name>')
    parser.add_argument(
        '--resume',
        nargs='?',
        const='auto',
        metavar='CHECKPOINT',
        help='resume from CHECKPOINT, or without a value from the latest '
        'checkpoint in the work dir')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='automatic mixed precision with a dynamic loss scale (GPU only)')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the learning rate with the total batch size')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config entries, e.g. key=value or a.b=value')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    # torch.distributed.launch passes --local-rank (torch >= 2.0) or
    # --local_rank (older); torchrun sets LOCAL_RANK instead.
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main() -> None:
    args = parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    strip_collate_fn_scope(cfg)
    set_work_dir(cfg, args.config, args.work_dir)
    set_resume(cfg, args.resume)
    try:
        if args.amp:
            enable_amp(cfg)
        if args.auto_scale_lr:
            enable_auto_scale_lr(cfg)
        setup_launcher(cfg, args.launcher)
    except (RuntimeError, ValueError) as error:
        raise SystemExit(f'error: {error}')

    runner = build_runner(cfg)
    try:
        with explain_unsafe_checkpoint(cfg.get('load_from')):
            runner.train()
    except UnsafeCheckpointError as error:
        raise SystemExit(f'error: {error}')


if __name__ == '__main__':
    main()

# Copyright (c) grass_mm contributors. All rights reserved.
"""Evaluate a checkpoint on the test set of an mmengine config."""
import argparse
import os

from mmengine.config import Config, DictAction
from mmengine.dist import is_main_process

# Importing grass_mm checks the torch and OpenMMLab versions, makes every
# checkpoint loader (local, http(s), open-mmlab://, ...) unpickle weights
# only, through an allow-list of mmengine's checkpoint globals, and
# registers grass_mm's modules.
import grass_mm  # noqa: F401
from grass_mm.apis import (add_dump_results, build_runner,
                           enable_visualization, set_work_dir, setup_launcher,
                           strip_collate_fn_scope)
from grass_mm.checkpoint import (UnsafeCheckpointError,
                                 explain_unsafe_checkpoint)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test a checkpoint')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--work-dir',
        help='where logs go; defaults to the config\'s `work_dir`, else '
        'work_dirs/<config name>')
    parser.add_argument(
        '--out', help='also dump the predictions to this .pkl file')
    parser.add_argument(
        '--show-dir', help='draw the predictions into this directory')
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
    cfg.load_from = args.checkpoint
    try:
        if args.out is not None:
            add_dump_results(cfg, args.out)
        if args.show_dir is not None:
            enable_visualization(cfg, args.show_dir)
        setup_launcher(cfg, args.launcher)
    except (RuntimeError, ValueError) as error:
        raise SystemExit(f'error: {error}')

    runner = build_runner(cfg)
    try:
        with explain_unsafe_checkpoint(args.checkpoint):
            metrics = runner.test()
    except UnsafeCheckpointError as error:
        raise SystemExit(f'error: {error}')
    if is_main_process():
        # one line per metric, mIoU last, for scripts that read the result
        for name in sorted(metrics, key=lambda key: key == 'mIoU'):
            print(f'{name}: {metrics[name]}')


if __name__ == '__main__':
    main()

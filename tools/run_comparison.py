# Copyright (c) grass_mm contributors. All rights reserved.
"""Pretrain several methods over seeds, fine-tune each, compare their mIoU.

The paper's comparison (https://arxiv.org/abs/2306.15868, Table II) as one
command, with the controls a reviewer asks for: every method is pretrained
with its config on the same data once per seed (``--seeds``), fine-tuned from
that checkpoint with the same fine-tuning config for every label fraction,
and evaluated with tools/test.py. ``randomness.seed`` of both runs is the
seed. The first method is the baseline.

Writes into ``--work-dir``: ``results.md`` and ``results.json`` (per method
and label fraction: mean, standard deviation and 95% Student-t interval of
the mIoU over seeds, and the paired difference to the baseline over the
seeds both have, with its 95% interval, its Bonferroni-adjusted interval
and the paired t-test's Holm-adjusted p-value, both adjusted over all the
comparisons with the baseline at that label fraction, and the exact sign
test's p-value), and ``per_seed_miou.png``. They are rewritten after every
finished run. Each run lives in ``{method}/seed_{s}/`` and is marked
finished by a ``result.json``; running the same command again skips
finished runs and resumes an interrupted one from its last checkpoint (with
every run finished, it only re-tabulates).

Example (8 GPUs, Potsdam, 5 seeds, 100 % and 10 % of the labels):
    python tools/run_comparison.py \\
        --methods simclr=configs/simclr_r50_potsdam.py \\
                  grass=configs/grass_r50_potsdam.py \\
        --finetune \\
            configs/finetune/upernet_r50-grass_4xb4-80k_potsdam-512x512.py \\
        --data-root data/potsdam --gpus 8 --seeds 5 \\
        --label-fraction 100 10
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys
from typing import List, Optional

from mmengine.config import Config
from PIL import Image

from grass_mm.analysis import (last_checkpoint, parse_methods, parse_miou,
                               parse_seeds, seeded_markdown_table,
                               summarise_runs)
from grass_mm.utils import nan_to_none
from grass_mm.visualization.seed_plot import render_seed_plot

TOOLS = osp.dirname(osp.abspath(__file__))
DONE = 'result.json'


class RunFailed(RuntimeError):
    """A training or test command exited with an error."""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        '--methods',
        nargs='+',
        required=True,
        metavar='NAME=CONFIG',
        help='pretraining configs; the first is the baseline')
    parser.add_argument(
        '--finetune', required=True, help='fine-tuning config (mmseg)')
    parser.add_argument(
        '--data-root',
        help='dataset folder written by a '
        'converter; defaults to the configs\' own')
    parser.add_argument(
        '--gpus',
        type=int,
        default=1,
        help='processes per run; > 1 uses tools/dist_train.sh')
    parser.add_argument(
        '--label-fraction',
        type=float,
        nargs='+',
        default=[100.0],
        metavar='P',
        help='percentages of labelled images '
        '(splits/train_{p}pct.txt); each fine-tunes from '
        'the same pretraining')
    parser.add_argument(
        '--seeds',
        default='1',
        metavar='K | S1,S2,...',
        help='a number of seeds (0 to K-1) or a '
        'comma-separated list; defaults to one seed, 0')
    parser.add_argument('--work-dir', default='work_dirs/comparison')
    parser.add_argument(
        '--pretrain-options',
        nargs='+',
        default=[],
        metavar='KEY=VALUE',
        help='--cfg-options of every '
        'pretraining run')
    parser.add_argument(
        '--finetune-options',
        nargs='+',
        default=[],
        metavar='KEY=VALUE',
        help='--cfg-options of every '
        'fine-tuning run')
    return parser.parse_args()


def run(command: List[str]) -> str:
    """Run a command, echoing its output, and return the output."""
    print('+', ' '.join(command), flush=True)
    result = subprocess.run(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sys.stdout.write(result.stdout)
    if result.returncode != 0:
        raise RunFailed(f'{osp.basename(command[1])} exited with code '
                        f'{result.returncode}')
    return result.stdout


def train(config: str, work_dir: str, gpus: int, options: List[str]) -> str:
    """Train (or resume an interrupted run) and return its last checkpoint."""
    args = [config, '--work-dir', work_dir]
    if osp.isfile(osp.join(work_dir, 'last_checkpoint')):
        args.append('--resume')
    if options:
        args += ['--cfg-options', *options]
    if gpus > 1:
        run([
            'bash',
            osp.join(TOOLS, 'dist_train.sh'), args[0],
            str(gpus), *args[1:]
        ])
    else:
        run([sys.executable, osp.join(TOOLS, 'train.py'), *args])
    return last_checkpoint(work_dir)


def read_json(path: str) -> Optional[dict]:
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def write_json(path: str, value) -> None:
    """Write JSON atomically (a killed run never leaves half a file)."""
    with open(path + '.tmp', 'w') as f:
        json.dump(value, f, indent=2, allow_nan=True)
    os.replace(path + '.tmp', path)


def write_reports(work_dir: str, methods: dict, seeds: List[int],
                  fractions: List[float], runs: List[dict]) -> None:
    """results.md, results.json and per_seed_miou.png of the finished runs."""
    if not runs:
        return
    names = list(methods)
    rows = summarise_runs(runs, names)
    table = seeded_markdown_table(rows, methods)
    with open(osp.join(work_dir, 'results.md'), 'w') as f:
        f.write(table)
    planned = len(methods) * len(seeds) * len(fractions)
    write_json(
        osp.join(work_dir, 'results.json'),
        nan_to_none(
            dict(
                baseline=names[0],
                methods=methods,
                seeds=seeds,
                label_fractions=fractions,
                finished=len(runs),
                planned=planned,
                summary=rows,
                runs=runs)))
    Image.fromarray(render_seed_plot(runs, names)).save(
        osp.join(work_dir, 'per_seed_miou.png'))
    print(f'\n{len(runs)} of {planned} runs finished\n{table}', flush=True)


def main() -> None:
    args = parse_args()
    try:
        methods = parse_methods(args.methods)
        seeds = parse_seeds(args.seeds)
    except ValueError as error:
        raise SystemExit(f'error: {error}')
    fractions = list(dict.fromkeys(args.label_fraction))
    pretrain_options = list(args.pretrain_options)
    finetune_options = list(args.finetune_options)
    if args.data_root:
        root = args.data_root.rstrip('/') + '/'
        pretrain_options.append(f'train_dataloader.dataset.data_root={root}')
        finetune_options += [
            f'{loader}.dataset.data_root={root}'
            for loader in ('train_dataloader', 'val_dataloader',
                           'test_dataloader')
        ]
    os.makedirs(args.work_dir, exist_ok=True)

    runs = []
    for seed in seeds:
        for name, config in methods.items():
            seed_dir = osp.join(args.work_dir, name, f'seed_{seed}')
            seed_option = [f'randomness.seed={seed}']
            probe_options = probe_data_root_options(
                config, root) if args.data_root else []
            try:
                checkpoint = None
                for fraction in fractions:
                    run_dir = osp.join(seed_dir, f'finetune_{fraction:g}pct')
                    finished = read_json(osp.join(run_dir, DONE))
                    if finished is not None:
                        runs.append(finished)
                        continue
                    checkpoint = checkpoint or pretrain(
                        config, osp.join(seed_dir, 'pretrain'), args.gpus,
                        pretrain_options + probe_options + seed_option)
                    runs.append(
                        finetune(
                            args, run_dir, checkpoint, fraction,
                            finetune_options + seed_option,
                            dict(
                                method=name, seed=seed,
                                pretrain_config=config)))
                    write_reports(args.work_dir, methods, seeds, fractions,
                                  runs)
            except (RunFailed, FileNotFoundError, ValueError) as error:
                write_reports(args.work_dir, methods, seeds, fractions, runs)
                raise SystemExit(
                    f'error: {name}, seed {seed} ({seed_dir}): {error}. The '
                    f'{len(runs)} finished runs are kept; run the same '
                    'command again to resume.')
    write_reports(args.work_dir, methods, seeds, fractions, runs)


def probe_data_root_options(config: str, root: str) -> List[str]:
    """Point the config's segmentation probes at ``root`` as well."""
    try:
        hooks = Config.fromfile(config).get('custom_hooks', [])
    except FileNotFoundError:
        return []  # reported by the pretraining itself
    return [
        f'custom_hooks.{index}.{dataset}.data_root={root}'
        for index, hook in enumerate(hooks)
        if hook.get('type') == 'SegmentationProbeHook'
        for dataset in ('train_dataset', 'val_dataset')
    ]


def pretrain(config: str, work_dir: str, gpus: int, options: List[str]) -> str:
    """A pretraining's final checkpoint, training it unless it finished."""
    marker = osp.join(work_dir, DONE)
    finished = read_json(marker)
    if finished is not None:
        return finished['checkpoint']
    checkpoint = train(config, work_dir, gpus, options)
    write_json(marker, dict(checkpoint=checkpoint))
    return checkpoint


def finetune(args: argparse.Namespace, run_dir: str, checkpoint: str,
             fraction: float, options: List[str], record: dict) -> dict:
    """Fine-tune from ``checkpoint``, test, and mark the run finished."""
    options = options + [
        f'train_dataloader.dataset.ann_file=splits/train_{fraction:g}pct.txt'
    ]
    finetuned = train(
        args.finetune, run_dir, args.gpus,
        options + [f'model.backbone.init_cfg.checkpoint={checkpoint}'])
    output = run([
        sys.executable,
        osp.join(TOOLS, 'test.py'), args.finetune, finetuned, '--work-dir',
        osp.join(run_dir, 'test'), '--cfg-options', *options
    ])
    result = dict(
        record,
        label_fraction=fraction,
        pretrained=checkpoint,
        miou=parse_miou(output))
    write_json(osp.join(run_dir, DONE), result)
    return result


if __name__ == '__main__':
    main()

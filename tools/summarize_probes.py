# Copyright (c) grass_mm contributors. All rights reserved.
"""Tabulate probe results of several methods and seeds.

Reads the JSON files of ``tools/probe_checkpoint.py --out``, named
``{method}_seed{seed}.json`` (as ``tools/run_evidence_study.sh`` writes
them), and prints per method the probe mIoU's mean, standard deviation and
95% Student-t interval over seeds, and the paired difference to the
baseline method over the seeds both have, with its interval and tests
unadjusted and adjusted for all the comparisons with the baseline (the
statistics of ``tools/run_comparison.py``, for the linear segmentation
probe of `GraSS <https://arxiv.org/abs/2306.15868>`_ and other checkpoints
instead of a fine-tuning).

Example:
    python tools/summarize_probes.py work_dirs/evidence/probe/*_seed*.json \
        --baseline simclr --out work_dirs/evidence/probe_results.md
"""
import argparse
import json
import os.path as osp
import re
from typing import Dict, List, Tuple

from grass_mm.analysis import seeded_markdown_table, summarise_runs

_NAME = re.compile(r'^(?P<method>.+)_seed(?P<seed>\d+)\.json$')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        'results', nargs='+', help='probe JSON files named METHOD_seedS.json')
    parser.add_argument(
        '--baseline',
        default=None,
        help='the method differences are measured against '
        '(default: the first method in name order)')
    parser.add_argument(
        '--out', default=None, help='a markdown file to write the table to')
    return parser.parse_args()


def read_probe_runs(files: List[str]) -> Tuple[List[dict], Dict[str, str]]:
    """The runs of :func:`summarise_runs` and each method's config.

    Raises:
        SystemExit: When a file's name is not ``METHOD_seedS.json``, a file
            has no ``mIoU``, a method was probed with two label fractions
            or configs, or a method and seed appear twice.
    """
    runs, configs, seen = [], {}, set()
    for file in files:
        match = _NAME.match(osp.basename(file))
        if match is None:
            raise SystemExit(f'error: {file}: the name is not '
                             'METHOD_seedS.json')
        method, seed = match['method'], int(match['seed'])
        with open(file) as f:
            result = json.load(f)
        if not isinstance(result, dict) or not isinstance(
                result.get('mIoU'), (int, float)):
            raise SystemExit(f'error: {file}: no mIoU (not a probe result '
                             'of tools/probe_checkpoint.py --out?)')
        if (method, seed) in seen:
            raise SystemExit(f'error: {file}: {method} seed {seed} twice')
        seen.add((method, seed))
        config = result.get('config', '?')
        if configs.setdefault(method, config) != config:
            raise SystemExit(f'error: {file}: {method} was probed with '
                             f'{configs[method]} and {config}')
        fraction = result.get('label_fraction')
        runs.append(
            dict(
                method=method,
                seed=seed,
                miou=result['mIoU'],
                label_fraction=-1 if fraction is None else fraction))
    if len({run['label_fraction'] for run in runs}) > 1:
        raise SystemExit('error: the results were probed with different '
                         'label fractions: tabulate each on its own')
    return runs, configs


def main() -> None:
    args = parse_args()
    runs, configs = read_probe_runs(args.results)
    methods = sorted(configs)
    baseline = args.baseline or methods[0]
    if baseline not in configs:
        raise SystemExit(f'error: --baseline {baseline}: no result of it '
                         f'(methods: {", ".join(methods)})')
    methods.remove(baseline)
    methods.insert(0, baseline)
    table = seeded_markdown_table(
        summarise_runs(runs, methods, baseline), configs, baseline)
    table = table.replace('| mIoU, mean', '| probe mIoU, mean')
    print(table, end='')
    if args.out:
        with open(args.out, 'w') as f:
            f.write(table)


if __name__ == '__main__':
    main()

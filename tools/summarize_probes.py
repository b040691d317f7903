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

Only records that compare are pooled: those whose ``setup`` (written by
``tools/probe_checkpoint.py``) agrees on every field the score depends on
(stride, ridge, feature stages, label fraction, training and validation
sets); a difference there is an error naming the field and two files.
Differing versions (``stack``, ``versions.*``) are only warned about: the
same probe on another machine. Records without a ``setup`` (written before
it existed) pool unchecked, and only among themselves.

Example:
    python tools/summarize_probes.py work_dirs/evidence/probe/*_seed*.json \
        --baseline simclr --out work_dirs/evidence/probe_results.md
"""
import argparse
import json
import os.path as osp
import re
import sys
from typing import Dict, List, Tuple

from grass_mm.analysis import seeded_markdown_table, summarise_runs

_NAME = re.compile(r'^(?P<method>.+)_seed(?P<seed>\d+)\.json$')
# Fields of ``setup`` that say where a probe ran, not what it computed:
# records that differ there are pooled with a warning.
_ENVIRONMENT = ('stack', 'versions')
_ABSENT = '(absent)'


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


def setup_fields(setup: dict, prefix: str = '') -> Dict[str, object]:
    """A record's ``setup`` flattened: ``val_set.images`` to its value."""
    fields = {}
    for key, value in setup.items():
        name = f'{prefix}{key}'
        if isinstance(value, dict) and value:
            fields.update(setup_fields(value, f'{name}.'))
        else:
            fields[name] = value
    return fields


def check_setups(records: Dict[str, dict]) -> List[str]:
    """Check that the records' setups let their scores be pooled.

    Args:
        records (dict[str, dict]): File name to its probe record.

    Returns:
        list[str]: Warnings: differing versions, or that no record carries
        a ``setup`` (then nothing is checked).

    Raises:
        SystemExit: When some records carry a ``setup`` and others do not,
            or two records differ in (or one lacks) a field the score
            depends on; the message names the field and both files.
    """
    files = list(records)
    with_setup = [file for file in files if 'setup' in records[file]]
    if not with_setup:
        return ['records carry no setup: pooled unchecked']
    without = [file for file in files if file not in with_setup]
    if without:
        raise SystemExit(f'error: {with_setup[0]} carries a probe setup and '
                         f'{without[0]} does not (written before setups '
                         'were recorded?): they cannot be checked to '
                         'compare; probe again or tabulate them separately')
    fields = {}
    for file in files:
        setup = records[file]['setup']
        if not isinstance(setup, dict):
            raise SystemExit(f'error: {file}: `setup` is not a mapping')
        fields[file] = setup_fields(setup)
    names = dict.fromkeys(name for each in fields.values() for name in each)
    warnings = []
    for name in names:
        values = {file: fields[file].get(name, _ABSENT) for file in files}
        first = files[0]
        other = next((file for file in files if values[file] != values[first]),
                     None)
        if other is None:
            continue
        difference = (f'setup field `{name}` differs: {first} has '
                      f'{values[first]!r}, {other} has {values[other]!r}')
        if name.split('.')[0] in _ENVIRONMENT:
            warnings.append(f'warning: {difference}; pooled anyway (where '
                            'the probe ran, not what it computed)')
        else:
            raise SystemExit(f'error: {difference}: probe scores of '
                             'different setups do not compare; tabulate '
                             'them separately')
    return warnings


def read_probe_runs(files: List[str]) -> Tuple[List[dict], Dict[str, str]]:
    """The runs of :func:`summarise_runs` and each method's config.

    Raises:
        SystemExit: When a file's name is not ``METHOD_seedS.json``, a file
            has no ``mIoU``, a method was probed with two label fractions
            or configs, a method and seed appear twice, or the records'
            setups do not compare (:func:`check_setups`).
    """
    runs, configs, seen, records = [], {}, set(), {}
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
        records[file] = result
        config = result.get('config', '?')
        if configs.setdefault(method, config) != config:
            raise SystemExit(f'error: {file}: {method} was probed with '
                             f'{configs[method]} and {config}')
        runs.append(
            dict(
                method=method,
                seed=seed,
                miou=result['mIoU'],
                label_fraction=result.get('label_fraction')))
    if len({run['label_fraction'] for run in runs}) > 1:
        raise SystemExit('error: the results were probed with different '
                         'label fractions: tabulate each on its own')
    for warning in check_setups(records):
        print(warning, file=sys.stderr)
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

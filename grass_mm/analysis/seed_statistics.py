# Copyright (c) grass_mm contributors. All rights reserved.
"""Statistics of a seeded comparison: means, intervals, paired differences.

A comparison of self-supervised methods (e.g. SimCLR against `GraSS
<https://arxiv.org/abs/2306.15868>`_) pretrains and fine-tunes every method
once per seed. Seeds are few (5 to 10), so intervals use Student's t
distribution, and a method is compared with the baseline by the per-seed
differences of runs with the same seed (a paired comparison), which removes
the variation that both share (the same label split, the same seed of the
fine-tuning).
"""
import math
from typing import Dict, List, Optional, Sequence

import numpy as np
from scipy import stats


def student_interval(values: Sequence[float],
                     confidence: float = 0.95) -> Dict[str, float]:
    """Mean, standard deviation and Student-t interval of the mean.

    Args:
        values (Sequence[float]): The sample (e.g. one mIoU per seed).
        confidence (float): Coverage of the interval. Defaults to 0.95.

    Returns:
        dict[str, float]: ``n``, ``mean``, ``std`` (``ddof=1``) and
        ``ci_low``/``ci_high``: ``mean -+ t_{n-1} * std / sqrt(n)``. With one
        value ``std`` and the bounds are nan; with none, everything but
        ``n`` is.
    """
    values = np.asarray(values, dtype=np.float64).ravel()
    n = int(values.size)
    result = dict(
        n=n, mean=math.nan, std=math.nan, ci_low=math.nan, ci_high=math.nan)
    if n == 0:
        return result
    result['mean'] = float(values.mean())
    if n == 1:
        return result
    result['std'] = float(values.std(ddof=1))
    half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * result['std'] \
        / math.sqrt(n)
    result['ci_low'] = result['mean'] - half
    result['ci_high'] = result['mean'] + half
    return result


def summarise_runs(runs: List[dict],
                   methods: Sequence[str],
                   baseline: Optional[str] = None) -> List[dict]:
    """One row per label fraction and method: its mIoU and its gain.

    Args:
        runs (list[dict]): Finished runs, each with ``method``, ``seed``,
            ``label_fraction`` and ``miou``.
        methods (Sequence[str]): The methods, in table order.
        baseline (str, optional): The method gains are measured against.
            Defaults to None, the first of ``methods``.

    Returns:
        list[dict]: Rows with ``label_fraction``, ``method``, ``seeds``,
        ``miou`` (:func:`student_interval` of its runs) and ``difference``
        (:func:`student_interval` of ``miou - baseline miou`` over the
        seeds both have, with those ``seeds``; None for the baseline).
    """
    baseline = baseline or methods[0]
    fractions = sorted({run['label_fraction'] for run in runs}, reverse=True)
    rows = []
    for fraction in fractions:
        by_method = {
            method: {
                run['seed']: run['miou']
                for run in runs if run['method'] == method
                and run['label_fraction'] == fraction
            }
            for method in methods
        }
        reference = by_method[baseline]
        for method in methods:
            mious = by_method[method]
            row = dict(
                label_fraction=fraction,
                method=method,
                seeds=sorted(mious),
                miou=student_interval([mious[s] for s in sorted(mious)]),
                difference=None)
            if method != baseline:
                paired = sorted(set(mious) & set(reference))
                row['difference'] = dict(
                    student_interval([mious[s] - reference[s]
                                      for s in paired]),
                    seeds=paired)
            rows.append(row)
    return rows


def _interval(stats_: dict, signed: bool = False) -> str:
    if math.isnan(stats_['mean']):
        return 'n/a'
    sign = '+' if signed else ''
    text = f'{stats_["mean"]:{sign}.2f}'
    if not math.isnan(stats_['ci_low']):
        text += (f' [{stats_["ci_low"]:{sign}.2f}, '
                 f'{stats_["ci_high"]:{sign}.2f}]')
    return text


def seeded_markdown_table(rows: List[dict],
                          configs: Dict[str, str],
                          baseline: Optional[str] = None) -> str:
    """The rows of :func:`summarise_runs` as a markdown table.

    Args:
        rows (list[dict]): From :func:`summarise_runs`.
        configs (dict[str, str]): Pretraining config of each method.
        baseline (str, optional): Name of the baseline in the header.
            Defaults to None, the first row's method.

    Returns:
        str: The table, ending with a newline.
    """
    baseline = baseline or rows[0]['method']
    lines = [
        f'| method | pretraining config | labels | seeds | mIoU, mean '
        f'[95% CI] | std | vs {baseline}, paired mean [95% CI] |',
        '| --- | --- | --- | --- | --- | --- | --- |',
    ]
    for row in rows:
        miou, diff = row['miou'], row['difference']
        std = 'n/a' if math.isnan(miou['std']) else f'{miou["std"]:.2f}'
        gain = '(baseline)' if diff is None else (
            f'{_interval(diff, signed=True)} (n={diff["n"]})')
        lines.append(
            f"| {row['method']} | `{configs[row['method']]}` | "
            f"{row['label_fraction']:g}% | {miou['n']} | {_interval(miou)} | "
            f'{std} | {gain} |')
    return '\n'.join(lines) + '\n'

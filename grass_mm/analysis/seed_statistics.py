# Copyright (c) grass_mm contributors. All rights reserved.
"""Statistics of a seeded comparison: means, intervals, paired differences.

A comparison of self-supervised methods (e.g. SimCLR against `GraSS
<https://arxiv.org/abs/2306.15868>`_) pretrains and fine-tunes every method
once per seed. Seeds are few (5 to 10), so intervals use Student's t
distribution, and a method is compared with the baseline by the per-seed
differences of runs with the same seed (a paired comparison), which removes
the variation that both share (the same label split, the same seed of the
fine-tuning).

Several methods compared with one baseline are several tests: at 95% each,
four comparisons of methods that all equal the baseline find at least one
"difference" far more often than 5% of the time. So each comparison also
gets p-values Holm-adjusted over all comparisons with the baseline at the
same label fraction, and an interval Bonferroni-adjusted over the same
family (see :mod:`~grass_mm.analysis.significance`).
"""
import math
from typing import Dict, List, Optional, Sequence

import numpy as np
from scipy import stats

from .significance import holm_adjust, paired_t_test, sign_test

# What :func:`compare_family` adds to a row (None for the baseline's).
_COMPARISON_KEYS = ('t_test_p', 'sign_test_p', 'holm_p', 'family_size',
                    'adjusted_difference')


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


def paired_differences(values: Dict[int, float],
                       reference: Dict[int, float]) -> Dict[int, float]:
    """Per-seed ``value - reference`` over the seeds both have.

    Args:
        values (dict[int, float]): A method's result of each seed.
        reference (dict[int, float]): The baseline's result of each seed.

    Returns:
        dict[int, float]: The difference of each shared seed, by seed.
    """
    return {
        seed: values[seed] - reference[seed]
        for seed in sorted(set(values) & set(reference))
    }


def compare_family(differences: Sequence[Sequence[float]],
                   confidence: float = 0.95) -> List[dict]:
    """Tests and intervals of a family of comparisons with one baseline.

    The family is every comparison in ``differences``; those with at least
    two differences are tested, and ``m`` is their number. Each gets the
    unadjusted two-sided paired t-test and exact sign test, the paired
    t-test's p-value adjusted with Holm's method over the ``m`` tests, and a
    Bonferroni-adjusted interval: the Student-t interval at confidence
    ``1 - (1 - confidence) / m``, so that the ``m`` intervals cover their
    true differences all at once with probability at least ``confidence``.
    (Holm's step-down method gives no interval of its own, so intervals are
    Bonferroni's and p-values Holm's.)

    Args:
        differences (Sequence[Sequence[float]]): The paired per-seed
            differences of each comparison of the family.
        confidence (float): Family-wise coverage of the adjusted intervals;
            ``1 - confidence`` is the family-wise error rate Holm's p-values
            are meant to be compared with. Defaults to 0.95.

    Returns:
        list[dict]: Per comparison, in order: ``t_test_p``, ``sign_test_p``
        (both unadjusted), ``holm_p``, ``family_size`` (``m``) and
        ``adjusted_difference`` (:func:`student_interval` at the Bonferroni
        confidence, with that ``confidence``).
    """
    t_test_p = [paired_t_test(d) for d in differences]
    holm_p = holm_adjust(t_test_p)
    m = sum(not math.isnan(p) for p in t_test_p)
    adjusted = 1 - (1 - confidence) / max(m, 1)
    return [
        dict(
            t_test_p=p,
            sign_test_p=sign_test(d),
            holm_p=holm,
            family_size=m,
            adjusted_difference=dict(
                student_interval(d, adjusted), confidence=adjusted))
        for d, p, holm in zip(differences, t_test_p, holm_p)
    ]


def summarise_runs(runs: List[dict],
                   methods: Sequence[str],
                   baseline: Optional[str] = None,
                   confidence: float = 0.95) -> List[dict]:
    """One row per label fraction and method: its mIoU and its gain.

    Every method but the baseline is compared with the baseline, paired by
    seed. The comparisons at one label fraction are one family
    (:func:`compare_family`): Holm's adjustment of the paired t-test and the
    Bonferroni-adjusted intervals account for all of them together.

    Args:
        runs (list[dict]): Finished runs, each with ``method``, ``seed``,
            ``label_fraction`` (None when unknown; shown as ``-``) and
            ``miou``.
        methods (Sequence[str]): The methods, in table order.
        baseline (str, optional): The method gains are measured against.
            Defaults to None, the first of ``methods``.
        confidence (float): Coverage of the unadjusted intervals, and the
            family-wise coverage of the adjusted ones. Defaults to 0.95.

    Returns:
        list[dict]: Rows with ``label_fraction``, ``method``, ``seeds``,
        ``miou`` (:func:`student_interval` of its runs), ``difference``
        (:func:`student_interval` of ``miou - baseline miou`` over the
        seeds both have, with those ``seeds``; unadjusted) and the keys of
        :func:`compare_family` (``t_test_p``, ``sign_test_p``, ``holm_p``,
        ``family_size``, ``adjusted_difference``); for the baseline,
        ``difference`` and those keys are None.
    """
    baseline = baseline or methods[0]
    others = [method for method in methods if method != baseline]
    # an unknown fraction (None) sorts last
    fractions = sorted({run['label_fraction']
                        for run in runs},
                       key=lambda f: (f is not None, f or 0),
                       reverse=True)
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
        paired = {
            method: paired_differences(by_method[method], by_method[baseline])
            for method in others
        }
        tests = compare_family(
            [list(paired[other].values()) for other in others], confidence)
        family = dict(zip(others, tests))
        for method in methods:
            mious = by_method[method]
            row = dict(
                label_fraction=fraction,
                method=method,
                seeds=sorted(mious),
                miou=student_interval([mious[s] for s in sorted(mious)],
                                      confidence),
                difference=None,
                **dict.fromkeys(_COMPARISON_KEYS))
            if method != baseline:
                row['difference'] = dict(
                    student_interval(
                        list(paired[method].values()), confidence),
                    seeds=list(paired[method]))
                row.update(family[method])
                row['adjusted_difference']['seeds'] = list(paired[method])
            rows.append(row)
    return rows


def _fraction(label_fraction: Optional[float]) -> str:
    """A label fraction in a table: ``10%``, or ``-`` when unknown."""
    return '-' if label_fraction is None else f'{label_fraction:g}%'


def _interval(stats_: dict, signed: bool = False) -> str:
    if math.isnan(stats_['mean']):
        return 'n/a'
    sign = '+' if signed else ''
    text = f'{stats_["mean"]:{sign}.2f}'
    if not math.isnan(stats_['ci_low']):
        text += (f' [{stats_["ci_low"]:{sign}.2f}, '
                 f'{stats_["ci_high"]:{sign}.2f}]')
    return text


def _bounds(stats_: dict) -> str:
    if math.isnan(stats_['ci_low']):
        return 'n/a'
    return f'[{stats_["ci_low"]:+.2f}, {stats_["ci_high"]:+.2f}]'


def _p_value(p: float) -> str:
    return 'n/a' if math.isnan(p) else f'{p:.3g}'


def adjustment_note(rows: List[dict],
                    baseline: str,
                    confidence: float = 0.95) -> str:
    """The sentence that says what a table's adjusted columns adjust for.

    Args:
        rows (list[dict]): From :func:`summarise_runs`.
        baseline (str): Name of the baseline.
        confidence (float): The ``confidence`` of :func:`summarise_runs`.
            Defaults to 0.95.

    Returns:
        str: The family (the comparisons with ``baseline`` at each label
        fraction, and how many), the adjustments (Holm for the paired
        t-test's p-values, Bonferroni for the intervals, with their joint
        and single coverage) and which columns are unadjusted.
    """
    sizes = {
        row['label_fraction']: row['family_size']
        for row in rows if row['family_size'] is not None
    }
    counts = list(dict.fromkeys(sizes.values()))  # in the rows' order
    if max(counts) == 0:
        return (f'No comparison with {baseline} has two paired seeds: '
                'nothing is tested or adjusted.')
    if len(counts) == 1:
        plural = '' if counts[0] == 1 else 's'
        family = f'the {counts[0]} comparison{plural}'
    else:
        per_fraction = ', '.join(f'{size} at {_fraction(fraction)}'
                                 for fraction, size in sizes.items())
        family = f'the comparisons ({per_fraction})'
    each = ' or '.join(f'{1 - (1 - confidence) / m:.2%}' for m in counts if m)
    return (f'p (paired t): Holm-adjusted over {family} with {baseline} at '
            f'each label fraction; adjusted intervals: Bonferroni over the '
            f'same, simultaneous {confidence:.0%} (each at {each}). '
            f'Unadjusted: the mIoU and paired {confidence:.0%} intervals and '
            'p (sign test), exact and two-sided.')


def seeded_markdown_table(rows: List[dict],
                          configs: Dict[str, str],
                          baseline: Optional[str] = None,
                          confidence: float = 0.95) -> str:
    """The rows of :func:`summarise_runs` as a markdown table and a note.

    Args:
        rows (list[dict]): From :func:`summarise_runs`.
        configs (dict[str, str]): Pretraining config of each method.
        baseline (str, optional): Name of the baseline in the header.
            Defaults to None, the first row's method.
        confidence (float): The ``confidence`` of :func:`summarise_runs`.
            Defaults to 0.95.

    Returns:
        str: The table, then, when a row is compared with the baseline, a
        blank line and :func:`adjustment_note`; ending with a newline.
    """
    baseline = baseline or rows[0]['method']
    level = f'{confidence:.0%}'
    lines = [
        f'| method | pretraining config | labels | seeds | mIoU, mean '
        f'[{level} CI] | std | vs {baseline}, paired mean [{level} CI] | '
        f'adjusted [simultaneous {level} CI] | p (paired t), Holm | '
        'p (sign test) |',
        '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ]
    for row in rows:
        miou, diff = row['miou'], row['difference']
        std = 'n/a' if math.isnan(miou['std']) else f'{miou["std"]:.2f}'
        if diff is None:
            gain = '(baseline) | | |'
        else:
            gain = (f'{_interval(diff, signed=True)} (n={diff["n"]}) | '
                    f'{_bounds(row["adjusted_difference"])} | '
                    f'{_p_value(row["holm_p"])} | '
                    f'{_p_value(row["sign_test_p"])}')
        lines.append(f"| {row['method']} | `{configs[row['method']]}` | "
                     f"{_fraction(row['label_fraction'])} | {miou['n']} | "
                     f'{_interval(miou)} | {std} | {gain} |')
    if any(row['family_size'] is not None for row in rows):
        lines += ['', adjustment_note(rows, baseline, confidence)]
    return '\n'.join(lines) + '\n'

# Copyright (c) grass_mm contributors. All rights reserved.
"""Class purity of the sampler's boxes over a pretraining schedule.

`GraSS <https://arxiv.org/abs/2306.15868>`_ argues that the loss gradient
learns to point at regions of a single ground object. The reports of
``tools/analyze_sampling.py`` on checkpoints of several epochs (and seeds)
turn that into curves: the purity of the GS boxes, of random boxes of the
same size, of the boxes of the negated map and of the whole view, per epoch,
and the paired differences GS - random and GS - opposite.

Per epoch, with one report the interval is that report's own (over
patches, each the mean of its views; older reports, without an
``interval`` entry, counted each view as a sample, an interval too narrow by
up to sqrt(2)); with one
report per seed it is the Student-t interval of the per-seed means (over
seeds), the variation a reader of the curve cares about. Each point names
the unit of its interval.
"""
import os.path as osp
import re
from typing import Dict, List, Optional, Sequence

import numpy as np

from ..analysis import student_interval
from .figures import figure_to_array, new_figure

REGION_ROWS = (('gs_box', 'GS box'), ('random_box', 'random box'),
               ('opposite_box', 'opposite box'), ('whole_view', 'whole view'))
DIFFERENCE_ROWS = (('gs_minus_random', 'GS - random'), ('gs_minus_opposite',
                                                        'GS - opposite'))
_EPOCH = re.compile(r'(?:epoch|iter)_(\d+)\.pth$')
# the unit of a report's own intervals when it does not say (older reports)
LEGACY_UNIT = 'view (not clustered by patch: too narrow by up to sqrt(2))'


def checkpoint_step(report: dict) -> int:
    """The epoch (or iteration) of a report's checkpoint, from its name.

    Raises:
        ValueError: When the checkpoint is not named ``epoch_N.pth`` or
            ``iter_N.pth`` as mmengine names them.
    """
    match = _EPOCH.search(osp.basename(report['checkpoint']))
    if match is None:
        raise ValueError(f'{report["checkpoint"]}: not an mmengine '
                         'checkpoint name (epoch_N.pth or iter_N.pth)')
    return int(match.group(1))


def purity_curves(reports: Sequence[dict]) -> Dict[str, List[dict]]:
    """Mean purity and its 95% interval per epoch, for every row.

    Args:
        reports (Sequence[dict]): Reports of ``tools/analyze_sampling.py``
            (``checkpoint`` and ``table``), any number per epoch (e.g. one
            per seed).

    Returns:
        dict[str, list[dict]]: For each row of the table (regions and
        differences), a list over epochs in order of ``step``, ``mean``,
        ``ci_low``, ``ci_high``, ``n`` and ``unit``: seeds, or for one
        report its own unit (patches; views for a report that does not
        name its unit).
    """
    by_step: Dict[int, List[dict]] = {}
    for report in reports:
        by_step.setdefault(checkpoint_step(report), []).append(report)
    curves: Dict[str, List[dict]] = {}
    for row, _ in REGION_ROWS + DIFFERENCE_ROWS:
        points = []
        for step in sorted(by_step):
            cells = [r['table'][row]['purity'] for r in by_step[step]]
            if len(cells) == 1:
                point = {
                    k: cells[0][k]
                    for k in ('mean', 'ci_low', 'ci_high', 'n')
                }
                point['unit'] = by_step[step][0].get('interval', {}).get(
                    'unit', LEGACY_UNIT)
            else:
                stats = student_interval(
                    [c['mean'] for c in cells if c['mean'] is not None])
                point = {
                    k: stats[k]
                    for k in ('mean', 'ci_low', 'ci_high', 'n')
                }
                point['unit'] = 'seed: the mean of its report'
            points.append(dict(step=step, **point))
        curves[row] = points
    return curves


def _plot_rows(ax, curves: Dict[str, List[dict]], rows) -> None:
    for row, label in rows:
        points = curves[row]
        steps = [p['step'] for p in points]
        means = np.array(
            [np.nan if p['mean'] is None else p['mean'] for p in points],
            dtype=float)
        low = np.array(
            [np.nan if p['ci_low'] is None else p['ci_low'] for p in points],
            dtype=float)
        high = np.array(
            [np.nan if p['ci_high'] is None else p['ci_high'] for p in points],
            dtype=float)
        line, = ax.plot(steps, means, marker='o', markersize=3, label=label)
        ax.fill_between(
            steps, low, high, color=line.get_color(), alpha=0.2, linewidth=0)


def render_purity_curve(curves: Dict[str, List[dict]],
                        warmup: Optional[int] = None,
                        unit: str = 'epoch',
                        dpi: int = 100) -> np.ndarray:
    """Draw :func:`purity_curves`: regions on the left, differences right.

    Args:
        curves (dict): From :func:`purity_curves`.
        warmup (int, optional): End of the ID warm-up, marked with a
            vertical line. Defaults to None.
        unit (str): Label of the x axis. Defaults to ``'epoch'``.
        dpi (int): Dots per inch. Defaults to 100.

    Returns:
        np.ndarray: The plot as a uint8 RGB image.
    """
    figure = new_figure((9.0, 3.4), dpi)
    figure.set_layout_engine('constrained')
    regions, differences = figure.subplots(1, 2)
    _plot_rows(regions, curves, REGION_ROWS)
    _plot_rows(differences, curves, DIFFERENCE_ROWS)
    differences.axhline(0.0, color='black', linewidth=0.8)
    steps = sorted({p['step'] for points in curves.values() for p in points})
    for ax, title in ((regions, 'class purity of the box'),
                      (differences, 'paired difference of purity')):
        if warmup is not None:
            ax.axvline(warmup, color='grey', linestyle='--', linewidth=0.8)
        ax.set_xticks(steps)
        ax.set_xlabel(unit)
        ax.set_title(title, fontsize=9)
        ax.grid(linewidth=0.4)
        ax.legend(fontsize=7)
    return figure_to_array(figure)

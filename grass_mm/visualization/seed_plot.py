# Copyright (c) grass_mm contributors. All rights reserved.
"""A plot of the per-seed mIoU of a seeded comparison.

``tools/run_comparison.py --seeds K`` pretrains and fine-tunes every method
(e.g. SimCLR and `GraSS <https://arxiv.org/abs/2306.15868>`_) once per seed.
The plot shows every run, not only the means: one panel per label fraction,
one column per method, a dot per seed, grey lines joining the runs of the
same seed (the pairs of the paired comparison), and each method's mean with
its 95% Student-t interval.
"""
from typing import List, Sequence

import numpy as np

from ..analysis import student_interval
from .figures import figure_to_array, new_figure


def render_seed_plot(runs: List[dict],
                     methods: Sequence[str],
                     dpi: int = 100) -> np.ndarray:
    """Draw the per-seed mIoU of every method and label fraction.

    Args:
        runs (list[dict]): Finished runs with ``method``, ``seed``,
            ``label_fraction`` and ``miou``.
        methods (Sequence[str]): The methods, in column order.
        dpi (int): Dots per inch. Defaults to 100.

    Returns:
        np.ndarray: The plot as a uint8 RGB image, shape (H, W, 3).
    """
    if not runs:
        raise ValueError('no finished run to plot')
    fractions = sorted({run['label_fraction'] for run in runs}, reverse=True)
    seeds = sorted({run['seed'] for run in runs})
    figure = new_figure((1.2 + 1.1 * len(methods) * len(fractions), 3.6), dpi)
    figure.set_layout_engine('constrained')
    axes = figure.subplots(1, len(fractions), squeeze=False)[0]
    columns = np.arange(len(methods))
    for ax, fraction in zip(axes, fractions):
        table = {
            (run['method'], run['seed']): run['miou']
            for run in runs if run['label_fraction'] == fraction
        }
        for seed in seeds:
            values = [table.get((method, seed), np.nan) for method in methods]
            ax.plot(columns, values, color='0.75', linewidth=0.8, zorder=1)
            ax.scatter(columns, values, s=14, color='tab:blue', zorder=2)
        for column, method in enumerate(methods):
            interval = student_interval(
                [table[(method, s)] for s in seeds if (method, s) in table])
            if np.isnan(interval['mean']):
                continue
            low, high = interval['ci_low'], interval['ci_high']
            error = None if np.isnan(low) else [[interval['mean'] - low],
                                                [high - interval['mean']]]
            ax.errorbar(
                column + 0.18,
                interval['mean'],
                yerr=error,
                fmt='D',
                color='tab:red',
                markersize=5,
                capsize=4,
                zorder=3)
        ax.set_xticks(columns)
        ax.set_xticklabels(methods, rotation=30, ha='right', fontsize=8)
        ax.set_xlim(-0.5, len(methods) - 0.3)
        ax.set_title(f'{fraction:g}% of the labels', fontsize=9)
        ax.grid(axis='y', linewidth=0.4)
    axes[0].set_ylabel('mIoU (%)')
    figure.suptitle(
        f'per-seed mIoU ({len(seeds)} seeds; red: mean and '
        '95% CI)',
        fontsize=9)
    return figure_to_array(figure)

# Copyright (c) grass_mm contributors. All rights reserved.
"""Curves of a GraSS run: loss, box area, kept-whole fraction, and the
embedding health and segmentation probe when they were logged.

:class:`~grass_mm.engine.GradientGuidedSamplerHook` logs, on every GS
training iteration of `GraSS <https://arxiv.org/abs/2306.15868>`_, the mean
box area as a fraction of the view (``gs_box_area``) and the fraction of
views kept whole (``gs_kept_whole``). mmengine's ``LoggerHook`` writes them,
with the loss, every ``interval`` iterations to
``<work_dir>/<timestamp>/vis_data/scalars.json``, one JSON object per line,
e.g. ``{"loss": 1.79, "gs_training": 1, "gs_box_area": 0.58,
"gs_kept_whole": 0.0, "epoch": 1, "iter": 3, "step": 3}``; ``step`` is the
global iteration. The values are the logger's smoothed ones (a running mean
over its window). :class:`~grass_mm.engine.EmbeddingHealthHook` adds
``embed_std`` and ``effective_rank`` to the same records;
:class:`~grass_mm.engine.SegmentationProbeHook` writes records of its own,
``{"probe/mIoU": 41.2, ..., "step": 148}``.
"""
import glob
import json
import os.path as osp
from typing import Dict, List, Sequence

import numpy as np
from matplotlib.ticker import MaxNLocator

from .figures import figure_to_array, new_figure

SCALARS_FILE = 'scalars.json'
# (key, axis label) of each curve, top to bottom.
CURVES = (('loss', 'loss'), ('gs_box_area', 'box area / view'),
          ('gs_kept_whole', 'views kept whole'))
# curves drawn only when some record holds them
HEALTH_CURVES = (('embed_std', 'embed std'), ('effective_rank',
                                              'effective rank'))
PROBE_KEY = 'probe/mIoU'


def find_scalar_logs(path: str) -> List[str]:
    """The scalar logs of a work directory, oldest run first.

    Args:
        path (str): A work directory (holding ``<timestamp>/vis_data/``),
            one run's directory, or a JSON-lines log file.

    Returns:
        list[str]: The ``scalars.json`` files found, sorted by run timestamp;
        ``[path]`` for a file.

    Raises:
        FileNotFoundError: When there is no scalar log.
    """
    if osp.isfile(path):
        return [path]
    logs = sorted(
        glob.glob(osp.join(path, 'vis_data', SCALARS_FILE)) +
        glob.glob(osp.join(path, '*', 'vis_data', SCALARS_FILE)))
    if not logs:
        raise FileNotFoundError(
            f'no {SCALARS_FILE} under {path}: expected '
            f'<work_dir>/<timestamp>/vis_data/{SCALARS_FILE}, written by '
            "mmengine's LoggerHook with a LocalVisBackend")
    return logs


def _records_by_step(paths: Sequence[str], key: str) -> List[Dict[str, float]]:
    records: Dict[int, Dict[str, float]] = {}
    for path in paths:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                record = json.loads(line)
                if key not in record:
                    continue
                step = record.get('step', record.get('iter'))
                records[int(step)] = dict(record, step=int(step))
    return [records[step] for step in sorted(records)]


def load_training_scalars(paths: Sequence[str]) -> List[Dict[str, float]]:
    """Read training records from scalar logs, one per logged iteration.

    Records without ``loss`` (validation metrics, probes) are skipped. When
    several logs hold the same step, as after a resume that re-runs
    iterations, the record of the later log wins.

    Args:
        paths (Sequence[str]): JSON-lines logs, oldest first.

    Returns:
        list[dict]: Records sorted by ``step``.
    """
    return _records_by_step(paths, 'loss')


def load_probe_scalars(paths: Sequence[str]) -> List[Dict[str, float]]:
    """Read the segmentation probe's records (``probe/mIoU``), by step.

    Args:
        paths (Sequence[str]): JSON-lines logs, oldest first; the later
            log wins a step.

    Returns:
        list[dict]: Records sorted by ``step``.
    """
    return _records_by_step(paths, PROBE_KEY)


def curve(records: Sequence[Dict[str, float]],
          key: str) -> Dict[str, np.ndarray]:
    """The steps and values of one key, where it was logged.

    Args:
        records (Sequence[dict]): Records from
            :func:`load_training_scalars`.
        key (str): The scalar, e.g. ``'gs_box_area'``.

    Returns:
        dict: ``step`` and ``value`` arrays of the same length.
    """
    pairs = [(r['step'], r[key]) for r in records if key in r]
    steps = np.array([p[0] for p in pairs], dtype=np.int64)
    values = np.array([p[1] for p in pairs], dtype=np.float64)
    return dict(step=steps, value=values)


def gs_start(records: Sequence[Dict[str, float]]) -> int:
    """First logged step of GS training, or -1 without one."""
    for record in records:
        if record.get('gs_training', 0) >= 1:
            return int(record['step'])
    return -1


def render_sampling_curves(
    records: Sequence[Dict[str, float]],
    title: str = '',
    dpi: int = 100,
    probe_records: Sequence[Dict[str, float]] = ()) -> np.ndarray:
    """Plot the loss, box area and kept-whole fraction over iterations.

    Stacked plots sharing the iteration axis, 2.33 inches each: the loss,
    the box area and the kept-whole fraction, then ``embed_std`` and
    ``effective_rank`` when some record holds them, then the probe's mIoU
    when there are probe records. A dashed line marks the first logged
    iteration of GS training; the sampling curves only exist from there on.

    Args:
        records (Sequence[dict]): Records from :func:`load_training_scalars`.
        title (str): Title above the plots. Defaults to ''.
        dpi (int): Dots per inch. Defaults to 100.
        probe_records (Sequence[dict]): Records from
            :func:`load_probe_scalars`. Defaults to ().

    Returns:
        np.ndarray: The plot as a uint8 RGB image.
    """
    if not records:
        raise ValueError('no training records to plot')
    panels = [(key, label, records) for key, label in CURVES]
    panels += [(key, label, records) for key, label in HEALTH_CURVES
               if any(key in record for record in records)]
    if probe_records:
        panels.append((PROBE_KEY, 'probe mIoU', probe_records))
    figure = new_figure((7.0, 7.0 * len(panels) / len(CURVES)), dpi)
    figure.set_layout_engine('constrained')
    axes = figure.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    start = gs_start(records)
    for ax, (key, label, source) in zip(axes, panels):
        points = curve(source, key)
        if len(points['step']):
            ax.plot(
                points['step'],
                points['value'],
                marker='.',
                markersize=3,
                linewidth=1.2)
        else:
            ax.text(
                0.5,
                0.5,
                f'no {key} logged',
                ha='center',
                va='center',
                transform=ax.transAxes)
        if key in ('gs_box_area', 'gs_kept_whole'):
            ax.set_ylim(-0.02, 1.02)
        if start >= 0:
            ax.axvline(
                start,
                color='grey',
                linestyle='--',
                linewidth=1,
                label='GS training starts')
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    if start >= 0:
        axes[0].legend(loc='upper right', fontsize=8)
    axes[-1].set_xlabel('iteration')
    axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))
    if title:
        axes[0].set_title(title, fontsize=10)
    return figure_to_array(figure)

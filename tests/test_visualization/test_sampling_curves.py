"""Curves of a run: reading mmengine's scalar logs, plotting them."""
import json

import numpy as np
import pytest

from grass_mm.visualization import (curve, find_scalar_logs, gs_start,
                                    load_probe_scalars, load_training_scalars,
                                    render_sampling_curves)
from .conftest import assert_not_blank


def write_log(path, records):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(''.join(json.dumps(r) + '\n' for r in records))
    return path


def test_a_real_run_logs_what_the_curves_need(grass_run):
    logs = find_scalar_logs(str(grass_run['work_dir']))
    assert logs == [str(grass_run['log_dir'] / 'vis_data' / 'scalars.json')]
    records = load_training_scalars(logs)
    assert [r['step'] for r in records] == [1, 2, 3]
    assert all('loss' in r for r in records)
    assert curve(records, 'gs_box_area')['step'].tolist() == [2, 3]
    kept_whole = curve(records, 'gs_kept_whole')['value']
    assert ((0 <= kept_whole) & (kept_whole <= 1)).all()
    assert gs_start(records) == 2


def test_later_runs_override_earlier_steps_and_metrics_are_skipped(tmp_path):
    first = write_log(tmp_path / '20240101_000000/vis_data/scalars.json', [
        dict(loss=3.0, step=1),
        dict(loss=2.0, step=2),
        dict(accuracy=0.5, step=2)
    ])
    second = write_log(tmp_path / '20240102_000000/vis_data/scalars.json', [
        dict(loss=1.5, gs_training=1, gs_box_area=0.4, step=2),
        dict(loss=1.0, gs_training=1, gs_box_area=0.3, step=3)
    ])
    logs = find_scalar_logs(str(tmp_path))
    assert logs == [str(first), str(second)]
    records = load_training_scalars(logs)
    assert [(r['step'], r['loss']) for r in records] == [(1, 3.0), (2, 1.5),
                                                         (3, 1.0)]
    assert gs_start(records) == 2
    np.testing.assert_allclose(
        curve(records, 'gs_box_area')['value'], [0.4, 0.3])
    assert find_scalar_logs(str(first)) == [str(first)]
    with pytest.raises(FileNotFoundError, match='scalars.json'):
        find_scalar_logs(str(tmp_path / 'nothing'))


def test_render_curves(tmp_path):
    records = [
        dict(
            loss=4.0 - 0.1 * i,
            step=i,
            gs_training=int(i > 5),
            **(dict(gs_box_area=0.5, gs_kept_whole=0.1) if i > 5 else {}))
        for i in range(1, 20)
    ]
    image = render_sampling_curves(records, title='run')
    assert image.shape == (700, 700, 3)
    assert_not_blank(image)
    # matplotlib's first line colour, #1f77b4, in all three plots
    line = ((np.abs(image.astype(int) - (31, 119, 180)).sum(-1) < 30))
    thirds = np.array_split(np.arange(700), 3)
    assert all(line[rows].sum() > 50 for rows in thirds)
    with pytest.raises(ValueError, match='no training records'):
        render_sampling_curves([])


def test_health_and_probe_panels(tmp_path):
    log = write_log(tmp_path / 'run' / 'vis_data' / 'scalars.json', [
        {
            'probe/mIoU': 20.0,
            'probe/seconds': 3.0,
            'step': 0
        },
        *[
            dict(
                loss=4.0 - 0.1 * i, embed_std=0.9, effective_rank=10.0, step=i)
            for i in range(1, 10)
        ],
        {
            'probe/mIoU': 35.0,
            'probe/seconds': 3.0,
            'step': 9
        },
    ])
    records = load_training_scalars([str(log)])
    probes = load_probe_scalars([str(log)])
    assert [r['step'] for r in records] == list(range(1, 10))
    assert [(r['step'], r['probe/mIoU']) for r in probes] == [(0, 20.0),
                                                              (9, 35.0)]
    image = render_sampling_curves(records, probe_records=probes)
    # three plots, then embed_std, effective_rank and the probe's mIoU
    assert image.shape == (1400, 700, 3)
    line = ((np.abs(image.astype(int) - (31, 119, 180)).sum(-1) < 30))
    sixths = np.array_split(np.arange(1400), 6)
    assert line[sixths[0]].sum() > 50 and line[sixths[-1]].sum() > 20
    assert render_sampling_curves(records).shape == (700 * 5 // 3, 700, 3)

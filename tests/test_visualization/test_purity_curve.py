"""Purity over a schedule: curves from analyze_sampling reports."""
import numpy as np
import pytest

from grass_mm.analysis import student_interval
from grass_mm.visualization.purity_curve import (DIFFERENCE_ROWS, REGION_ROWS,
                                                 checkpoint_step,
                                                 purity_curves,
                                                 render_purity_curve)


def report(checkpoint: str,
           gs: float,
           random: float,
           unit: str = 'patch: the mean of its views') -> dict:
    """A report of tools/analyze_sampling.py with the given mean purities;
    ``unit`` None for an older report that does not name its unit."""

    def cell(mean):
        return dict(
            purity=dict(
                mean=mean, ci_low=mean - 0.01, ci_high=mean + 0.01, n=100))

    interval = {} if unit is None else dict(interval=dict(unit=unit))
    return dict(
        checkpoint=checkpoint,
        **interval,
        table=dict(
            gs_box=cell(gs),
            random_box=cell(random),
            opposite_box=cell(0.5),
            whole_view=cell(0.4),
            gs_minus_random=cell(gs - random),
            gs_minus_opposite=cell(gs - 0.5)))


def test_checkpoint_step_reads_mmengine_names():
    assert checkpoint_step(dict(checkpoint='a/b/epoch_12.pth')) == 12
    assert checkpoint_step(dict(checkpoint='iter_400.pth')) == 400
    with pytest.raises(ValueError, match='model.pth: not an mmengine'):
        checkpoint_step(dict(checkpoint='x/model.pth'))


def test_one_report_per_epoch_keeps_its_own_interval():
    curves = purity_curves(
        [report('epoch_4.pth', 0.8, 0.7),
         report('epoch_2.pth', 0.6, 0.7)])
    assert [p['step'] for p in curves['gs_box']] == [2, 4]
    first = curves['gs_box'][0]
    assert (first['mean'], first['ci_low'], first['n']) == pytest.approx(
        (0.6, 0.59, 100))
    assert curves['gs_minus_random'][1]['mean'] == pytest.approx(0.1)
    assert set(curves) == {row for row, _ in REGION_ROWS + DIFFERENCE_ROWS}
    assert first['unit'] == 'patch: the mean of its views'


def test_an_older_report_says_its_interval_is_per_view():
    point, = purity_curves([report('epoch_4.pth', 0.8, 0.7,
                                   unit=None)])['gs_box']
    assert point['unit'].startswith('view (not clustered by patch')


def test_several_seeds_per_epoch_give_an_interval_over_seeds():
    seeds = [0.70, 0.74, 0.78]
    curves = purity_curves([
        report(f'seed_{s}/epoch_3.pth', gs, 0.7) for s, gs in enumerate(seeds)
    ])
    point, = curves['gs_box']
    expected = student_interval(seeds)
    assert point['n'] == 3 and point['unit'].startswith('seed')
    assert point['mean'] == pytest.approx(0.74)
    assert (point['ci_low'], point['ci_high']) == pytest.approx(
        (expected['ci_low'], expected['ci_high']))
    diff, = curves['gs_minus_random']
    assert diff['mean'] == pytest.approx(0.04)


def test_render_purity_curve():
    curves = purity_curves(
        [report('epoch_2.pth', 0.6, 0.7),
         report('epoch_4.pth', 0.8, 0.7)])
    image = render_purity_curve(curves, warmup=2)
    assert image.dtype == np.uint8 and image.ndim == 3
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 20

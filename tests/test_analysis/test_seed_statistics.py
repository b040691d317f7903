"""Tests of the statistics of seeded comparisons and of their plot."""
import json
import math

import numpy as np
import pytest
from scipy import stats

from grass_mm.analysis import (seeded_markdown_table, student_interval,
                               summarise_runs)
from grass_mm.utils import nan_to_none
from grass_mm.visualization.seed_plot import render_seed_plot


def test_student_interval_hand_computed():
    # mean 2, std 1, t(0.975, 2 dof) = 4.302652729911275
    result = student_interval([1.0, 2.0, 3.0])
    half = 4.302652729911275 / math.sqrt(3)
    assert result['n'] == 3
    assert result['mean'] == pytest.approx(2.0)
    assert result['std'] == pytest.approx(1.0)
    assert result['ci_low'] == pytest.approx(2.0 - half)
    assert result['ci_high'] == pytest.approx(2.0 + half)


@pytest.mark.parametrize('n', [2, 5, 10])
def test_student_interval_agrees_with_scipy(n):
    values = np.random.default_rng(n).normal(50, 2, n)
    low, high = stats.t.interval(
        0.95, n - 1, loc=values.mean(), scale=stats.sem(values))
    result = student_interval(values)
    assert (result['ci_low'], result['ci_high']) == pytest.approx((low, high))


def test_student_interval_covers_the_mean_95_percent_of_the_time():
    samples = np.random.default_rng(0).normal(1.0, 3.0, size=(4000, 5))
    covered = [
        r['ci_low'] <= 1.0 <= r['ci_high']
        for r in map(student_interval, samples)
    ]
    assert 0.94 < np.mean(covered) < 0.96


def test_student_interval_of_one_and_no_value():
    one = student_interval([4.0])
    assert one['n'] == 1 and one['mean'] == 4.0
    assert math.isnan(one['std']) and math.isnan(one['ci_low'])
    assert math.isnan(student_interval([])['mean'])


def make_runs():
    """Two methods over seeds with a large shared seed effect."""
    seed_effect = {0: -3.0, 1: 0.0, 2: 4.0, 3: 1.0}
    gain = {0: 0.9, 1: 1.1, 2: 1.0, 3: 1.2}
    runs = []
    for seed, effect in seed_effect.items():
        runs.append(
            dict(
                method='simclr',
                seed=seed,
                label_fraction=100.0,
                miou=50 + effect))
        if seed != 3:  # GraSS missed seed 3: left out of the pairs
            runs.append(
                dict(
                    method='grass',
                    seed=seed,
                    label_fraction=100.0,
                    miou=50 + effect + gain[seed]))
        runs.append(
            dict(
                method='simclr',
                seed=seed,
                label_fraction=10.0,
                miou=30 + effect))
        runs.append(
            dict(
                method='grass',
                seed=seed,
                label_fraction=10.0,
                miou=30 + effect - gain[seed]))
    return runs


def test_summarise_runs_pairs_by_seed():
    rows = summarise_runs(make_runs(), ['simclr', 'grass'])
    assert [(r['label_fraction'], r['method'])
            for r in rows] == [(100.0, 'simclr'), (100.0, 'grass'),
                               (10.0, 'simclr'), (10.0, 'grass')]
    simclr, grass = rows[0], rows[1]
    assert simclr['difference'] is None
    assert simclr['seeds'] == [0, 1, 2, 3] and grass['seeds'] == [0, 1, 2]
    assert simclr['miou']['mean'] == pytest.approx(50.5)
    diff = grass['difference']
    assert diff['seeds'] == [0, 1, 2] and diff['n'] == 3
    assert diff['mean'] == pytest.approx(1.0)
    expected = student_interval([0.9, 1.1, 1.0])
    assert diff['ci_low'] == pytest.approx(expected['ci_low'])
    # pairing removes the seed effect: the paired interval is far narrower
    # than the difference of the two means' intervals would suggest
    assert diff['ci_high'] - diff['ci_low'] < 0.1 * (
        grass['miou']['ci_high'] - grass['miou']['ci_low'])
    low = rows[3]['difference']
    assert low['n'] == 4 and low['mean'] == pytest.approx(-1.05)
    assert low['ci_high'] < 0


def test_seeded_markdown_table():
    rows = summarise_runs(make_runs(), ['simclr', 'grass'])
    table = seeded_markdown_table(rows, dict(simclr='s.py', grass='g.py'))
    lines = table.splitlines()
    assert lines[0].startswith('| method | pretraining config | labels |')
    assert 'vs simclr' in lines[0] and len(lines) == 8
    assert lines[0].endswith('| adjusted [simultaneous 95% CI] | '
                             'p (paired t), Holm | p (sign test) |')
    assert lines[2].startswith('| simclr | `s.py` | 100% | 4 | 50.50 [')
    assert lines[2].endswith('| (baseline) | | | |')
    assert lines[3].startswith('| grass | `g.py` | 100% | 3 |')
    # one comparison per label fraction: the adjusted interval is the
    # unadjusted one, Holm's p the paired t-test's
    p = stats.ttest_rel([0.9, 1.1, 1.0], [0.0, 0.0, 0.0]).pvalue
    assert lines[3].endswith(f'| +1.00 [+0.75, +1.25] (n=3) | '
                             f'[+0.75, +1.25] | {p:.3g} | 0.25 |')
    assert '-1.05 [' in lines[5]
    assert lines[6] == ''
    assert lines[7].startswith('p (paired t): Holm-adjusted over the 1 '
                               'comparison with simclr at each label')


def make_family_runs():
    """A baseline and three methods, paired by seed, at two fractions.

    At 10% ``byol`` has a single seed: it cannot be tested, so the family
    there is two comparisons, at 100% three.
    """
    seed_effect = np.array([-2.0, 0.5, 3.0, 1.0, -1.0])
    gains = dict(
        grass=[0.3, 0.5, 0.2, 0.6, 0.4],
        moco=[-0.2, 0.3, 0.1, -0.4, 0.0],
        byol=[1.5, -1.0, 0.7, 0.2, 2.1])
    runs = []
    for fraction in (100.0, 10.0):
        for seed, effect in enumerate(seed_effect):
            runs.append(
                dict(
                    method='simclr',
                    seed=seed,
                    label_fraction=fraction,
                    miou=50 + effect))
            for method, gain in gains.items():
                if fraction == 10.0 and method == 'byol' and seed:
                    continue
                runs.append(
                    dict(
                        method=method,
                        seed=seed,
                        label_fraction=fraction,
                        miou=50 + effect + gain[seed]))
    return runs, gains


def reference_holm(p_values):
    """Holm written out for a small family: step down, then monotone."""
    order = np.argsort(p_values)
    m = len(p_values)
    adjusted = np.empty(m)
    previous = 0.0
    for rank, index in enumerate(order):
        previous = max(previous, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = previous
    return adjusted


def test_summarise_runs_adjusts_over_each_fraction():
    runs, gains = make_family_runs()
    methods = ['simclr', 'grass', 'moco', 'byol']
    rows = summarise_runs(runs, methods)
    by_key = {(row['label_fraction'], row['method']): row for row in rows}
    for key in ('t_test_p', 'sign_test_p', 'holm_p', 'family_size',
                'adjusted_difference'):
        assert by_key[100.0, 'simclr'][key] is None

    zero = np.zeros(5)
    p_values = [stats.ttest_rel(gains[m], zero).pvalue for m in methods[1:]]
    holm = reference_holm(p_values)
    for method, p, adjusted in zip(methods[1:], p_values, holm):
        row = by_key[100.0, method]
        assert row['family_size'] == 3
        assert row['t_test_p'] == pytest.approx(p)
        assert row['holm_p'] == pytest.approx(adjusted)
        positive = int((np.asarray(gains[method]) > 0).sum())
        nonzero = int((np.asarray(gains[method]) != 0).sum())
        assert row['sign_test_p'] == pytest.approx(
            stats.binomtest(positive, nonzero).pvalue)
        # Bonferroni: each interval at 1 - 0.05 / 3
        interval = row['adjusted_difference']
        low, high = stats.t.interval(
            1 - 0.05 / 3,
            4,
            loc=np.mean(gains[method]),
            scale=stats.sem(gains[method]))
        assert (interval['ci_low'], interval['ci_high']) == pytest.approx(
            (low, high))
        assert interval['confidence'] == pytest.approx(1 - 0.05 / 3)
        assert interval['seeds'] == [0, 1, 2, 3, 4]
        # the unadjusted interval is kept, and is the narrower
        assert row['difference']['ci_low'] > interval['ci_low']

    # at 10% byol has one seed: untested, and not counted in the family
    byol = by_key[10.0, 'byol']
    assert math.isnan(byol['t_test_p']) and math.isnan(byol['holm_p'])
    assert byol['family_size'] == 2
    holm = reference_holm(p_values[:2])
    for method, adjusted in zip(['grass', 'moco'], holm):
        row = by_key[10.0, method]
        assert row['family_size'] == 2
        assert row['holm_p'] == pytest.approx(adjusted)
        assert row['adjusted_difference']['ci_high'] == pytest.approx(
            stats.t.interval(
                1 - 0.05 / 2,
                4,
                loc=np.mean(gains[method]),
                scale=stats.sem(gains[method]))[1])


def test_summarise_runs_five_seeds_all_below():
    # the case: every seed below the baseline, sign test 0.0625
    simclr = [54.9, 55.1, 54.3, 55.2, 54.8]
    below = [54.2, 55.0, 53.6, 54.9, 54.5]
    runs = [
        dict(method=method, seed=seed, label_fraction=10, miou=miou)
        for method, mious in (('simclr', simclr), ('grass', below))
        for seed, miou in enumerate(mious)
    ]
    grass = summarise_runs(runs, ['simclr', 'grass'])[1]
    assert grass['sign_test_p'] == 0.0625
    assert grass['difference']['ci_high'] < 0


def test_seeded_markdown_table_names_the_family():
    runs, _ = make_family_runs()
    rows = summarise_runs(runs, ['simclr', 'grass', 'moco', 'byol'])
    configs = dict(simclr='s.py', grass='g.py', moco='m.py', byol='b.py')
    lines = seeded_markdown_table(rows, configs).splitlines()
    grass = next(row for row in rows if row['method'] == 'grass')
    low, high = stats.t.interval(
        1 - 0.05 / 3,
        4,
        loc=grass['difference']['mean'],
        scale=stats.sem([0.3, 0.5, 0.2, 0.6, 0.4]))
    assert f'| [{low:+.2f}, {high:+.2f}] | {grass["holm_p"]:.3g} | ' \
        '0.0625 |' in lines[3]
    assert '| n/a | n/a | 1 |' in lines[9]  # byol at 10%: one seed
    assert lines[-1] == (
        'p (paired t): Holm-adjusted over the comparisons (3 at 100%, 2 at '
        '10%) with simclr at each label fraction; adjusted intervals: '
        'Bonferroni over the same, simultaneous 95% (each at 98.33% or '
        '97.50%). Unadjusted: the mIoU and paired 95% intervals and '
        'p (sign test), exact and two-sided.')


def test_seed_plot_draws_every_fraction():
    image = render_seed_plot(make_runs(), ['simclr', 'grass'])
    assert image.dtype == np.uint8 and image.shape[2] == 3
    single = render_seed_plot(
        [r for r in make_runs() if r['label_fraction'] == 100.0],
        ['simclr', 'grass'])
    assert image.shape[1] > single.shape[1]  # one panel more
    assert (image < 250).any()  # something is drawn
    with pytest.raises(ValueError, match='no finished run'):
        render_seed_plot([], ['simclr'])


def test_nan_to_none_makes_reports_json_ready():
    value = dict(a=math.nan, b=[1.0, math.nan, (2, math.nan)], c='x')
    assert nan_to_none(value) == dict(a=None, b=[1.0, None, [2, None]], c='x')
    json.dumps(nan_to_none(value), allow_nan=False)

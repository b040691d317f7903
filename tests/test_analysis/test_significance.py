"""Tests of the paired tests and of Holm's adjustment, against references.

The references are scipy's own tests (``scipy.stats.ttest_rel``,
``scipy.stats.binomtest``), closed forms worked out by hand, and Holm's
procedure written as its definition: a sequence of decisions at
``alpha / (m - k + 1)`` that stops at the first p-value it cannot reject.
"""
import math

import numpy as np
import pytest
from scipy import stats

from grass_mm.analysis import holm_adjust, paired_t_test, sign_test


def test_sign_test_of_five_seeds_all_below():
    # the case: 5 of 5 below, P = 2 * 0.5 ** 5
    assert sign_test([-0.10, -0.69, -0.35, -0.22, -0.58]) == 0.0625
    assert sign_test([0.3, 0.1, 0.2, 0.5, 0.4]) == 0.0625


def test_sign_test_hand_computed():
    # 5 of 6 non-zero differences above, the zero dropped:
    # 2 * (C(6,0) + C(6,1)) / 2**6 = 14 / 64
    assert sign_test([1, -2, 3, 4, 5, 0, 6]) == pytest.approx(14 / 64)
    # as many above as below: nothing against a fair coin
    assert sign_test([1, -1, 2, -2]) == 1.0
    assert sign_test([0.0, 0.0]) == 1.0
    assert math.isnan(sign_test([]))


@pytest.mark.parametrize('seed', range(6))
def test_sign_test_agrees_with_scipy_binomtest(seed):
    rng = np.random.default_rng(seed)
    differences = rng.normal(0.4, 1.0, 3 + 2 * seed).round(1)
    nonzero = differences[differences != 0]
    expected = stats.binomtest(
        int((nonzero > 0).sum()), nonzero.size, 0.5,
        alternative='two-sided').pvalue
    assert sign_test(differences) == pytest.approx(expected)


def test_paired_t_test_hand_computed():
    # mean 2, std 1, n 3: t = 2 * sqrt(3) on 2 degrees of freedom, whose
    # two-sided tail is 1 - t / sqrt(t**2 + 2) in closed form
    t = 2 * math.sqrt(3)
    expected = 1 - t / math.sqrt(t**2 + 2)
    assert paired_t_test([1.0, 2.0, 3.0]) == pytest.approx(expected)
    assert paired_t_test([-1.0, -2.0, -3.0]) == pytest.approx(expected)


@pytest.mark.parametrize('n', [2, 5, 10])
def test_paired_t_test_agrees_with_scipy_ttest_rel(n):
    rng = np.random.default_rng(n)
    baseline = rng.normal(50, 3, n)
    method = baseline + rng.normal(0.5, 1, n)
    expected = stats.ttest_rel(method, baseline).pvalue
    assert paired_t_test(method - baseline) == pytest.approx(expected)


def test_paired_t_test_degenerate_cases():
    assert math.isnan(paired_t_test([0.4]))
    assert math.isnan(paired_t_test([]))
    assert paired_t_test([0.0, 0.0, 0.0]) == 1.0
    assert paired_t_test([0.5, 0.5, 0.5]) == 0.0


def test_holm_hand_computed():
    # sorted: 0.01 * 3 = 0.03, 0.03 * 2 = 0.06, 0.04 * 1 = 0.04 -> 0.06
    # (never below the adjusted p-value before it)
    assert holm_adjust([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    # no monotonicity needed: 0.01 * 3, 0.2 * 2, 0.5 * 1
    assert holm_adjust([0.5, 0.2, 0.01]) == pytest.approx([0.5, 0.4, 0.03])
    # capped at 1, and the cap carried to larger p-values
    assert holm_adjust([0.6, 0.9, 0.7]) == pytest.approx([1.0, 1.0, 1.0])
    # one test: unchanged
    assert holm_adjust([0.02]) == pytest.approx([0.02])
    assert holm_adjust([]) == []


def test_holm_leaves_untested_out_of_the_family():
    adjusted = holm_adjust([0.01, math.nan, 0.04])
    assert adjusted[0] == pytest.approx(0.02) and math.isnan(adjusted[1])
    assert adjusted[2] == pytest.approx(0.04)


def holm_rejections(p_values, alpha):
    """Holm's procedure by its definition: step down, stop at a failure."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    m = len(p_values)
    rejected = set()
    for k, index in enumerate(order, start=1):
        if p_values[index] > alpha / (m - k + 1):
            break
        rejected.add(index)
    return rejected


@pytest.mark.parametrize('seed', range(20))
def test_holm_rejects_what_the_step_down_procedure_rejects(seed):
    rng = np.random.default_rng(seed)
    p_values = list(rng.uniform(0, 0.2, rng.integers(2, 7))**2)
    adjusted = holm_adjust(p_values)
    for alpha in (0.001, 0.01, 0.02, 0.05, 0.1):
        assert {i
                for i, p in enumerate(adjusted)
                if p <= alpha} == holm_rejections(p_values, alpha)

# Copyright (c) grass_mm contributors. All rights reserved.
"""Tests of paired per-seed differences, and Holm's adjustment of a family.

A seeded comparison asks, for every method, whether its per-seed
differences to the baseline are centred on 0. Two tests answer: the paired
t-test (assumes roughly normal differences) and the exact sign test (assumes
nothing but independent seeds, and with few seeds cannot give a small
p-value: with 5 seeds, all of the same sign, its two-sided p is 0.0625).
When several methods are compared with the same baseline, the p-values of
that family are adjusted with Holm's step-down method, which controls the
family-wise error rate (the chance of any false "differs") at the level
each adjusted p-value is compared with.
"""
import math
from typing import List, Sequence

import numpy as np
from scipy import stats


def paired_t_test(differences: Sequence[float]) -> float:
    """Two-sided p-value of the paired t-test of per-seed differences.

    Tests whether the mean of ``differences`` (method minus baseline, one
    per seed) is 0, with ``t = mean / (std / sqrt(n))`` on ``n - 1`` degrees
    of freedom.

    Args:
        differences (Sequence[float]): One paired difference per seed.

    Returns:
        float: The p-value; nan with fewer than two differences. With no
        spread (``std == 0``) it is the limit of the test: 1.0 when every
        difference is 0, else 0.0.
    """
    differences = np.asarray(differences, dtype=np.float64).ravel()
    n = int(differences.size)
    if n < 2:
        return math.nan
    mean = float(differences.mean())
    std = float(differences.std(ddof=1))
    if std == 0:
        return 1.0 if mean == 0 else 0.0
    t = mean / (std / math.sqrt(n))
    return float(2 * stats.t.sf(abs(t), n - 1))


def sign_test(differences: Sequence[float]) -> float:
    """Exact two-sided sign test of per-seed differences.

    Counts the positive among the non-zero differences (zeros are dropped)
    and asks how likely a count at least that far from half is, when each
    sign is a fair coin: ``min(1, 2 * P(X <= min(k, n - k)))`` for ``X``
    binomial with ``n`` non-zero differences and probability 0.5.

    Args:
        differences (Sequence[float]): One paired difference per seed.

    Returns:
        float: The p-value; nan with no differences at all, 1.0 when every
        difference is 0.
    """
    differences = np.asarray(differences, dtype=np.float64).ravel()
    if differences.size == 0:
        return math.nan
    nonzero = differences[differences != 0]
    n = int(nonzero.size)
    if n == 0:
        return 1.0
    positive = int((nonzero > 0).sum())
    tail = float(stats.binom.cdf(min(positive, n - positive), n, 0.5))
    return min(1.0, 2 * tail)


def holm_adjust(p_values: Sequence[float]) -> List[float]:
    """Holm's step-down adjustment of a family of p-values.

    With the ``m`` p-values sorted ascending, ``p_(1) <= ... <= p_(m)``, the
    adjusted ``p_(i)`` is ``max_{j <= i} min(1, (m - j + 1) * p_(j))``: the
    smallest is multiplied by ``m``, the next by ``m - 1``, and so on, and an
    adjusted p-value is never below the one before it. Rejecting where the
    adjusted p-value is at most ``alpha`` controls the family-wise error
    rate at ``alpha``.

    Args:
        p_values (Sequence[float]): The family, in any order. nan entries
            (comparisons that could not be tested) stay nan and are not
            counted in ``m``.

    Returns:
        list[float]: The adjusted p-values, in the order of ``p_values``.
    """
    adjusted = [math.nan] * len(p_values)
    tested = sorted(
        (p, index) for index, p in enumerate(p_values) if not math.isnan(p))
    m = len(tested)
    running_max = 0.0
    for rank, (p, index) in enumerate(tested):
        running_max = max(running_max, min(1.0, (m - rank) * p))
        adjusted[index] = running_max
    return adjusted

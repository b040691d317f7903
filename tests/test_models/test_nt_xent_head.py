# Copyright (c) grass_mm contributors. All rights reserved.
"""Tests of the NT-Xent head of GraSS (https://arxiv.org/abs/2306.15868)."""
import math

import pytest
import torch

pytest.importorskip('mmpretrain')

from mmpretrain.registry import MODELS  # noqa: E402

# Importing the heads package registers NTXentHead in mmpretrain's MODELS.
from grass_mm.models.heads import NTXentHead  # noqa: E402
from grass_mm.models.losses import nt_xent_loss  # noqa: E402


def test_build_from_registry():
    head = MODELS.build(dict(type='NTXentHead', temperature=0.5))
    assert isinstance(head, NTXentHead)
    assert head.temperature == 0.5
    assert head.gather is True
    assert list(head.parameters()) == []


def test_loss_calls_the_pure_function():
    gen = torch.Generator().manual_seed(0)
    z1 = torch.randn(4, 8, generator=gen)
    z2 = torch.randn(4, 8, generator=gen)
    head = MODELS.build(dict(type='NTXentHead', temperature=0.2))
    torch.testing.assert_close(
        head.loss(z1, z2), nt_xent_loss(z1, z2, temperature=0.2))


def test_loss_analytic_value():
    # z1 = z2 = [e1, e2]: each anchor has its positive at cos 1 and two
    # negatives at cos 0, so the loss is log(1 + 2 exp(-1 / t)).
    eye = torch.eye(2)
    head = MODELS.build(dict(type='NTXentHead', temperature=0.5))
    assert head.loss(eye, eye.clone()).item() == pytest.approx(
        math.log(1 + 2 * math.exp(-2.0)), rel=1e-6)


@pytest.mark.parametrize('temperature', [0.0, -1.0])
def test_invalid_temperature(temperature):
    with pytest.raises(ValueError, match='temperature'):
        MODELS.build(dict(type='NTXentHead', temperature=temperature))

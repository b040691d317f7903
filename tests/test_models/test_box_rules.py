"""Tests of the box rules: the paper's and the two controls."""
import numpy as np
import pytest
import torch
from mmpretrain.registry import MODELS

import grass_mm  # noqa: F401
from grass_mm.models.utils import (BOX_RULES, random_boxes_like, rule_boxes,
                                   select_boxes)


def two_bump_map(size: int = 32) -> torch.Tensor:
    """A map with a peak at the top left and a trough at the bottom right."""
    ys, xs = torch.meshgrid(
        torch.arange(size, dtype=torch.float32),
        torch.arange(size, dtype=torch.float32),
        indexing='ij')
    peak = torch.exp(-((ys - 6)**2 + (xs - 8)**2) / 8)
    trough = torch.exp(-((ys - 24)**2 + (xs - 22)**2) / 18)
    return (peak - trough)[None]


def test_gradient_rule_is_select_boxes():
    lam = torch.randn(6, 16, 20)
    boxes, kept = rule_boxes(lam, 0.5, 'gradient')
    ref_boxes, ref_kept = select_boxes(lam, 0.5)
    assert torch.equal(boxes, ref_boxes) and torch.equal(kept, ref_kept)


def test_opposite_rule_boxes_the_trough():
    lam = two_bump_map()
    (y0, x0, y1, x1), = rule_boxes(lam, 0.8, 'opposite')[0].tolist()
    assert y0 <= 24 < y1 and x0 <= 22 < x1  # holds the trough
    assert not (y0 <= 6 < y1 and x0 <= 8 < x1)  # not the peak
    (y0, x0, y1, x1), = rule_boxes(lam, 0.8, 'gradient')[0].tolist()
    assert y0 <= 6 < y1 and x0 <= 8 < x1
    assert not (y0 <= 24 < y1 and x0 <= 22 < x1)


def test_random_rule_keeps_the_sizes_of_the_gradient_boxes():
    lam = torch.randn(64, 24, 40)
    gradient, kept = rule_boxes(lam, 0.5, 'gradient')
    random, random_kept = rule_boxes(lam, 0.5, 'random',
                                     torch.Generator().manual_seed(0))
    assert torch.equal(kept, random_kept)

    def sizes(boxes):
        return torch.stack(
            [boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]])

    assert torch.equal(sizes(random), sizes(gradient))
    assert (random[:, :2] >= 0).all()
    assert (random[:, 2] <= 24).all() and (random[:, 3] <= 40).all()
    assert not torch.equal(random, gradient)


def test_random_boxes_are_uniform_over_positions():
    # a 3 x 5 box in a 6 x 8 view has 4 x 4 positions, equally likely
    boxes = torch.tensor([[0, 0, 3, 5]]).repeat(16000, 1)
    out = random_boxes_like(boxes, 6, 8, torch.Generator().manual_seed(1))
    counts = np.bincount((out[:, 0] * 4 + out[:, 1]).numpy(), minlength=16)
    assert counts.size == 16
    expected = len(boxes) / 16
    chi2 = ((counts - expected)**2 / expected).sum()
    assert chi2 < 37.7  # 99.9% quantile of chi-square with 15 dof
    assert ((out[:, 2:] - out[:, :2]) == torch.tensor([3, 5])).all()


def test_random_boxes_are_reproducible_and_global_by_default():
    boxes = torch.tensor([[2, 3, 5, 9]]).repeat(8, 1)
    first = random_boxes_like(boxes, 16, 16, torch.Generator().manual_seed(4))
    again = random_boxes_like(boxes, 16, 16, torch.Generator().manual_seed(4))
    assert torch.equal(first, again)
    torch.manual_seed(7)
    global_first = random_boxes_like(boxes, 16, 16)
    torch.manual_seed(7)
    assert torch.equal(global_first, random_boxes_like(boxes, 16, 16))
    with pytest.raises(ValueError, match='fit in the 2 x 16 view'):
        random_boxes_like(boxes, 2, 16)


@pytest.mark.parametrize('box_rule', BOX_RULES)
def test_every_rule_keeps_flat_and_non_finite_maps_whole(box_rule):
    lam = torch.stack([
        torch.zeros(8, 8),
        torch.full((8, 8), float('nan')),
        two_bump_map(8)[0]
    ])
    boxes, kept = rule_boxes(lam, 0.5, box_rule)
    assert kept.tolist() == [True, True, False]
    assert boxes[:2].tolist() == [[0, 0, 8, 8]] * 2


def test_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="box_rule must be one of"):
        rule_boxes(torch.zeros(1, 4, 4), 0.5, 'gradients')
    with pytest.raises(ValueError, match='`box_rule` must be one of'):
        MODELS.build(dict(type='GraSS', box_rule='negated'))


def tiny_grass(box_rule: str):
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type='GraSS',
            box_rule=box_rule,
            algorithm=dict(
                type='NTXentSimCLR',
                backbone=dict(
                    type='ResNet', depth=18, norm_cfg=dict(type='BN')),
                neck=dict(
                    type='NonLinearNeck',
                    in_channels=512,
                    hid_channels=32,
                    out_channels=16,
                    num_layers=2,
                    with_avg_pool=True),
                head=dict(type='NTXentHead', temperature=0.5))))
    model.init_weights()
    return model.eval()


def test_grass_trains_each_control_on_its_own_boxes():
    views = [
        torch.randn(4, 3, 48, 48, generator=torch.Generator().manual_seed(s))
        for s in (1, 2)
    ]
    models = {rule: tiny_grass(rule) for rule in BOX_RULES}
    results = {rule: m.sample(views) for rule, m in models.items()}
    gradient = results['gradient']
    assert all(r.box_rule == rule for rule, r in results.items())
    # one guide pass, so one map, whatever the rule
    for rule in ('random', 'opposite'):
        assert torch.allclose(results[rule].lam, gradient.lam)
    assert torch.equal(results['opposite'].boxes,
                       select_boxes(-gradient.lam, 0.5)[0])

    def size(boxes):
        return boxes[:, 2:] - boxes[:, :2]

    assert torch.equal(size(results['random'].boxes), size(gradient.boxes))
    # the override of one call leaves the model's rule alone
    override = models['random'].sample(views, box_rule='gradient')
    assert torch.equal(override.boxes, gradient.boxes)
    assert models['random'].box_rule == 'random'

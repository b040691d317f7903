"""The guide pass against the wrapped algorithm's own training step.

The reference gradient of each view is taken the ordinary way: the wrapped
algorithm's own ``loss()`` (mmpretrain's ``MoCo.loss`` and ``BYOL.loss``,
our ``NTXentSimCLR.loss``), a full backward, and the gradient of the last
backbone map caught by a forward hook with ``retain_grad``. Nothing of the
guide pass (its guide losses, its graph-free backbone) is reused. Each
reference runs on a deep copy, because ``loss()`` updates the momentum
network and MoCo's queue.

Batch norm stays in train mode, as in GS training. The reference batches the
views as the algorithm's ``loss()`` does (SimCLR: both views in one batch;
MoCo and BYOL: one view per forward), so the guide pass must batch them the
same way to see the same batch statistics.
"""
import copy
from typing import List, Tuple

import pytest
import torch
from mmengine.model import BaseAveragedModel
from mmpretrain.models import MoCo
from mmpretrain.structures import DataSample
from test_grass import ALGORITHMS, build_grass, make_batch, sgd
from torch import Tensor, nn

from grass_mm.models import GraSS, loss_activation_map

MOMENTUM_NETS = {'mocov2': 'encoder_k', 'byol': 'target_net'}


def hold_updated_momentum(algorithm: nn.Module) -> None:
    """Keep ``loss()`` from moving an already updated momentum network.

    The first update of a momentum network copies the online network: that
    one is kept, since it is the synchronisation the guide pass must match.
    A later update would move the network by one more average step before
    ``loss()`` uses it, while the guide pass uses it as it stands (the update
    belongs to the training pass): an interval longer than its step count
    skips the average.
    """
    for module in algorithm.modules():
        if isinstance(module, BaseAveragedModel) and module.steps > 0:
            module.interval = int(module.steps) + 1


def own_loss_maps(algorithm: nn.Module, views: List[Tensor]) -> List[Tensor]:
    """Last backbone maps of each backbone call in one ``loss()``, with the
    gradient of that loss in ``.grad``."""
    algorithm = copy.deepcopy(algorithm)
    hold_updated_momentum(algorithm)
    maps = []

    def keep(module: nn.Module, args: tuple, output: tuple) -> None:
        output[-1].retain_grad()
        maps.append(output[-1])

    algorithm.backbone.register_forward_hook(keep)
    samples = [DataSample() for _ in range(len(views[0]))]
    algorithm.loss(views, samples)['loss'].backward()
    return maps


def reference_guide(algorithm: nn.Module,
                    views: List[Tensor]) -> Tuple[Tensor, Tensor]:
    """Per view (view-major), the last map and the loss gradient on it."""
    if isinstance(algorithm, MoCo):
        # loss() sends its first view through the online encoder (the query)
        # and the second through the key encoder: each view is the query once
        maps = []
        for query, key in ((views[0], views[1]), (views[1], views[0])):
            query_maps = own_loss_maps(algorithm, [query, key])
            assert len(query_maps) == 1
            maps += query_maps
    else:
        maps = own_loss_maps(algorithm, views)
    return (torch.cat([m.detach()
                       for m in maps]), torch.cat([m.grad for m in maps]))


def preprocessed_views(model: GraSS) -> List[Tensor]:
    """Two views of two random 64 x 64 images."""
    batch = make_batch(num=2, seed=1)
    return model.data_preprocessor(batch, True)['inputs']


def momentum_net_state(model: GraSS) -> dict:
    """The momentum network's weights and step count (empty for SimCLR).

    Its batch norm statistics follow its forward passes, as in ``loss()``,
    and are overwritten by the online network's at every update.
    """
    return {
        key: value
        for key, value in model.algorithm.state_dict().items()
        if key.split('.')[0] in MOMENTUM_NETS.values()
        and 'running_' not in key and 'num_batches_tracked' not in key
    }


def differs_from_online(model: GraSS, name: str) -> bool:
    """Whether the momentum network's weights differ from the online's."""
    momentum_net = getattr(model.algorithm, MOMENTUM_NETS[name])
    online = nn.Sequential(model.backbone, model.algorithm.neck)
    return any(
        not torch.equal(p, q)
        for p, q in zip(momentum_net.module.parameters(), online.parameters()))


def assert_same_gradient(actual: Tensor, expected: Tensor) -> None:
    scale = float(expected.abs().max())
    assert scale > 0
    torch.testing.assert_close(actual, expected, rtol=1e-4, atol=1e-5 * scale)


@pytest.mark.parametrize('name', ['simclr', 'mocov2', 'byol'])
def test_guide_is_the_gradient_of_the_algorithms_own_loss(name):
    """Fresh models: the momentum networks were never updated, as at the
    first GS step of a run with ``warmup_iters=0`` (their initialisation
    differs from the online network's); ``loss()`` copies the online network
    into them first, and so must the guide pass, without changing them."""
    model = build_grass(name)
    assert name not in MOMENTUM_NETS or differs_from_online(model, name)
    momentum_state = copy.deepcopy(momentum_net_state(model))
    views = preprocessed_views(model)
    expected_features, expected_grads = reference_guide(model.algorithm, views)

    features, grads = model.guide(views)
    torch.testing.assert_close(features, expected_features)
    assert_same_gradient(grads, expected_grads)
    for key, value in momentum_net_state(model).items():
        assert torch.equal(value, momentum_state[key]), key

    lam = model.sample(views).lam
    expected_lam = loss_activation_map(expected_features, expected_grads,
                                       views[0].shape[-2:])
    assert_same_gradient(lam, expected_lam)

    if name in MOMENTUM_NETS:  # used as initialised, it would differ
        getattr(model.algorithm, MOMENTUM_NETS[name]).steps.fill_(1)
        assert not torch.allclose(
            model.guide(views)[1],
            grads,
            rtol=1e-2,
            atol=1e-3 * float(grads.abs().max()))


@pytest.mark.parametrize('name', ['mocov2', 'byol'])
def test_a_resumed_momentum_network_is_used_as_loaded(name):
    """A momentum network loaded from a checkpoint (updated at least once)
    is neither overwritten nor bypassed by the guide pass."""
    trained = build_grass(name)
    trained.train_step(make_batch(num=2, seed=7), sgd(trained))  # 1 update
    resumed = build_grass(name, seed=3)
    resumed.load_state_dict(trained.state_dict())
    momentum_net = getattr(resumed.algorithm, MOMENTUM_NETS[name])
    assert int(momentum_net.steps) == 1
    assert differs_from_online(resumed, name)
    loaded = copy.deepcopy(momentum_net_state(resumed))
    views = preprocessed_views(resumed)
    expected_grads = reference_guide(resumed.algorithm, views)[1]

    grads = resumed.guide(views)[1]
    assert_same_gradient(grads, expected_grads)
    for key, value in momentum_net_state(resumed).items():
        assert torch.equal(value, loaded[key]), key
    momentum_net.steps.zero_()  # as if never updated: synchronised
    assert not torch.allclose(
        resumed.guide(views)[1],
        grads,
        rtol=1e-2,
        atol=1e-3 * float(grads.abs().max()))


def test_the_box_lands_on_the_region_that_tells_the_views_apart():
    """A case whose answer is known by construction.

    Each image's two views are the same flat grey but for one square, which
    is textured in the second view only: the square is all that tells the
    views apart, so it is what raises the loss of the positive pair. The
    map follows the gradient of the loss with the reference's sign (the
    loss's, not its negative's), so the box of the second view must land on
    the square. With random weights one view's map is noisy (cells at the
    zero-padded border compete), so this is asked of the batch: the boxes'
    mean precision (the part of the box inside the square) must be five
    times what a box placed at random gets (1/16). SimCLR reads the
    stride-16 map (``layer3``: 8 x 8 cells at 128 px, where ``layer4`` has
    4 x 4), so that each square spans 2 x 2 cells. Over five seeds of the
    model and the images the mean precision was 0.33 to 0.60, and 0.05 to
    0.30 with the gradient's sign flipped.
    """
    algorithm = copy.deepcopy(ALGORITHMS['simclr'])
    algorithm['backbone'] = dict(algorithm['backbone'], out_indices=(2, ))
    algorithm['neck'] = dict(algorithm['neck'], in_channels=256)
    torch.manual_seed(1)
    model = GraSS(algorithm=algorithm)
    model.init_weights()
    num, size, side = 8, 128, 32
    generator = torch.Generator().manual_seed(101)
    grey = torch.randint(
        60, 200, (num, 1, 1, 1), generator=generator, dtype=torch.uint8)
    first = grey.expand(num, 3, size, size).clone()
    second = first.clone()
    squares = torch.zeros(num, size, size, dtype=torch.bool)
    corners = torch.randint(0, size // side, (num, 2), generator=generator)
    for i, (y, x) in enumerate((corners * side).tolist()):
        second[i, :, y:y + side, x:x + side] = torch.randint(
            0, 256, (3, side, side), generator=generator, dtype=torch.uint8)
        squares[i, y:y + side, x:x + side] = True
    batch = dict(
        inputs=[first, second],
        data_samples=[DataSample() for _ in range(num)])
    views = model.data_preprocessor(batch, True)['inputs']

    boxes = model.sample(views).boxes[num:]
    precision = torch.stack([
        square[y0:y1, x0:x1].float().mean()
        for square, (y0, x0, y1, x1) in zip(squares, boxes.tolist())
    ])
    assert precision.mean() > 5 * (side / size)**2

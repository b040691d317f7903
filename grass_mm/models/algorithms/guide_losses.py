# Copyright (c) grass_mm contributors. All rights reserved.
"""Guide-pass losses: each algorithm's contrastive loss from given features.

The guide pass of GraSS (https://arxiv.org/abs/2306.15868, §III-B) needs the
gradient of an algorithm's loss with respect to the backbone's last feature
map of every view. A guide loss computes that loss from backbone outputs
produced by ``extract`` (the backbone run without an autograd graph, its
last map a leaf that requires grad) and returns the leaves, one per view
group, in the order of the views. It must not change any state of the
algorithm (no momentum update, no queue update).

A momentum network (MoCo's key encoder, BYOL's target network) is used as
it stands, except before its first update: mmengine's averaged models copy
the online network at their first update, so until then (GS training from
the first iteration, ``warmup_iters=0``) the guide pass runs the momentum
network with the online network's parameters and buffers, which is what
that update makes it, and leaves it unchanged (:func:`momentum_forward`).
A momentum network loaded from a checkpoint has been updated and is used
as loaded.

Register a guide loss for another algorithm with :func:`register_guide_loss`.
"""
import functools
from typing import Callable, List, Tuple

import torch
import torch.nn.functional as F
from mmengine.model import BaseAveragedModel
from mmpretrain.models import BYOL, MoCo
from mmpretrain.models.utils import batch_shuffle_ddp, batch_unshuffle_ddp
from torch import Tensor, nn

from .nt_xent_simclr import NTXentSimCLR

Extract = Callable[[Tensor], Tuple[Tensor, ...]]
GuideLoss = Callable[[nn.Module, List[Tensor], Extract], Tuple[Tensor,
                                                               List[Tensor]]]


def _unsupported(algorithm: nn.Module) -> TypeError:
    supported = ', '.join(
        sorted(cls.__name__ for cls in guide_loss.registry
               if cls is not object))
    return TypeError(
        f'GraSS cannot wrap {type(algorithm).__name__}: no guide loss is '
        f'registered for it (supported: {supported}). Register a guide '
        'loss with `grass_mm.models.register_guide_loss`.')


@functools.singledispatch
def guide_loss(algorithm: nn.Module, views: List[Tensor],
               extract: Extract) -> Tuple[Tensor, List[Tensor]]:
    """The guide loss of ``algorithm``, dispatched on its class.

    ``functools.singledispatch`` finds the implementation registered for the
    closest class in the algorithm's MRO; this default is reached only when
    none of its classes has one.

    Raises:
        TypeError: Naming the algorithm and the supported classes.
    """
    raise _unsupported(algorithm)


def register_guide_loss(algorithm_type: type) -> Callable:
    """Register the guide loss of an algorithm class (and its subclasses).

    Example:
        >>> @register_guide_loss(MyAlgorithm)
        ... def my_guide_loss(algorithm, views, extract):
        ...     features = extract(torch.cat(views))
        ...     loss = ...  # the algorithm's loss from ``features``
        ...     return loss, [features[-1]]
    """
    return guide_loss.register(algorithm_type)


def get_guide_loss(algorithm: nn.Module) -> GuideLoss:
    """Find the guide loss of ``algorithm`` through its class hierarchy.

    Raises:
        TypeError: When none of its classes has one.
    """
    implementation = guide_loss.dispatch(type(algorithm))
    if implementation is guide_loss.registry[object]:
        raise _unsupported(algorithm)
    return implementation


@register_guide_loss(NTXentSimCLR)
def simclr_guide_loss(algorithm: NTXentSimCLR, views: List[Tensor],
                      extract: Extract) -> Tuple[Tensor, List[Tensor]]:
    """SimCLR: both views in one batch, symmetric NT-Xent loss."""
    features = extract(torch.cat(views))
    return algorithm.loss_from_features(features), [features[-1]]


@torch.no_grad()
def momentum_forward(momentum_net: BaseAveragedModel, online: nn.Module,
                     inputs: Tensor) -> Tuple[Tensor, ...]:
    """Run a momentum network, synchronised if it was never updated.

    Args:
        momentum_net (BaseAveragedModel): The momentum network, an
            averaged copy of ``online``.
        online (nn.Module): The network it averages.
        inputs (Tensor): The network's input.

    Returns:
        tuple[Tensor, ...]: The momentum network's output. Before its first
        update (``steps == 0``) it is computed with the parameters and (a
        copy of the) buffers of ``online``, as that update will set them;
        neither network is changed.
    """
    if bool(momentum_net.steps > 0):
        return momentum_net(inputs)
    state = dict(online.named_parameters())
    state.update(
        (name, buffer.clone()) for name, buffer in online.named_buffers())
    return torch.func.functional_call(momentum_net.module, state, (inputs, ))


def _online_encoder(algorithm: nn.Module) -> nn.Module:
    """The online network that MoCo and BYOL average: backbone and neck."""
    return nn.Sequential(algorithm.backbone, algorithm.neck)


@torch.no_grad()
def _moco_keys(algorithm: MoCo, view: Tensor) -> Tensor:
    """MoCo's keys of a view from the momentum encoder, without updating."""
    view, idx_unshuffle = batch_shuffle_ddp(view)
    keys = momentum_forward(algorithm.encoder_k, _online_encoder(algorithm),
                            view)[0]
    return batch_unshuffle_ddp(F.normalize(keys, dim=1), idx_unshuffle)


@register_guide_loss(MoCo)
def moco_guide_loss(algorithm: MoCo, views: List[Tensor],
                    extract: Extract) -> Tuple[Tensor, List[Tensor]]:
    """MoCo v2: each view is the query once, against the other's keys.

    MoCo sends only the first view through the online encoder, so each
    view's gradient comes from the term in which it is the query.
    """
    queue = algorithm.queue.clone().detach()
    loss, leaves = 0, []
    for query_view, key_view in ((views[0], views[1]), (views[1], views[0])):
        features = extract(query_view)
        query = F.normalize(algorithm.neck(features)[0], dim=1)
        keys = _moco_keys(algorithm, key_view)
        positive = torch.einsum('nc,nc->n', query, keys).unsqueeze(-1)
        negative = torch.einsum('nc,ck->nk', query, queue)
        loss = loss + algorithm.head.loss(positive, negative)
        leaves.append(features[-1])
    return loss, leaves


@register_guide_loss(BYOL)
def byol_guide_loss(algorithm: BYOL, views: List[Tensor],
                    extract: Extract) -> Tuple[Tensor, List[Tensor]]:
    """BYOL: symmetric loss, online projections against target ones."""
    features = [extract(view) for view in views]
    online = [algorithm.neck(x)[0] for x in features]
    encoder = _online_encoder(algorithm)
    target = [
        momentum_forward(algorithm.target_net, encoder, view)[0]
        for view in views
    ]
    loss = 2. * (
        algorithm.head.loss(online[0], target[1]) +
        algorithm.head.loss(online[1], target[0]))
    return loss, [x[-1] for x in features]

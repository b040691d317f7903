# Copyright (c) grass_mm contributors. All rights reserved.
"""Read a training step's embeddings, per view, off what it computed.

:class:`~grass_mm.engine.EmbeddingHealthHook` records the outputs of an
algorithm's neck (its projector) during a training step, without running
anything itself. An embedding reader turns the outputs of that step into
the embeddings of each view, (V, N, D), row i of every view the same image.
Only the last neck calls of a step are used: a `GraSS
<https://arxiv.org/abs/2306.15868>`_ step calls the neck in its guide pass
first, then in its training loss.

Register a reader for another algorithm with
:func:`register_embedding_reader`.
"""
import functools
from typing import Callable, List, Optional

import torch
import torch.nn.functional as F
from mmengine.dist import get_rank, get_world_size
from mmpretrain.models import BYOL, MoCo, SimCLR
from torch import Tensor, nn

from ..models import NTXentSimCLR

EmbeddingReader = Callable[[nn.Module, List[Tensor]], Optional[Tensor]]


def _unsupported(algorithm: nn.Module) -> TypeError:
    supported = ', '.join(
        sorted(cls.__name__ for cls in read_embeddings.registry
               if cls is not object))
    return TypeError(
        'EmbeddingHealthHook cannot read the embeddings of '
        f'{type(algorithm).__name__}: no embedding reader is registered for '
        f'it (supported: {supported}). Register a reader with '
        '`grass_mm.engine.register_embedding_reader`.')


@functools.singledispatch
def read_embeddings(algorithm: nn.Module,
                    outputs: List[Tensor]) -> Optional[Tensor]:
    """The embeddings of a step, read by the reader of ``algorithm``'s class.

    ``functools.singledispatch`` finds the reader registered for the closest
    class in the algorithm's MRO; this default is reached only when none of
    its classes has one.

    Raises:
        TypeError: Naming the algorithm and the supported classes.
    """
    raise _unsupported(algorithm)


def register_embedding_reader(algorithm_type: type) -> Callable:
    """Register the embedding reader of an algorithm class (and subclasses).

    A reader takes the algorithm and the outputs (first element of each
    neck call, detached, in call order) of one training step and returns
    the step's embeddings of this process, (V, N, D), or None when the step
    has not produced them.
    """
    return read_embeddings.register(algorithm_type)


def get_embedding_reader(algorithm: nn.Module) -> EmbeddingReader:
    """Find the reader of ``algorithm`` through its class hierarchy.

    Raises:
        TypeError: When none of its classes has one.
    """
    reader = read_embeddings.dispatch(type(algorithm))
    if reader is read_embeddings.registry[object]:
        raise _unsupported(algorithm)
    return reader


@register_embedding_reader(NTXentSimCLR)
def ntxent_simclr_embeddings(algorithm: nn.Module,
                             outputs: List[Tensor]) -> Optional[Tensor]:
    """Both views in one neck call, view-major."""
    if not outputs:
        return None
    return torch.stack(outputs[-1].chunk(2))


@register_embedding_reader(SimCLR)
def simclr_embeddings(algorithm: nn.Module,
                      outputs: List[Tensor]) -> Optional[Tensor]:
    """mmpretrain's SimCLR: both views in one call, image-major."""
    if not outputs:
        return None
    z = outputs[-1]
    return z.reshape(z.shape[0] // 2, 2, -1).transpose(0, 1)


@register_embedding_reader(BYOL)
def byol_embeddings(algorithm: nn.Module,
                    outputs: List[Tensor]) -> Optional[Tensor]:
    """BYOL: one online projection per view, two calls."""
    if len(outputs) < 2:
        return None
    return torch.stack(outputs[-2:])


@register_embedding_reader(MoCo)
def moco_embeddings(algorithm: nn.Module,
                    outputs: List[Tensor]) -> Optional[Tensor]:
    """MoCo: the first view's queries and the second view's keys.

    The keys come from the momentum encoder on a batch shuffled across
    processes; the step enqueues them in order, every process's in rank
    order, so this process's keys are read back from the queue.
    """
    if not outputs:
        return None
    queries = F.normalize(outputs[-1], dim=1)
    batch, world = queries.shape[0], get_world_size()
    start = (int(algorithm.queue_ptr) - batch * world) % algorithm.queue_len
    start += get_rank() * batch
    keys = algorithm.queue[:, start:start + batch].T
    return torch.stack([queries, keys.to(queries.dtype)])

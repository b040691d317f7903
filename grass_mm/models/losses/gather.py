# Copyright (c) grass_mm contributors. All rights reserved.
"""Autograd-aware gathering of features across processes.

Contrastive losses such as NT-Xent in GraSS (https://arxiv.org/abs/2306.15868)
use every sample of the global batch as a negative, so the projections of all
processes must be gathered *with* their gradients. The helpers here are the
identity in a single process, so the losses stay testable on one CPU process
without any process group.
"""
from typing import Tuple

import torch
import torch.distributed as dist
from torch import Tensor


def get_dist_rank_and_world_size() -> Tuple[int, int]:
    """Rank and world size of the default process group.

    Returns:
        tuple[int, int]: ``(rank, world_size)``; ``(0, 1)`` when
        ``torch.distributed`` is unavailable or not initialised.
    """
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def gather_with_grad(x: Tensor) -> Tensor:
    """Concatenate ``x`` from all processes along dim 0, keeping gradients.

    Uses :func:`torch.distributed.nn.functional.all_gather`, whose backward
    pass sums, over the processes, the gradients that flow into each
    process's slice. So if every process ``r`` back-propagates its own loss
    ``L_r``, the gradient reaching the local ``x`` is ``d(sum_r L_r) / dx``.

    All processes must pass tensors of the same shape.

    Args:
        x (Tensor): The local tensor, shape ``(N, ...)``.

    Returns:
        Tensor: Shape ``(world_size * N, ...)``, the slices ordered by rank;
        ``x`` itself in a single process.
    """
    _, world_size = get_dist_rank_and_world_size()
    if world_size == 1:
        return x
    # Imported lazily: ``torch.distributed.nn`` fails to import on builds of
    # torch without distributed support, where this branch is never reached.
    from torch.distributed.nn.functional import all_gather
    return torch.cat(all_gather(x), dim=0)

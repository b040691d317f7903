# Copyright (c) grass_mm contributors. All rights reserved.
"""NT-Xent, the contrastive loss of SimCLR used by GraSS.

GraSS: https://arxiv.org/abs/2306.15868 ; SimCLR (Chen et al., 2020):
https://arxiv.org/abs/2002.05709 .
"""
from contextlib import nullcontext

import torch
import torch.nn.functional as F
from torch import Tensor

from .gather import gather_with_grad, get_dist_rank_and_world_size

# Logit given to an anchor's similarity with itself, so that it takes no part
# in the softmax: exp(-1e9 - max) underflows to exactly 0 in float32.
SELF_SIMILARITY_FILL = -1e9


def _autocast_off(device_type: str):
    """A context that disables autocast on ``device_type`` where it exists."""
    if torch.amp.is_autocast_available(device_type):
        return torch.autocast(device_type=device_type, enabled=False)
    return nullcontext()


def nt_xent_loss(z1: Tensor,
                 z2: Tensor,
                 temperature: float = 0.5,
                 gather: bool = True) -> Tensor:
    """Normalised temperature-scaled cross-entropy (NT-Xent) loss.

    SimCLR's loss (https://arxiv.org/abs/2002.05709, Eq. 1), as used for the
    image-level contrast of GraSS (https://arxiv.org/abs/2306.15868). The
    projections are L2-normalised, so similarities are cosines. Each of the
    ``2N`` local projections is an anchor ``i``; its positive ``j`` is the
    other view of the same image, and

    ``l_i = -log(exp(s_ij / t) / sum_{k != i} exp(s_ik / t))``,

    where ``k`` runs over the projections of both views of the *global*
    batch. The result is the mean of ``l_i`` over the local anchors.

    With ``gather=True`` and an initialised process group of ``W > 1``
    processes, the projections are gathered with autograd-aware collectives.
    The mean of the per-process losses then equals the single-process loss on
    the concatenated global batch, and so do the parameter gradients once DDP
    has averaged them over the processes. Every process must hold the same
    ``N`` (e.g. a sampler with ``drop_last=True``).

    The math runs in at least float32 (with autocast disabled), so bf16/fp16
    inputs give a float32 loss; float64 inputs stay float64.

    Args:
        z1 (Tensor): Projections of the first views, shape ``(N, D)``.
        z2 (Tensor): Projections of the second views of the same ``N``
            images, in the same order, shape ``(N, D)``.
        temperature (float): Softmax temperature ``t``. Defaults to 0.5.
        gather (bool): Whether to use the projections of all processes as
            negatives. Without a process group it makes no difference.
            Defaults to True.

    Returns:
        Tensor: The scalar loss.
    """
    if temperature <= 0:
        raise ValueError(f'temperature must be > 0, got {temperature}')
    if z1.dim() != 2 or z1.shape != z2.shape or z1.shape[0] == 0:
        raise ValueError('z1 and z2 must both have the same shape (N, D) with '
                         f'N > 0, got {tuple(z1.shape)} and {tuple(z2.shape)}')
    n = z1.shape[0]
    dtype = torch.promote_types(z1.dtype, torch.float32)
    with _autocast_off(z1.device.type):
        # Rows 0..N-1 are the first views, rows N..2N-1 the second views.
        local = F.normalize(torch.cat([z1, z2]).to(dtype), dim=1)
        if gather:
            rank, _ = get_dist_rank_and_world_size()
            candidates = gather_with_grad(local)
        else:
            rank, candidates = 0, local
        # Each process contributes 2N rows, so local row a is global row
        # offset + a.
        offset = rank * 2 * n
        logits = local @ candidates.t() / temperature

        rows = torch.arange(2 * n, device=local.device)
        is_self = torch.zeros_like(logits, dtype=torch.bool)
        is_self[rows, offset + rows] = True
        logits = logits.masked_fill(is_self, SELF_SIMILARITY_FILL)
        # The positive of row a is the other view of the same image.
        labels = offset + (rows + n) % (2 * n)
        return F.cross_entropy(logits, labels)

# Copyright (c) grass_mm contributors. All rights reserved.
"""Health metrics of a batch of contrastive embeddings.

A contrastive loss can keep falling while the representation collapses.
These metrics of the projections of one step show it as it happens (used by
:class:`~grass_mm.engine.EmbeddingHealthHook` while pretraining `GraSS
<https://arxiv.org/abs/2306.15868>`_ or any mmpretrain algorithm):

- ``embed_std``: the mean over dimensions of the standard deviation over the
  batch of the L2-normalised embeddings, times ``sqrt(dim)``: about 1 for
  embeddings spread over the sphere, 0 when they all coincide (the collapse
  measure of SimSiam, Chen and He, CVPR 2021);
- ``alignment`` and ``uniformity`` (Wang and Isola, ICML 2020,
  https://arxiv.org/abs/2005.10242): the mean squared distance between the
  two views of an image (lower is better) and the log of the mean Gaussian
  potential between embeddings of a view (lower is better, 0 when
  collapsed);
- ``effective_rank``: ``exp`` of the entropy of the normalised singular
  values of the embedding matrix (RankMe, Garrido et al., ICML 2023,
  https://arxiv.org/abs/2210.02885): from 1 (collapsed) to ``min(n, dim)``.

All functions take embeddings as given and normalise them themselves.
"""
import math
from typing import Dict

import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = [
    'alignment', 'effective_rank', 'embed_std', 'embedding_health',
    'uniformity'
]


def embed_std(embeddings: Tensor) -> Tensor:
    """Mean per-dimension std of normalised embeddings, times sqrt(dim).

    Args:
        embeddings (Tensor): Shape (M, D), M >= 2.

    Returns:
        Tensor: A scalar, 0 for identical embeddings.
    """
    z = F.normalize(embeddings.double(), dim=1)
    return z.std(dim=0).mean() * math.sqrt(z.shape[1])


def alignment(z1: Tensor, z2: Tensor, alpha: float = 2.0) -> Tensor:
    """Mean ``||z1_i - z2_i||^alpha`` of normalised positive pairs.

    Args:
        z1 (Tensor): First view's embeddings, (N, D).
        z2 (Tensor): Second view's embeddings of the same images, (N, D).
        alpha (float): Exponent. Defaults to 2.

    Returns:
        Tensor: A scalar in [0, 2 ** alpha].
    """
    z1 = F.normalize(z1.double(), dim=1)
    z2 = F.normalize(z2.double(), dim=1)
    return (z1 - z2).norm(dim=1).pow(alpha).mean()


def uniformity(embeddings: Tensor, t: float = 2.0) -> Tensor:
    """``log`` of the mean ``exp(-t ||z_i - z_j||^2)`` over pairs i < j.

    Args:
        embeddings (Tensor): One view's embeddings, (M, D), M >= 2.
        t (float): Scale of the Gaussian potential. Defaults to 2.

    Returns:
        Tensor: A scalar <= 0; 0 when the embeddings coincide.
    """
    z = F.normalize(embeddings.double(), dim=1)
    return torch.pdist(z).pow(2).mul(-t).exp().mean().log()


def effective_rank(embeddings: Tensor, eps: float = 1e-7) -> Tensor:
    """RankMe's effective rank of the normalised embedding matrix.

    Args:
        embeddings (Tensor): Shape (M, D).
        eps (float): Added to the singular value distribution before the
            logarithm. Defaults to 1e-7.

    Returns:
        Tensor: A scalar in [1, min(M, D)].
    """
    z = F.normalize(embeddings.double(), dim=1)
    singular = torch.linalg.svdvals(z)
    p = singular / singular.sum() + eps
    return torch.exp(-(p * p.log()).sum())


def embedding_health(views: Tensor) -> Dict[str, float]:
    """All four metrics of one step's embeddings.

    Args:
        views (Tensor): Embeddings of V >= 1 views of the same N >= 2
            images, (V, N, D); row i of every view is the same image.

    Returns:
        dict[str, float]: ``embed_std``, ``uniformity`` (mean over views)
        and ``effective_rank`` of all V * N embeddings, and ``alignment``
        (mean over pairs of views) when V >= 2.
    """
    if views.dim() != 3 or views.shape[1] < 2:
        raise ValueError('embedding_health: expected (views, images >= 2, '
                         f'dim) embeddings, got shape {tuple(views.shape)}')
    everything = views.flatten(0, 1)
    metrics = dict(
        embed_std=embed_std(everything),
        uniformity=torch.stack([uniformity(view) for view in views]).mean(),
        effective_rank=effective_rank(everything))
    pairs = [(i, j) for i in range(len(views))
             for j in range(i + 1, len(views))]
    if pairs:
        metrics['alignment'] = torch.stack(
            [alignment(views[i], views[j]) for i, j in pairs]).mean()
    return {name: value.item() for name, value in metrics.items()}

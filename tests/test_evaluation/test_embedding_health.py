# Copyright (c) grass_mm contributors. All rights reserved.
"""Health metrics of embeddings against NumPy references written from the
papers' definitions, and on collapsed and healthy inputs."""
import itertools
import math

import numpy as np
import pytest
import torch

from grass_mm.evaluation import (alignment, effective_rank, embed_std,
                                 embedding_health, uniformity)


def normalised(x: np.ndarray) -> np.ndarray:
    return x / np.sqrt((x**2).sum(axis=1, keepdims=True))


def reference_embed_std(x: np.ndarray) -> float:
    z = normalised(x)
    return float(np.std(z, axis=0, ddof=1).mean() * math.sqrt(z.shape[1]))


def reference_alignment(x: np.ndarray, y: np.ndarray) -> float:
    a, b = normalised(x), normalised(y)
    return float(np.mean([np.sum((a[i] - b[i])**2) for i in range(len(a))]))


def reference_uniformity(x: np.ndarray, t: float = 2.0) -> float:
    z = normalised(x)
    potentials = [
        math.exp(-t * float(np.sum((z[i] - z[j])**2)))
        for i, j in itertools.combinations(range(len(z)), 2)
    ]
    return math.log(sum(potentials) / len(potentials))


def reference_effective_rank(x: np.ndarray) -> float:
    singular = np.linalg.svd(normalised(x), compute_uv=False)
    p = singular / singular.sum() + 1e-7
    return float(math.exp(-np.sum(p * np.log(p))))


@pytest.fixture
def embeddings():
    rng = np.random.default_rng(0)
    z1 = rng.normal(size=(12, 8))
    z2 = z1 + 0.3 * rng.normal(size=(12, 8))
    return z1, z2


def test_metrics_equal_numpy_references(embeddings):
    z1, z2 = embeddings
    t1, t2 = torch.from_numpy(z1).float(), torch.from_numpy(z2).float()

    assert embed_std(t1).item() == pytest.approx(
        reference_embed_std(z1), rel=1e-5)
    assert alignment(t1, t2).item() == pytest.approx(
        reference_alignment(z1, z2), rel=1e-5)
    assert uniformity(t1).item() == pytest.approx(
        reference_uniformity(z1), rel=1e-5)
    assert effective_rank(t1).item() == pytest.approx(
        reference_effective_rank(z1), rel=1e-5)


def test_embedding_health_combines_views(embeddings):
    z1, z2 = embeddings
    views = torch.from_numpy(np.stack([z1, z2])).float()
    both = np.concatenate([z1, z2])

    metrics = embedding_health(views)

    assert metrics == pytest.approx(
        dict(
            embed_std=reference_embed_std(both),
            alignment=reference_alignment(z1, z2),
            uniformity=(reference_uniformity(z1) + reference_uniformity(z2)) /
            2,
            effective_rank=reference_effective_rank(both)),
        rel=1e-5)


def test_swapped_pairs_are_less_aligned(embeddings):
    z1, z2 = embeddings
    views = torch.from_numpy(np.stack([z1, z2])).float()
    swapped = torch.stack([views[0], views[1].roll(1, dims=0)])
    assert (embedding_health(swapped)['alignment']
            > 2 * embedding_health(views)['alignment'])


def test_collapsed_embeddings():
    """All embeddings equal (up to scale): every metric at its floor."""
    z = torch.tensor([1.0, -2.0, 0.5, 3.0]).repeat(16, 1)
    views = torch.stack([z, 3.0 * z])

    metrics = embedding_health(views)

    assert metrics['embed_std'] == pytest.approx(0.0, abs=1e-6)
    assert metrics['alignment'] == pytest.approx(0.0, abs=1e-6)
    assert metrics['uniformity'] == pytest.approx(0.0, abs=1e-6)
    assert metrics['effective_rank'] == pytest.approx(1.0, abs=1e-3)


def test_healthy_embeddings():
    """Isotropic Gaussian embeddings, each view a small perturbation."""
    generator = torch.Generator().manual_seed(0)
    z = torch.randn(512, 32, generator=generator)
    views = torch.stack(
        [z, z + 0.05 * torch.randn(512, 32, generator=generator)])

    metrics = embedding_health(views)

    assert metrics['embed_std'] == pytest.approx(1.0, abs=0.05)
    assert metrics['alignment'] < 0.01
    # uniform on the sphere in d = 32 dimensions, cos ~ N(0, 1 / d):
    # log E exp(-4 (1 - cos)) = -4 + 8 / d
    assert metrics['uniformity'] == pytest.approx(-4 + 8 / 32, abs=0.1)
    assert metrics['effective_rank'] > 0.9 * 32


def test_bad_shape_is_refused():
    with pytest.raises(ValueError, match=r'got shape \(2, 1, 4\)'):
        embedding_health(torch.ones(2, 1, 4))

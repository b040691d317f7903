# Copyright (c) grass_mm contributors. All rights reserved.
"""Tests of the NT-Xent loss (SimCLR, https://arxiv.org/abs/2002.05709) used
by GraSS (https://arxiv.org/abs/2306.15868)."""
import math
from datetime import timedelta

import numpy as np
import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from grass_mm.models.losses import gather_with_grad, nt_xent_loss


def reference_nt_xent(z1: np.ndarray, z2: np.ndarray,
                      temperature: float) -> float:
    """Slow NT-Xent written from Eq. 1 of the SimCLR paper, in float64.

    The 2N anchors are z1[0..N-1] then z2[0..N-1]; the positive of anchor i
    is j = (i + N) mod 2N, and the denominator sums over every k != i.
    """
    z = np.concatenate([z1, z2]).astype(np.float64)
    z = z / np.linalg.norm(z, axis=1, keepdims=True)
    two_n = z.shape[0]
    n = two_n // 2
    losses = []
    for i in range(two_n):
        j = (i + n) % two_n
        logits = [
            float(z[i] @ z[k]) / temperature for k in range(two_n) if k != i
        ]
        peak = max(logits)
        log_denominator = peak + math.log(
            sum(math.exp(x - peak) for x in logits))
        positive = float(z[i] @ z[j]) / temperature
        losses.append(log_denominator - positive)
    return sum(losses) / two_n


def random_pair(n: int, d: int, seed: int = 0, dtype=torch.float32):
    gen = torch.Generator().manual_seed(seed)
    z1 = torch.randn(n, d, generator=gen, dtype=torch.float64).to(dtype)
    z2 = torch.randn(n, d, generator=gen, dtype=torch.float64).to(dtype)
    return z1, z2


@pytest.mark.parametrize('n', [1, 2, 7, 32])
@pytest.mark.parametrize('temperature', [0.07, 0.1, 0.5, 1.0])
@pytest.mark.parametrize('d', [3, 16])
def test_matches_numpy_reference(n, temperature, d):
    z1, z2 = random_pair(n, d, seed=n * 100 + d)
    loss = nt_xent_loss(z1, z2, temperature=temperature)
    expected = reference_nt_xent(z1.numpy(), z2.numpy(), temperature)
    assert loss.dtype == torch.float32
    assert loss.shape == ()
    assert loss.item() == pytest.approx(expected, rel=1e-5, abs=1e-6)


E1, E2 = [1.0, 0.0], [0.0, 1.0]
NEG_E1, NEG_E2 = [-1.0, 0.0], [0.0, -1.0]


# Closed forms, N = 2, with the unit vectors e1, e2 (t is the temperature).
# By the symmetry of each case all four anchors have the same loss, so the
# mean equals the loss of the anchor z1[0]:
#  * z1 = [e1, e2], z2 = [e1, e2]: positive e1 (cos 1), negatives e2, e2
#    (cos 0): -log(e^{1/t} / (e^{1/t} + 2)) = log(1 + 2 e^{-1/t}).
#  * z1 = [e1, -e1], z2 = [e1, -e1]: positive e1 (cos 1), negatives -e1, -e1
#    (cos -1): log(1 + 2 e^{-2/t}).
#  * z1 = [e1, -e1], z2 = [e2, -e2]: positive e2 (cos 0), negatives -e1
#    (cos -1) and -e2 (cos 0): -log(1 / (1 + e^{-1/t} + 1))
#    = log(2 + e^{-1/t}); here the positive is not the most similar.
# N = 1: the positive is the only term of the denominator, so the loss is 0.
@pytest.mark.parametrize('temperature', [0.1, 0.5, 1.0])
@pytest.mark.parametrize('z1, z2, closed_form', [
    ([E1, E2], [E1, E2], lambda t: math.log(1 + 2 * math.exp(-1 / t))),
    ([E1, NEG_E1], [E1, NEG_E1], lambda t: math.log(1 + 2 * math.exp(-2 / t))),
    ([E1, NEG_E1], [E2, NEG_E2], lambda t: math.log(2 + math.exp(-1 / t))),
    ([[0.3, -2.0]], [[5.0, 1.0]], lambda t: 0.0),
])
def test_analytic_values(z1, z2, closed_form, temperature):
    loss = nt_xent_loss(
        torch.tensor(z1), torch.tensor(z2), temperature=temperature)
    assert loss.item() == pytest.approx(
        closed_form(temperature), rel=1e-6, abs=1e-7)


def test_symmetric_in_the_two_views():
    z1, z2 = random_pair(5, 8)
    assert nt_xent_loss(z1, z2).item() == pytest.approx(
        nt_xent_loss(z2, z1).item(), rel=1e-6)


def test_invariant_to_image_order():
    z1, z2 = random_pair(6, 8)
    perm = torch.tensor([3, 0, 5, 1, 4, 2])
    assert nt_xent_loss(z1, z2).item() == pytest.approx(
        nt_xent_loss(z1[perm], z2[perm]).item(), rel=1e-6)


def test_depends_on_pairing():
    # A different pairing of the views changes the positives, so the loss.
    z1, z2 = random_pair(6, 8)
    shifted = z2.roll(1, dims=0)
    assert abs(nt_xent_loss(z1, z2).item() -
               nt_xent_loss(z1, shifted).item()) > 1e-3


def test_scale_invariant():
    z1, z2 = random_pair(5, 8)
    scale1 = torch.linspace(0.01, 100.0, 5)[:, None]
    scale2 = torch.linspace(7.0, 0.2, 5)[:, None]
    assert nt_xent_loss(z1 * scale1, z2 * scale2).item() == pytest.approx(
        nt_xent_loss(z1, z2).item(), rel=1e-5)


def test_gather_flag_is_moot_in_one_process():
    z1, z2 = random_pair(4, 6)
    assert torch.equal(
        nt_xent_loss(z1, z2, gather=True), nt_xent_loss(z1, z2, gather=False))
    x = torch.randn(3, 2)
    assert gather_with_grad(x) is x


def test_gradcheck_double():
    z1, z2 = random_pair(3, 4, dtype=torch.float64)
    z1.requires_grad_(True)
    z2.requires_grad_(True)
    assert torch.autograd.gradcheck(
        lambda a, b: nt_xent_loss(a, b, temperature=0.3), (z1, z2))


def test_gradient_matches_numpy_reference():
    # Autograd of the torch loss against central differences of the
    # independent NumPy reference.
    temperature, eps = 0.2, 1e-6
    z1, z2 = random_pair(3, 4, seed=7, dtype=torch.float64)
    z1.requires_grad_(True)
    z2.requires_grad_(True)
    nt_xent_loss(z1, z2, temperature=temperature).backward()

    z = np.stack([z1.detach().numpy(), z2.detach().numpy()])
    numeric = np.zeros_like(z)
    for idx in np.ndindex(*z.shape):
        plus, minus = z.copy(), z.copy()
        plus[idx] += eps
        minus[idx] -= eps
        numeric[idx] = (reference_nt_xent(*plus, temperature) -
                        reference_nt_xent(*minus, temperature)) / (2 * eps)
    np.testing.assert_allclose(z1.grad.numpy(), numeric[0], rtol=1e-5)
    np.testing.assert_allclose(z2.grad.numpy(), numeric[1], rtol=1e-5)


def test_bf16_inputs_give_float32_loss():
    z1, z2 = random_pair(8, 16)
    loss32 = nt_xent_loss(z1, z2, temperature=0.1)
    b1 = z1.bfloat16().requires_grad_(True)
    b2 = z2.bfloat16().requires_grad_(True)
    loss_bf = nt_xent_loss(b1, b2, temperature=0.1)
    assert loss_bf.dtype == torch.float32
    # Computed in float32 from the rounded inputs ...
    assert loss_bf.item() == pytest.approx(
        nt_xent_loss(b1.float(), b2.float(), temperature=0.1).item(), rel=1e-6)
    # ... so only bf16 rounding of the inputs separates it from float32.
    assert loss_bf.item() == pytest.approx(loss32.item(), rel=2e-2)
    loss_bf.backward()
    assert b1.grad.dtype == torch.bfloat16
    assert torch.isfinite(b1.grad.float()).all()


def test_float32_under_autocast():
    # Under autocast the matmul would run in bf16; the loss disables it.
    z1, z2 = random_pair(8, 16)
    loss32 = nt_xent_loss(z1, z2, temperature=0.07)
    with torch.autocast(device_type='cpu', dtype=torch.bfloat16):
        loss_amp = nt_xent_loss(z1, z2, temperature=0.07)
    assert loss_amp.dtype == torch.float32
    assert loss_amp.item() == pytest.approx(loss32.item(), rel=1e-6)


@pytest.mark.parametrize('temperature', [0.0, -0.5])
def test_invalid_temperature(temperature):
    z1, z2 = random_pair(2, 3)
    with pytest.raises(ValueError, match='temperature'):
        nt_xent_loss(z1, z2, temperature=temperature)


@pytest.mark.parametrize('shape1, shape2', [((2, 3), (3, 3)), ((3, ), (3, )),
                                            ((0, 3), (0, 3))])
def test_invalid_shapes(shape1, shape2):
    with pytest.raises(ValueError, match='z1 and z2'):
        nt_xent_loss(torch.ones(shape1), torch.ones(shape2))


# ---------------------------------------------------------------------------
# Two processes with gloo against one process on the concatenated batch.
# ---------------------------------------------------------------------------
WORLD_SIZE = 2
N_PER_RANK = 3
DIM = 5
TEMPERATURE = 0.2


def _ddp_worker(rank: int, port: int, z1_global: torch.Tensor,
                z2_global: torch.Tensor, out_dir: str) -> None:
    torch.set_num_threads(1)
    dist.init_process_group(
        'gloo',
        init_method=f'tcp://127.0.0.1:{port}',
        rank=rank,
        world_size=WORLD_SIZE,
        timeout=timedelta(seconds=60))
    try:
        rows = slice(rank * N_PER_RANK, (rank + 1) * N_PER_RANK)
        z1 = z1_global[rows].clone().requires_grad_(True)
        z2 = z2_global[rows].clone().requires_grad_(True)
        loss = nt_xent_loss(z1, z2, temperature=TEMPERATURE)
        loss.backward()
        local_loss = nt_xent_loss(
            z1.detach(), z2.detach(), temperature=TEMPERATURE, gather=False)
        torch.save(
            dict(
                loss=loss.detach(),
                local_loss=local_loss,
                grad_z1=z1.grad,
                grad_z2=z2.grad), f'{out_dir}/rank{rank}.pt')
    finally:
        dist.destroy_process_group()


def test_two_gloo_processes_match_global_batch(tmp_path, free_port):
    z1_global, z2_global = random_pair(WORLD_SIZE * N_PER_RANK, DIM, seed=3)
    mp.spawn(
        _ddp_worker,
        args=(free_port(), z1_global, z2_global, str(tmp_path)),
        nprocs=WORLD_SIZE,
        join=True)
    results = [torch.load(tmp_path / f'rank{r}.pt') for r in range(WORLD_SIZE)]

    z1 = z1_global.clone().requires_grad_(True)
    z2 = z2_global.clone().requires_grad_(True)
    global_loss = nt_xent_loss(z1, z2, temperature=TEMPERATURE)
    global_loss.backward()

    # Every anchor of the global batch sits on exactly one rank and sees the
    # same candidates there, and each rank averages over the same number
    # (2 * N_PER_RANK) of anchors, so L_global = (1 / W) * sum_r L_r.
    mean_loss = sum(res['loss'] for res in results) / WORLD_SIZE
    assert mean_loss.item() == pytest.approx(global_loss.item(), rel=1e-6)

    # Gradient relation. The backward of the autograd all_gather sums over
    # the ranks the gradients that flow into each rank's slice, so rank r
    # ends up with grad_r = d(sum_s L_s) / dz_r = W * dL_global / dz_r,
    # where z_r are rank r's rows of the global batch. DDP then averages the
    # parameter gradients over ranks: (1 / W) * sum_r (dz_r / dθ)^T grad_r
    # = dL_global / dθ, i.e. exactly single-process training on the global
    # batch.
    for rank, res in enumerate(results):
        rows = slice(rank * N_PER_RANK, (rank + 1) * N_PER_RANK)
        torch.testing.assert_close(
            res['grad_z1'], WORLD_SIZE * z1.grad[rows], rtol=1e-5, atol=1e-7)
        torch.testing.assert_close(
            res['grad_z2'], WORLD_SIZE * z2.grad[rows], rtol=1e-5, atol=1e-7)
        # The negatives of the other rank really took part.
        local = nt_xent_loss(
            z1_global[rows], z2_global[rows], temperature=TEMPERATURE)
        assert res['local_loss'].item() == pytest.approx(local.item())
        assert abs(res['loss'].item() - local.item()) > 1e-3

# Copyright (c) grass_mm contributors. All rights reserved.
"""Time an ID warm-up step against a GS step of GraSS in one process."""
import copy
import statistics
import time
from typing import Callable, Dict, List

import torch
from mmengine.optim import OptimWrapper
from mmpretrain.structures import DataSample
from torch import Tensor, nn

from ..models.utils import crop_and_resize, loss_activation_map, select_boxes


def _timed(func: Callable, device: torch.device) -> float:
    if device.type == 'cuda':
        torch.cuda.synchronize(device)
    start = time.perf_counter()
    func()
    if device.type == 'cuda':
        torch.cuda.synchronize(device)
    return time.perf_counter() - start


def random_views(batch_size: int, img_size: int, num_views: int = 2,
                 seed: int = 0) -> Dict[str, list]:
    """A batch as the two-view pipeline delivers it: uint8 views."""
    generator = torch.Generator().manual_seed(seed)
    inputs = [
        torch.randint(0, 256, (batch_size, 3, img_size, img_size),
                      generator=generator, dtype=torch.uint8)
        for _ in range(num_views)
    ]
    return dict(inputs=inputs,
                data_samples=[DataSample() for _ in range(batch_size)])


def time_id_and_gs_steps(model: nn.Module, optim_wrapper: OptimWrapper,
                         data: dict, iters: int, warmup: int,
                         device: torch.device) -> Dict[str, float]:
    """Interleave ID and GS training steps on the same batch.

    Each measured pair runs one ID step and one GS step (alternating which
    goes first); the ratio is the median of the per-pair ratios.

    Returns:
        dict: ``id_step_s`` and ``gs_step_s`` (medians) and ``ratio``.
    """

    def step(gs_training: bool) -> float:
        model.gs_training = gs_training
        return _timed(
            lambda: model.train_step(copy.copy(data), optim_wrapper), device)

    for _ in range(warmup):
        step(False)
        step(True)
    id_times: List[float] = []
    gs_times: List[float] = []
    for i in range(iters):
        if i % 2:
            gs_times.append(step(True))
            id_times.append(step(False))
        else:
            id_times.append(step(False))
            gs_times.append(step(True))
    ratios = [g / i for g, i in zip(gs_times, id_times)]
    return dict(
        id_step_s=statistics.median(id_times),
        gs_step_s=statistics.median(gs_times),
        ratio=statistics.median(ratios))


def time_sampler(features: Tensor, grads: Tensor, views: Tensor,
                 ratio: float, iters: int) -> float:
    """Median time of LAM + boxes + crops for one batch of views."""
    device = views.device

    def run() -> None:
        lam = loss_activation_map(features, grads, views.shape[-2:])
        boxes, _ = select_boxes(lam, ratio)
        crop_and_resize(views, boxes)

    run()
    return statistics.median(_timed(run, device) for _ in range(iters))

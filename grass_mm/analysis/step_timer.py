# Copyright (c) grass_mm contributors. All rights reserved.
"""Time an ID warm-up step against a GS step of GraSS in one process."""
import copy
import statistics
import time
from typing import Callable, Dict, List, Tuple

import torch
from mmengine.optim import OptimWrapper
from mmpretrain.structures import DataSample
from torch import Tensor, nn

from ..models.utils import crop_and_resize, loss_activation_map, select_boxes


def time_call(func: Callable, device: torch.device) -> float:
    """Seconds ``func()`` takes, waiting for ``device`` before and after."""
    if device.type == 'cuda':
        torch.cuda.synchronize(device)
    start = time.perf_counter()
    func()
    if device.type == 'cuda':
        torch.cuda.synchronize(device)
    return time.perf_counter() - start


def _interleaved(step_a: Callable[[], float], step_b: Callable[[], float],
                 iters: int, warmup: int) -> Tuple[List[float], List[float]]:
    """Times of ``iters`` pairs of two steps, alternating which goes first,
    after ``warmup`` unmeasured pairs."""
    for _ in range(warmup):
        step_a()
        step_b()
    times_a: List[float] = []
    times_b: List[float] = []
    for i in range(iters):
        if i % 2:
            times_b.append(step_b())
            times_a.append(step_a())
        else:
            times_a.append(step_a())
            times_b.append(step_b())
    return times_a, times_b


def random_views(batch_size: int,
                 img_size: int,
                 num_views: int = 2,
                 seed: int = 0) -> Dict[str, list]:
    """A batch as the two-view pipeline delivers it: uint8 views."""
    generator = torch.Generator().manual_seed(seed)
    inputs = [
        torch.randint(
            0,
            256, (batch_size, 3, img_size, img_size),
            generator=generator,
            dtype=torch.uint8) for _ in range(num_views)
    ]
    return dict(
        inputs=inputs, data_samples=[DataSample() for _ in range(batch_size)])


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
        return time_call(
            lambda: model.train_step(copy.copy(data), optim_wrapper), device)

    id_times, gs_times = _interleaved(lambda: step(False), lambda: step(True),
                                      iters, warmup)
    ratios = [g / i for g, i in zip(gs_times, id_times)]
    return dict(
        id_step_s=statistics.median(id_times),
        gs_step_s=statistics.median(gs_times),
        ratio=statistics.median(ratios))


def time_guide_pass(model: nn.Module, inputs: List[Tensor],
                    iters: int) -> float:
    """Median time of GraSS's guide pass on one batch of views.

    The least a GS step adds to an ID step: a backbone forward without a
    graph, then the loss and its gradient on the last feature map.

    Args:
        model (nn.Module): A GraSS model.
        inputs (list[Tensor]): The preprocessed views, each (N, C, H, W).
        iters (int): Measured runs, after one unmeasured.

    Returns:
        float: Seconds.
    """
    device = inputs[0].device
    model.guide(inputs)
    return statistics.median(
        time_call(lambda: model.guide(inputs), device) for _ in range(iters))


def time_sampler(features: Tensor, grads: Tensor, views: Tensor, ratio: float,
                 iters: int) -> float:
    """Median time of LAM + boxes + crops for one batch of views."""
    device = views.device

    def run() -> None:
        lam = loss_activation_map(features, grads, views.shape[-2:])
        boxes, _ = select_boxes(lam, ratio)
        crop_and_resize(views, boxes)

    run()
    return statistics.median(time_call(run, device) for _ in range(iters))


def reference_style_gs_step(model: nn.Module, optim_wrapper: OptimWrapper,
                            data: dict) -> None:
    """A GS step done the way the reference implementation does it.

    For comparison only (spec §4 of the GraSS reference): the guide pass
    back-propagates through the whole backbone (computing and discarding
    every parameter gradient), the maps go to the host, and a Python loop
    labels each view with scipy and crops it with its own interpolation.
    Supports SimCLR-style algorithms with ``loss_from_features``.
    """
    from scipy import ndimage  # a benchmark-only dependency

    data = model.data_preprocessor(copy.copy(data), True)
    views = torch.cat(data['inputs'])
    algorithm = model.algorithm
    features = algorithm.backbone(views)
    features[-1].retain_grad()
    algorithm.loss_from_features(features).backward()
    grads = features[-1].grad
    optim_wrapper.zero_grad()
    height, width = views.shape[-2:]
    maps = loss_activation_map(features[-1].detach(), grads,
                               (height, width)).cpu().numpy()
    crops = []
    for view, lam in zip(views, maps):
        lo, hi = lam.min(), lam.max()
        labels, _ = ndimage.label(
            lam > lo + model.ratio * (hi - lo), structure=((1, 1, 1), ) * 3)
        peak = labels.flat[lam.argmax()]
        y0, x0, y1, x1 = 0, 0, height, width
        if peak:
            ys, xs = (labels == peak).nonzero()
            y0, x0, y1, x1 = ys.min(), xs.min(), ys.max() + 1, xs.max() + 1
        crops.append(
            torch.nn.functional.interpolate(
                view[None, :, y0:y1, x0:x1],
                size=(height, width),
                mode='nearest'))
    crops = list(torch.cat(crops).chunk(len(data['inputs'])))
    with optim_wrapper.optim_context(model):
        losses = algorithm.loss(crops, data['data_samples'])
    loss, _ = model.parse_losses(losses)
    optim_wrapper.update_params(loss)


def time_reference_style_steps(model: nn.Module, optim_wrapper: OptimWrapper,
                               data: dict, iters: int, warmup: int,
                               device: torch.device) -> Dict[str, float]:
    """Interleave ID steps and reference-style GS steps, as above.

    Returns:
        dict: ``reference_gs_step_s`` (median) and ``reference_ratio`` (the
        median of the per-pair ratios to an ID step).
    """
    model.gs_training = False

    def id_step() -> float:
        return time_call(
            lambda: model.train_step(copy.copy(data), optim_wrapper), device)

    def reference_step() -> float:
        return time_call(
            lambda: reference_style_gs_step(model, optim_wrapper, data),
            device)

    id_times, reference_times = _interleaved(id_step, reference_step, iters,
                                             warmup)
    return dict(
        reference_gs_step_s=statistics.median(reference_times),
        reference_ratio=statistics.median(
            r / i for r, i in zip(reference_times, id_times)))

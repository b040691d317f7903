# Copyright (c) grass_mm contributors. All rights reserved.
from contextlib import contextmanager
from typing import Iterator, Optional

import torch
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmpretrain.registry import HOOKS
from torch import nn

from ...models.utils import preprocessor_normalization
from ...models.wrappers import get_ori_model
from ...visualization import render_sampling_result

DATA_BATCH = Optional[dict]


@contextmanager
def _buffers_kept(model: nn.Module) -> Iterator[None]:
    """Restore every buffer (batch norm statistics, queues) on exit."""
    saved = [(buffer, buffer.detach().clone()) for buffer in model.buffers()]
    try:
        yield
    finally:
        with torch.no_grad():
            for buffer, value in saved:
                buffer.copy_(value)


@contextmanager
def _random_streams_kept(model: nn.Module) -> Iterator[None]:
    """Leave every ``torch.Generator`` that a submodule holds as it was:
    restore the state of those that exist (e.g. the stream of
    :class:`~grass_mm.models.PhotometricAugDataPreprocessor`) and unmake
    those first made inside (streams made on first use)."""
    before = {
        (module, name): value
        for module in model.modules()
        for name, value in vars(module).items()
        if value is None or isinstance(value, torch.Generator)
    }
    saved = {
        key: value.get_state()
        for key, value in before.items() if value is not None
    }
    try:
        yield
    finally:
        for (module, name), value in before.items():
            if value is not None:
                value.set_state(saved[module, name])
            elif isinstance(getattr(module, name), torch.Generator):
                setattr(module, name, None)


@HOOKS.register_module()
class GraSSVisualizationHook(Hook):
    """Draw what the gradient guided sampler of GraSS chooses, during training.

    `GraSS <https://arxiv.org/abs/2306.15868>`_ crops each view to the box
    around the peak of its loss activation map. Every ``interval`` training
    iterations of GS training, this hook runs ``model.sample`` on the batch
    about to be trained, with the parameters that step will use, and hands a
    grid of panels (view, map with colour bar, foreground, box, crop; see
    :func:`~grass_mm.visualization.render_sampling_panels`) to the runner's
    visualizer as image ``grass_sampling`` at step ``runner.iter + 1``.
    Every backend of the visualizer (local files, TensorBoard, W&B) receives
    it; a local backend writes
    ``vis_data/vis_image/grass_sampling_{step}.png``.

    The sampling runs in ``before_train_iter``, after
    :class:`GradientGuidedSamplerHook` (priority ``NORMAL``) has set the
    stage, so it shows the boxes that the coming step trains on (in float32:
    under mixed precision the step's own boxes may differ slightly). It
    runs in the model's training mode, so batch norm uses the batch's
    statistics as the step does; every buffer of the model (batch norm's
    running statistics included) is restored afterwards, as is every random
    stream the model holds (so a
    :class:`~grass_mm.models.PhotometricAugDataPreprocessor` augments the
    drawn views exactly as the step will, and the step draws the same
    augmentation), and no parameter gradient is produced, so training is
    unchanged. In distributed training ``sample`` gathers features across
    processes (and SyncBN synchronises), so every rank runs it; only rank 0
    draws.

    Args:
        interval (int): Draw every this many training iterations, counted
            from the start of training; only GS-training iterations are
            drawn. Defaults to 500.
        max_views (int): At most this many views per grid, both views of
            each image in turn. Defaults to 4.
        dpi (int): Resolution of the drawing. Defaults to 100.

    Example:
        >>> custom_hooks = [
        ...     dict(type='GradientGuidedSamplerHook', warmup_epochs=100),
        ...     dict(type='GraSSVisualizationHook', interval=500, max_views=4)
        ... ]
        >>> vis_backends = [dict(type='LocalVisBackend'),
        ...                 dict(type='TensorboardVisBackend')]
        >>> visualizer = dict(type='UniversalVisualizer',
        ...                   vis_backends=vis_backends)
    """

    priority = 'LOW'

    def __init__(self,
                 interval: int = 500,
                 max_views: int = 4,
                 dpi: int = 100) -> None:
        if not isinstance(interval, int) or interval < 1:
            raise ValueError('GraSSVisualizationHook: `interval` must be an '
                             f'integer >= 1, got {interval!r}')
        if not isinstance(max_views, int) or max_views < 1:
            raise ValueError('GraSSVisualizationHook: `max_views` must be an '
                             f'integer >= 1, got {max_views!r}')
        self.interval = interval
        self.max_views = max_views
        self.dpi = dpi

    def before_train(self, runner) -> None:
        """Check that the model samples."""
        model = get_ori_model(runner.model)
        if not hasattr(model, 'sample') or not hasattr(model, 'gs_training'):
            raise TypeError('GraSSVisualizationHook needs a GraSS model, got '
                            f'{type(model).__name__}')

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch: DATA_BATCH = None) -> None:
        """Sample the coming batch and draw it, every ``interval`` GS steps."""
        model = get_ori_model(runner.model)
        if (data_batch is None or not model.gs_training
                or not self.every_n_train_iters(runner, self.interval)):
            return
        with _buffers_kept(model), _random_streams_kept(model), \
                torch.no_grad():
            inputs = model.data_preprocessor(data_batch, True)['inputs']
            result = model.sample(inputs)  # its guide pass enables grad
        if not is_main_process():
            return
        panel = render_sampling_result(
            inputs,
            result,
            preprocessor_normalization(model.data_preprocessor),
            ratio=model.ratio,
            max_views=self.max_views,
            dpi=self.dpi)
        runner.visualizer.add_image(
            'grass_sampling', panel, step=runner.iter + 1)

# Copyright (c) grass_mm contributors. All rights reserved.
from typing import Optional

import torch
from mmengine.hooks import Hook
from mmengine.runner import IterBasedTrainLoop
from mmpretrain.registry import HOOKS

from ...models.wrappers import get_ori_model

DATA_BATCH = Optional[dict]


@HOOKS.register_module()
class GradientGuidedSamplerHook(Hook):
    """Schedule the two stages of GraSS and log what its sampler does.

    `GraSS <https://arxiv.org/abs/2306.15868>`_ trains with plain instance
    discrimination (ID warm-up) for a number of epochs or iterations, then
    with gradient guided sampling (GS training). The stage is derived from
    ``runner.epoch`` (or ``runner.iter``) before every iteration, so a
    resumed run lands in the right stage without any state of its own. The
    switch is logged. During GS training the mean box area (a fraction of
    the view), the fraction of views kept whole and the stage are written to
    the message hub as ``train/gs_box_area``, ``train/gs_kept_whole`` and
    ``train/gs_training``, so they reach the log and every visualisation
    backend.

    Args:
        warmup_epochs (int, optional): Length of the ID warm-up in epochs,
            for epoch-based loops. Defaults to None.
        warmup_iters (int, optional): Length of the ID warm-up in
            iterations. Defaults to None. Set exactly one of the two.

    Example:
        >>> warmup_epochs = 100
        >>> custom_hooks = [
        ...     dict(type='GradientGuidedSamplerHook',
        ...          warmup_epochs=warmup_epochs)
        ... ]
    """

    priority = 'NORMAL'

    def __init__(self,
                 warmup_epochs: Optional[int] = None,
                 warmup_iters: Optional[int] = None) -> None:
        if (warmup_epochs is None) == (warmup_iters is None):
            raise ValueError('GradientGuidedSamplerHook: set exactly one of '
                             '`warmup_epochs` and `warmup_iters`, got '
                             f'{warmup_epochs} and {warmup_iters}')
        warmup = warmup_epochs if warmup_epochs is not None else warmup_iters
        if not isinstance(warmup, int) or warmup < 0:
            raise ValueError('GradientGuidedSamplerHook: the warm-up length '
                             f'must be an integer >= 0, got {warmup!r}')
        self.warmup_epochs = warmup_epochs
        self.warmup_iters = warmup_iters

    def before_train(self, runner) -> None:
        """Check the warm-up against the schedule and set the stage."""
        model = get_ori_model(runner.model)
        if not hasattr(model, 'gs_training'):
            raise TypeError('GradientGuidedSamplerHook needs a GraSS model, '
                            f'got {type(model).__name__}')
        if self.warmup_epochs is not None:
            if isinstance(runner.train_loop, IterBasedTrainLoop):
                raise ValueError(
                    'GradientGuidedSamplerHook: `warmup_epochs` needs an '
                    'epoch-based train loop; set `warmup_iters` for '
                    'iteration-based training')
            key, warmup, total = ('warmup_epochs', self.warmup_epochs,
                                  runner.max_epochs)
            unit = 'train_cfg.max_epochs'
        else:
            key, warmup, total = ('warmup_iters', self.warmup_iters,
                                  runner.max_iters)
            unit = 'the number of training iterations'
        if warmup > total:
            raise ValueError(
                f'GradientGuidedSamplerHook: {key}={warmup} is longer than '
                f'the schedule ({unit} = {total}); GS training would never '
                f'start. Lower {key} or lengthen the schedule.')
        if warmup == total:
            runner.logger.warning(
                f'GradientGuidedSamplerHook: {key}={warmup} equals the '
                'schedule: this run is ID warm-up only, without GS training.')
        self._update_stage(runner)

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch: DATA_BATCH = None) -> None:
        """Switch to GS training once the warm-up is over."""
        self._update_stage(runner)

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: DATA_BATCH = None,
                         outputs: Optional[dict] = None) -> None:
        """Write the stage and the sampling statistics to the message hub."""
        model = get_ori_model(runner.model)
        runner.message_hub.update_scalar('train/gs_training',
                                         int(model.gs_training))
        if model.gs_training and model.sampling_stats:
            names = list(model.sampling_stats)
            values = torch.stack([model.sampling_stats[n] for n in names])
            for name, value in zip(names, values.tolist()):  # one host copy
                runner.message_hub.update_scalar(f'train/gs_{name}', value)

    def _in_gs_stage(self, runner) -> bool:
        if self.warmup_epochs is not None:
            return runner.epoch >= self.warmup_epochs
        return runner.iter >= self.warmup_iters

    def _update_stage(self, runner) -> None:
        model = get_ori_model(runner.model)
        gs_training = self._in_gs_stage(runner)
        if gs_training == model.gs_training:
            return
        model.gs_training = gs_training
        stage = 'GS training' if gs_training else 'ID warm-up'
        warmup = (f'{self.warmup_epochs} epochs' if self.warmup_epochs
                  is not None else f'{self.warmup_iters} iterations')
        runner.logger.info(f'GraSS: {stage} from epoch {runner.epoch + 1}, '
                           f'iteration {runner.iter + 1} (ID warm-up: '
                           f'{warmup}).')

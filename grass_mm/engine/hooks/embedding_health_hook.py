# Copyright (c) grass_mm contributors. All rights reserved.
import math
from typing import Dict, List, Optional

import torch
from mmengine.dist import all_gather
from mmengine.hooks import Hook, LoggerHook
from mmpretrain.registry import HOOKS
from torch import Tensor, nn

from ...evaluation import embedding_health
from ...models.wrappers import get_ori_model
from ..embedding_readers import get_embedding_reader

DATA_BATCH = Optional[dict]

# Likely causes of a collapse, by the wrapped algorithm's family.
_CAUSES = {
    'BYOL': 'a target momentum too close to 0 or a predictor learning as '
    'slowly as the encoder',
    'MoCo': 'a temperature or a learning rate too high for the batch',
}
_DEFAULT_CAUSE = ('a learning rate too high for the batch size (check '
                  'auto_scale_lr), or a temperature too low')


def gather_embeddings(views: Tensor) -> Tensor:
    """Every process's embeddings, concatenated in rank order.

    The processes may hold different numbers of images (a last batch
    without ``drop_last``, an uneven sampler): the sizes are gathered
    first, each process pads its embeddings to the largest, and the padding
    is dropped after the gather (``all_gather`` needs equal shapes).

    Args:
        views (Tensor): This process's embeddings, (V, N, D); every process
            must call this with the same V and D, N may differ.

    Returns:
        Tensor: (V, sum of N, D) float32, the same on every process.
    """
    views = views.detach().float()
    sizes = all_gather(torch.tensor([views.shape[1]], device=views.device))
    sizes = [int(size) for size in sizes]
    padded = views.new_zeros(views.shape[0], max(sizes), views.shape[2])
    padded[:, :views.shape[1]] = views
    gathered = all_gather(padded)
    return torch.cat([part[:, :size] for part, size in zip(gathered, sizes)],
                     dim=1)


def global_embedding_health(views: Tensor) -> Dict[str, float]:
    """:func:`embedding_health` of the global batch.

    Args:
        views (Tensor): This process's embeddings, (V, N, D); every process
            must call this with the same V and D, N may differ
            (:func:`gather_embeddings`).

    Returns:
        dict[str, float]: The metrics of all processes' embeddings, the
        same on every process.
    """
    return embedding_health(gather_embeddings(views))


@HOOKS.register_module()
class EmbeddingHealthHook(Hook):
    """Watch for a collapse of the representation while pretraining.

    The contrastive loss of `GraSS <https://arxiv.org/abs/2306.15868>`_ (or
    any mmpretrain algorithm with an embedding reader: SimCLR, MoCo v2,
    BYOL) can keep falling while the embeddings collapse. Every
    ``interval`` iterations this hook takes the projections the training
    step itself computed (a forward hook on the algorithm's neck; no extra
    forward pass), gathers them over all processes (the global batch, whose
    per-process parts may differ in size: :func:`gather_embeddings`) and
    writes to the message hub, so to the log and every visualisation
    backend: ``train/embed_std``, ``train/alignment``, ``train/uniformity``
    and ``train/effective_rank`` (see
    :mod:`grass_mm.evaluation.embedding_health`). Like the loss, the log shows
    them averaged over the log processor's window.

    At every logging interval, when the mean ``embed_std`` of that interval
    has stayed below ``collapse_threshold`` for ``patience`` intervals in a
    row, a warning names the likely cause.

    Args:
        interval (int): Iterations between two computations. Defaults to 1.
        collapse_threshold (float): ``embed_std`` below which the
            embeddings are taken as collapsing (1 is healthy, 0
            collapsed). Defaults to 0.1.
        patience (int): Logging intervals in a row below the threshold
            before the warning. Defaults to 3.

    Example:
        >>> custom_hooks = [dict(type='EmbeddingHealthHook', interval=1)]
    """

    priority = 'NORMAL'

    def __init__(self,
                 interval: int = 1,
                 collapse_threshold: float = 0.1,
                 patience: int = 3) -> None:
        for key, value in (('interval', interval), ('patience', patience)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f'EmbeddingHealthHook: `{key}` must be an '
                                 f'integer >= 1, got {value!r}')
        if not collapse_threshold > 0:
            raise ValueError('EmbeddingHealthHook: `collapse_threshold` '
                             f'must be > 0, got {collapse_threshold!r}')
        self.interval = interval
        self.collapse_threshold = collapse_threshold
        self.patience = patience
        self._outputs: List[Tensor] = []
        self._interval_std: List[float] = []
        self._low_intervals = 0
        self._handle = None
        self._recording = False

    def before_train(self, runner) -> None:
        """Find the neck and the reader, and record the neck's outputs."""
        model = get_ori_model(runner.model)
        self._algorithm = getattr(model, 'algorithm', model)
        self._reader = get_embedding_reader(self._algorithm)
        neck = getattr(self._algorithm, 'neck', None)
        if not isinstance(neck, nn.Module):
            raise TypeError('EmbeddingHealthHook needs an algorithm with a '
                            f'neck, got {type(self._algorithm).__name__}')
        self._handle = neck.register_forward_hook(self._record)
        self._log_interval = next(
            (hook.interval
             for hook in runner.hooks if isinstance(hook, LoggerHook)), 50)

    def after_train(self, runner) -> None:
        if self._handle is not None:
            self._handle.remove()
            self._handle = None

    def _record(self, module: nn.Module, inputs, output) -> None:
        if module.training and self._recording:
            first = output[0] if isinstance(output, (tuple, list)) else output
            self._outputs.append(first.detach())

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch: DATA_BATCH = None) -> None:
        self._outputs = []
        self._recording = self.every_n_train_iters(runner, self.interval)

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: DATA_BATCH = None,
                         outputs: Optional[dict] = None) -> None:
        """Compute the metrics of this step and check for a collapse."""
        if self._recording:
            views = self._reader(self._algorithm, self._outputs)
            self._outputs = []
            if views is not None:
                metrics = global_embedding_health(views)
                for name, value in metrics.items():
                    runner.message_hub.update_scalar(f'train/{name}', value)
                    if name == 'embed_std':
                        self._interval_std.append(value)
        if self.every_n_train_iters(runner, self._log_interval):
            self._check_collapse(runner)

    def _check_collapse(self, runner) -> None:
        if not self._interval_std:
            return
        std = sum(self._interval_std) / len(self._interval_std)
        self._interval_std = []
        if math.isnan(std) or std >= self.collapse_threshold:
            self._low_intervals = 0
            return
        self._low_intervals += 1
        if self._low_intervals == self.patience:
            name = type(self._algorithm).__name__
            cause = next(
                (text for family, text in _CAUSES.items() if family in name),
                _DEFAULT_CAUSE)
            runner.logger.warning(
                f'EmbeddingHealthHook: the embeddings are collapsing: '
                f'embed_std = {std:.3f} (1 is healthy, 0 collapsed), below '
                f'{self.collapse_threshold} for {self.patience} logging '
                f'intervals in a row, at iteration {runner.iter + 1}. A '
                f'falling loss does not mean a useful representation here. '
                f'Likely cause for {name}: {cause}.')

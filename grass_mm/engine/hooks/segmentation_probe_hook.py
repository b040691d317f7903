# Copyright (c) grass_mm contributors. All rights reserved.
import time
import warnings
from typing import Optional

from mmengine.hooks import Hook
from mmengine.runner import IterBasedTrainLoop
from mmpretrain.registry import HOOKS

from ...evaluation import build_probe_sets, probe_backbone
from ...models.utils import preprocessor_normalization
from ...models.wrappers import get_ori_model

DATA_BATCH = Optional[dict]


@HOOKS.register_module()
class SegmentationProbeHook(Hook):
    """Score the backbone for segmentation while it pretrains.

    Every ``interval`` epochs (or iterations), and after the last, a frozen
    copy of the backbone of the `GraSS <https://arxiv.org/abs/2306.15868>`_
    run (or of any mmpretrain algorithm with a ``backbone``) is probed by
    :func:`~grass_mm.evaluation.probe_backbone`: a per-pixel ridge
    classifier on its multi-stage features, fitted on ``train_dataset``
    and scored on ``val_dataset``. ``probe/mIoU`` and ``probe/IoU.<class>``
    go to every visualisation backend (``vis_data/scalars.json``) with the
    number of iterations done as their step (0 for ``probe_at_start``),
    with ``probe/seconds`` (the probe's own time), and a line to the log.
    The scores do not take mmengine's metric path: to keep the best-probing
    checkpoint (``CheckpointHook(save_best='probe/mIoU')``) or stop early
    (``EarlyStoppingHook``), probe as the run's validation with
    :class:`~grass_mm.engine.SegmentationProbeLoop` instead.
    Under DDP every process probes rank 0's backbone (broadcast: with plain
    batch norm the ranks' running statistics differ) on its share of the
    images and the statistics are all-reduced.

    Args:
        train_dataset (dict): mmseg dataset config of the labelled set the
            classifier is fitted on, e.g. ``splits/train_10pct.txt`` of the
            converted fine-tuning data.
        val_dataset (dict): mmseg dataset config of the scored images.
        interval (int): Epochs (``by_epoch``) or iterations between two
            probes. Defaults to 25 (below 2% of the compute of the
            paper's recipe; see docs/benchmarks.md).
        by_epoch (bool): Count ``interval`` in epochs (in an
            iteration-based loop, a warning: it probes once, at the end).
            Defaults to True.
        probe_at_start (bool): Also probe before the first iteration.
            Defaults to False.
        stride (int): Stride of the feature grid. Defaults to 8.
        ridge (float): Relative ridge penalty. Defaults to 1e-2.
        batch_size (int): Images per forward pass. Defaults to 8.
        num_workers (int): Processes that read the probe's images (each
            rank its own share, unpadded). Defaults to 2.

    Example:
        >>> custom_hooks = [
        ...     dict(type='SegmentationProbeHook', interval=25,
        ...          train_dataset=dict(
        ...              type='PotsdamDataset', data_root='data/potsdam/',
        ...              ann_file='splits/train_10pct.txt',
        ...              data_prefix=dict(img_path='img_dir/train',
        ...                               seg_map_path='ann_dir/train')),
        ...          val_dataset=dict(
        ...              type='PotsdamDataset', data_root='data/potsdam/',
        ...              data_prefix=dict(img_path='img_dir/val',
        ...                               seg_map_path='ann_dir/val')))
        ... ]
    """

    priority = 'LOW'

    def __init__(self,
                 train_dataset: dict,
                 val_dataset: dict,
                 interval: int = 25,
                 by_epoch: bool = True,
                 probe_at_start: bool = False,
                 stride: int = 8,
                 ridge: float = 1e-2,
                 batch_size: int = 8,
                 num_workers: int = 2) -> None:
        for key, value in (('interval', interval), ('stride', stride),
                           ('batch_size', batch_size)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f'SegmentationProbeHook: `{key}` must be an '
                                 f'integer >= 1, got {value!r}')
        if not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError('SegmentationProbeHook: `num_workers` must be '
                             f'an integer >= 0, got {num_workers!r}')
        if not ridge > 0:
            raise ValueError('SegmentationProbeHook: `ridge` must be > 0, '
                             f'got {ridge!r}')
        self.train_dataset = train_dataset
        self.val_dataset = val_dataset
        self.interval = interval
        self.by_epoch = by_epoch
        self.probe_at_start = probe_at_start
        self.stride = stride
        self.ridge = ridge
        self.batch_size = batch_size
        self.num_workers = num_workers

    def before_train(self, runner) -> None:
        """Build the labelled sets (errors show before any training)."""
        if self.by_epoch and isinstance(runner.train_loop, IterBasedTrainLoop):
            message = ('SegmentationProbeHook: `by_epoch=True` in an '
                       'iteration-based loop (the whole run is one epoch): '
                       'it probes once, after the last iteration; set '
                       '`by_epoch=False` to probe every `interval` '
                       'iterations')
            warnings.warn(message)
            runner.logger.warning(message)
        self._train_set, self._val_set, self._classes = build_probe_sets(
            self.train_dataset, self.val_dataset)
        if self.probe_at_start:
            self._probe(runner, step=runner.iter)

    def after_train_epoch(self, runner) -> None:
        if self.by_epoch and (self.every_n_epochs(runner, self.interval)
                              or self.is_last_train_epoch(runner)):
            self._probe(runner, step=runner.iter)  # iterations done

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: DATA_BATCH = None,
                         outputs: Optional[dict] = None) -> None:
        if not self.by_epoch and (self.every_n_train_iters(
                runner, self.interval) or self.is_last_train_iter(runner)):
            self._probe(runner, step=runner.iter + 1)

    def _probe(self, runner, step: int) -> None:
        model = get_ori_model(runner.model)
        algorithm = getattr(model, 'algorithm', model)
        start = time.perf_counter()
        result = probe_backbone(
            algorithm.backbone,
            self._train_set,
            self._val_set,
            preprocessor_normalization(model.data_preprocessor),
            num_classes=len(self._classes),
            classes=self._classes,
            stride=self.stride,
            ridge=self.ridge,
            batch_size=self.batch_size,
            num_workers=self.num_workers)
        seconds = time.perf_counter() - start
        scalars = {
            f'probe/{key}': value
            for key, value in result.items() if key != 'pixels'
        }
        scalars['probe/seconds'] = seconds
        runner.visualizer.add_scalars(scalars, step=step)
        per_class = ', '.join(f'{name} {result[f"IoU.{name}"]:.2f}'
                              for name in self._classes)
        runner.logger.info(
            f'SegmentationProbeHook after {step} iterations: probe/mIoU '
            f'{result["mIoU"]:.2f} ({per_class}); '
            f'fitted on {result["pixels"]} pixels, {seconds:.1f} s')

# Copyright (c) grass_mm contributors. All rights reserved.
from typing import Dict, List, Union

import torch
from mmengine.evaluator import Evaluator
from mmengine.runner import ValLoop
from mmengine.structures import PixelData
from mmpretrain.registry import LOOPS
from torch.utils.data import DataLoader

from ...evaluation import (build_probe_set, fit_probe, normalise_images,
                           predict_labels, probe_feature_extractor)
from ...models.utils import preprocessor_normalization
from ...models.wrappers import get_ori_model


@LOOPS.register_module()
class SegmentationProbeLoop(ValLoop):
    """Validate a pretraining run with the linear segmentation probe.

    The validation of a `GraSS <https://arxiv.org/abs/2306.15868>`_ run (or
    of any mmpretrain algorithm with a ``backbone``): a frozen copy of the
    backbone (rank 0's under DDP) feeds the per-pixel ridge classifier of
    :func:`~grass_mm.evaluation.fit_probe`, fitted on ``train_dataset``;
    its predictions on ``val_dataloader`` go to ``val_evaluator``, e.g.
    mmseg's ``IoUMetric`` with ``prefix='probe'``. The metrics take
    mmengine's metric path, so ``CheckpointHook(save_best='probe/mIoU')``,
    ``EarlyStoppingHook(monitor='probe/mIoU')`` and the loggers see them;
    the train loop's ``val_interval`` (epochs or iterations) says when.

    Args:
        runner (Runner): The runner.
        dataloader (DataLoader or dict): The scored images, an mmseg
            dataset whose pipeline is ``LoadImageFromFile``,
            ``LoadAnnotations`` and ``PackSegInputs`` (the labels'
            resolution is scored); in an mmpretrain config the mmseg
            components carry their scope (``mmseg.PackSegInputs``).
        evaluator (Evaluator or dict or list): The metrics.
        train_dataset (dict): mmseg dataset config of the labelled pixels
            the classifier is fitted on, e.g. ``splits/train_10pct.txt``
            of the converted fine-tuning data; read without augmentation.
        stride (int): Stride of the feature grid. Defaults to 8.
        ridge (float): Relative ridge penalty. Defaults to 1e-2.
        batch_size (int): Images per forward pass of the fit. Defaults
            to 8.
        num_workers (int): Processes that read the fit's images (each
            rank its own share, unpadded). Defaults to 2.
        fp16 (bool): Unused (the probe runs in float32); mmengine's
            argument. Defaults to False.

    Example:
        >>> probe_data = dict(
        ...     type='mmseg.PotsdamDataset', data_root='data/potsdam/',
        ...     data_prefix=dict(img_path='img_dir/val',
        ...                      seg_map_path='ann_dir/val'))
        >>> train_cfg = dict(by_epoch=True, max_epochs=200, val_interval=25)
        >>> val_cfg = dict(
        ...     type='SegmentationProbeLoop',
        ...     train_dataset=dict(
        ...         probe_data, ann_file='splits/train_10pct.txt',
        ...         data_prefix=dict(img_path='img_dir/train',
        ...                          seg_map_path='ann_dir/train')))
        >>> val_dataloader = dict(
        ...     batch_size=8, num_workers=2,
        ...     sampler=dict(type='DefaultSampler', shuffle=False),
        ...     dataset=dict(probe_data, pipeline=[
        ...         dict(type='LoadImageFromFile'),
        ...         dict(type='mmseg.LoadAnnotations'),
        ...         dict(type='mmseg.PackSegInputs')]))
        >>> val_evaluator = dict(type='mmseg.IoUMetric', prefix='probe')
        >>> default_hooks = dict(checkpoint=dict(
        ...     type='CheckpointHook', save_best='probe/mIoU', rule='greater'))
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 evaluator: Union[Evaluator, Dict, List],
                 train_dataset: dict,
                 stride: int = 8,
                 ridge: float = 1e-2,
                 batch_size: int = 8,
                 num_workers: int = 2,
                 fp16: bool = False) -> None:
        super().__init__(runner, dataloader, evaluator, fp16)
        for key, value in (('stride', stride), ('batch_size', batch_size)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f'SegmentationProbeLoop: val_cfg.{key} must '
                                 f'be an integer >= 1, got {value!r}')
        if not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError('SegmentationProbeLoop: val_cfg.num_workers '
                             f'must be an integer >= 0, got {num_workers!r}')
        if not ridge > 0:
            raise ValueError('SegmentationProbeLoop: val_cfg.ridge must be '
                             f'> 0, got {ridge!r}')
        self.train_set = build_probe_set(train_dataset,
                                         'val_cfg.train_dataset')
        classes = tuple(self.dataloader.dataset.metainfo.get('classes') or ())
        train_classes = tuple(self.train_set.metainfo.get('classes') or ())
        if not classes or classes != train_classes:
            raise ValueError('SegmentationProbeLoop: val_cfg.train_dataset '
                             'and val_dataloader.dataset must name the same '
                             f'classes, got {train_classes} and {classes}')
        self.classes = classes
        self.stride = stride
        self.ridge = ridge
        self.batch_size = batch_size
        self.num_workers = num_workers

    def run(self) -> dict:
        """Fit the probe on the current backbone, then score it."""
        model = get_ori_model(self.runner.model)
        backbone = getattr(model, 'algorithm', model).backbone
        self._normalization = preprocessor_normalization(
            model.data_preprocessor)
        self._extractor = probe_feature_extractor(backbone)
        device = next(backbone.parameters()).device
        self._classifier, pixels = fit_probe(self._extractor, self.train_set,
                                             self._normalization,
                                             len(self.classes), self.stride,
                                             self.ridge, self.batch_size,
                                             device, self.num_workers)
        self.runner.logger.info(f'SegmentationProbeLoop: fitted on {pixels} '
                                'labelled pixels')
        try:
            return super().run()
        finally:
            del self._extractor, self._classifier

    @torch.no_grad()
    def run_iter(self, idx: int, data_batch: dict) -> None:
        """Predict a batch of scored images and hand them to the metrics."""
        self.runner.call_hook(
            'before_val_iter', batch_idx=idx, data_batch=data_batch)
        samples = data_batch['data_samples']
        device = next(self._extractor.parameters()).device
        for image, sample in zip(data_batch['inputs'], samples):
            inputs = normalise_images(
                image.permute(1, 2, 0).numpy()[None], self._normalization)
            size = tuple(sample.gt_sem_seg.data.shape[-2:])
            labels = predict_labels(self._extractor, self._classifier,
                                    inputs.to(device), self.stride, size)
            sample.pred_sem_seg = PixelData(data=labels)
        self.evaluator.process(data_samples=samples, data_batch=data_batch)
        self.runner.call_hook(
            'after_val_iter',
            batch_idx=idx,
            data_batch=data_batch,
            outputs=samples)

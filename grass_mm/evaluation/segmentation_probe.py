# Copyright (c) grass_mm contributors. All rights reserved.
"""A linear segmentation probe of a pretrained backbone, in minutes.

Fine-tuning is the real test of a `GraSS <https://arxiv.org/abs/2306.15868>`_
checkpoint, and it takes hours. The probe ranks checkpoints in minutes: the
frozen backbone's features of every stage, upsampled to one grid (stride
``stride`` of the image) and concatenated, feed a per-pixel linear
classifier fitted in closed form (ridge regression of the one-hot labels,
:mod:`grass_mm.evaluation.ridge_probe`) on a small labelled set; its mIoU on
the validation set, at the labels' full resolution, is the score. Used by
:class:`~grass_mm.engine.SegmentationProbeHook` during pretraining and by
``tools/probe_checkpoint.py`` on any checkpoint.

Under DDP every process probes rank 0's backbone (the copy's parameters and
buffers are broadcast: with plain batch norm each rank's running statistics
are its own), reads every ``world_size``-th image with its own loader
workers, unpadded, and the statistics are all-reduced: each image is seen
once, and every process returns the same result, that of a one-process
probe of rank 0's weights.
"""
import copy
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.dist import all_reduce, broadcast, get_world_size
from torch import Tensor, nn

from ..models.utils import Normalization
from .probe_data import probe_batches
from .ridge_probe import (RidgeStatistics, confusion_matrix,
                          intersection_over_union, ridge_classifier)

__all__ = [
    'fit_probe', 'grid_features', 'normalise_images', 'predict_labels',
    'probe_backbone', 'probe_feature_extractor'
]


def normalise_images(images: np.ndarray,
                     normalization: Normalization) -> Tensor:
    """Turn loaded images into backbone inputs as the pretraining did.

    Args:
        images (np.ndarray): (N, H, W, C) uint8 images in the order
            ``LoadImageFromFile`` loads them (BGR).
        normalization (Normalization): The pretraining model's, from
            :func:`~grass_mm.visualization.preprocessor_normalization`.

    Returns:
        Tensor: (N, C, H, W) float32 inputs.
    """
    x = torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2)
    x = x.float()
    if normalization.rgb:
        x = x.flip(1)
    if normalization.mean is not None:
        mean = torch.tensor(normalization.mean).view(1, -1, 1, 1)
        std = torch.tensor(normalization.std).view(1, -1, 1, 1)
        x = (x - mean) / std
    return x


def probe_stages(backbone: nn.Module) -> Optional[Tuple[int, ...]]:
    """The backbone outputs the probe's features are made of.

    Args:
        backbone (nn.Module): The pretraining model's backbone.

    Returns:
        tuple[int, ...] | None: Every stage for mmpretrain's ResNet-like
        backbones (``out_indices``, ``num_stages``), the ``out_indices``
        of other backbones that have them, else None (whatever the
        backbone returns).
    """
    if hasattr(backbone, 'out_indices') and hasattr(backbone, 'num_stages'):
        return tuple(range(backbone.num_stages))
    indices = getattr(backbone, 'out_indices', None)
    return None if indices is None else tuple(int(i) for i in indices)


def probe_feature_extractor(backbone: nn.Module) -> nn.Module:
    """A frozen copy of ``backbone`` in eval mode that returns every stage.

    mmpretrain's ResNet-like backbones (``out_indices``, ``num_stages``)
    are made to return all their stages; other backbones return what their
    config asks for. Under DDP the copy's parameters and buffers are rank
    0's (broadcast), so every rank probes the same network even where the
    ranks' batch norm statistics differ (plain BN, ``broadcast_buffers``
    off). The backbone itself is left as it is.

    Args:
        backbone (nn.Module): The pretraining model's backbone.

    Returns:
        nn.Module: The copy.
    """
    frozen = copy.deepcopy(backbone)
    if hasattr(frozen, 'out_indices') and hasattr(frozen, 'num_stages'):
        frozen.out_indices = probe_stages(frozen)
    frozen.eval()
    for param in frozen.parameters():
        param.requires_grad_(False)
    if get_world_size() > 1:
        for tensor in list(frozen.parameters()) + list(frozen.buffers()):
            broadcast(tensor.data, src=0)
    return frozen


@torch.no_grad()
def grid_features(extractor: nn.Module, inputs: Tensor, stride: int) -> Tensor:
    """Every output map upsampled to stride ``stride`` and concatenated.

    Args:
        extractor (nn.Module): From :func:`probe_feature_extractor`.
        inputs (Tensor): (N, C, H, W) normalised images.
        stride (int): Stride of the grid.

    Returns:
        Tensor: (N, D, H // stride, W // stride) float32 features.
    """
    size = (inputs.shape[-2] // stride, inputs.shape[-1] // stride)
    outputs = extractor(inputs)
    if isinstance(outputs, Tensor):
        outputs = (outputs, )
    return torch.cat([
        F.interpolate(
            x.float(), size=size, mode='bilinear', align_corners=False)
        for x in outputs
    ],
                     dim=1)


def _inputs_and_labels(batch: List[dict], normalization: Normalization,
                       device: torch.device) -> Tuple[Tensor, Tensor]:
    images = normalise_images(
        np.stack([item['img'] for item in batch]), normalization)
    labels = torch.from_numpy(
        np.stack([item['gt_seg_map'] for item in batch]).astype(np.int64))
    return images.to(device), labels


def _fit(extractor: nn.Module, dataset: Sequence[dict],
         normalization: Normalization, num_classes: int, stride: int,
         batch_size: int, num_workers: int,
         device: torch.device) -> RidgeStatistics:
    """The all-reduced ridge statistics of the grid pixels of a set."""
    stats = None
    for batch in probe_batches(dataset, batch_size, num_workers):
        inputs, labels = _inputs_and_labels(batch, normalization, device)
        features = grid_features(extractor, inputs, stride)
        # the label at the centre of each grid cell
        grid = labels[:, stride // 2::stride, stride // 2::stride]
        grid = grid[:, :features.shape[2], :features.shape[3]]
        if stats is None:
            stats = RidgeStatistics(features.shape[1], num_classes)
        stats.add(
            features.permute(0, 2, 3, 1).flatten(0, 2),
            grid.flatten().to(features.device))
    if stats is None:  # this process got no image: it still all-reduces
        channels = len(normalization.mean) if normalization.mean else 3
        probe = torch.zeros(1, channels, stride * 4, stride * 4, device=device)
        stats = RidgeStatistics(
            grid_features(extractor, probe, stride).shape[1], num_classes)
    for tensor in stats.tensors():
        all_reduce(tensor)
    return stats


def fit_probe(extractor: nn.Module,
              train_set: Sequence[dict],
              normalization: Normalization,
              num_classes: int,
              stride: int,
              ridge: float,
              batch_size: int,
              device: torch.device,
              num_workers: int = 0) -> Tuple[Dict[str, Tensor], int]:
    """Fit the probe's ridge classifier on the grid pixels of a set.

    Args:
        extractor (nn.Module): From :func:`probe_feature_extractor`.
        train_set (Sequence[dict]): Items holding ``img`` and
            ``gt_seg_map`` (see :func:`probe_backbone`); under DDP each
            process reads every ``world_size``-th
            (:func:`~grass_mm.evaluation.probe_loader`) and the statistics
            are all-reduced.
        normalization (Normalization): How the pretraining normalised its
            inputs.
        num_classes (int): Number of classes.
        stride (int): Stride of the feature grid.
        ridge (float): Relative ridge penalty.
        batch_size (int): Images per forward pass.
        device (torch.device): Where the extractor runs.
        num_workers (int): Processes that read the images. Defaults to 0
            (the calling process).

    Returns:
        tuple: The classifier of
        :func:`~grass_mm.evaluation.ridge_probe.ridge_classifier` and the
        number of labelled pixels it was fitted on.
    """
    stats = _fit(extractor, train_set, normalization, num_classes, stride,
                 batch_size, num_workers, device)
    return ridge_classifier(stats, ridge), int(stats.count)


@torch.no_grad()
def predict_labels(extractor: nn.Module, classifier: Dict[str, Tensor],
                   inputs: Tensor, stride: int, size: Tuple[int,
                                                            int]) -> Tensor:
    """The probe's class of every pixel.

    Args:
        extractor (nn.Module): From :func:`probe_feature_extractor`.
        classifier (dict[str, Tensor]): From :func:`fit_probe`.
        inputs (Tensor): (N, C, H, W) normalised images.
        stride (int): Stride of the feature grid.
        size (tuple[int, int]): (height, width) of the predicted maps: the
            labels' resolution.

    Returns:
        Tensor: (N, height, width) int64 class ids, on the CPU.
    """
    # centred before the product: folding the mean into the bias would
    # cancel large float32 terms when the features have a large offset
    weight = classifier['weight'] / classifier['std'][:, None]
    mean = classifier['mean'].float().to(inputs.device).view(1, -1, 1, 1)
    weight = weight.float().to(inputs.device)
    bias = classifier['bias'].float().to(inputs.device)
    features = grid_features(extractor, inputs, stride)
    logits = torch.einsum('ndhw,dk->nkhw', features - mean, weight)
    logits = logits + bias.view(1, -1, 1, 1)
    logits = F.interpolate(
        logits, size=size, mode='bilinear', align_corners=False)
    return logits.argmax(1).cpu()


def _score(extractor: nn.Module, classifier: Dict[str, Tensor],
           dataset: Sequence[dict], normalization: Normalization,
           num_classes: int, stride: int, batch_size: int, num_workers: int,
           device: torch.device) -> Tensor:
    """The all-reduced confusion matrix of the classifier on a set."""
    confusion = torch.zeros(num_classes, num_classes, dtype=torch.float64)
    for batch in probe_batches(dataset, batch_size, num_workers):
        inputs, labels = _inputs_and_labels(batch, normalization, device)
        predictions = predict_labels(extractor, classifier, inputs, stride,
                                     tuple(labels.shape[-2:]))
        confusion += confusion_matrix(predictions, labels, num_classes)
    all_reduce(confusion)
    return confusion


def probe_backbone(backbone: nn.Module,
                   train_set: Sequence[dict],
                   val_set: Sequence[dict],
                   normalization: Normalization,
                   num_classes: int,
                   classes: Optional[Sequence[str]] = None,
                   stride: int = 8,
                   ridge: float = 1e-2,
                   batch_size: int = 8,
                   num_workers: int = 2) -> Dict[str, float]:
    """Fit the linear probe on ``train_set`` and score it on ``val_set``.

    Args:
        backbone (nn.Module): The backbone; a frozen copy is probed
            (:func:`probe_feature_extractor`).
        train_set (Sequence[dict]): Items holding ``img`` (H, W, C uint8)
            and ``gt_seg_map`` (H, W; ids outside the classes, e.g. 255,
            ignored), as from
            :func:`~grass_mm.datasets.build_labelled_dataset`.
        val_set (Sequence[dict]): The same, for the score.
        normalization (Normalization): How the pretraining normalised its
            inputs.
        num_classes (int): Number of classes.
        classes (Sequence[str], optional): Their names, for the keys.
            Defaults to None (``class_<i>``).
        stride (int): Stride of the feature grid and of the labelled
            pixels the classifier is fitted on. Defaults to 8.
        ridge (float): Ridge penalty relative to the number of pixels, on
            standardised features. Defaults to 1e-2.
        batch_size (int): Images per forward pass. Defaults to 8.
        num_workers (int): Processes that read the images (each process
            of a DDP run starts its own). Defaults to 2.

    Returns:
        dict[str, float]: ``mIoU`` and ``IoU.<class>`` in percent on the
        validation set, ``pixels``: the labelled pixels the classifier was
        fitted on; the same on every process.
    """
    device = next(backbone.parameters()).device
    extractor = probe_feature_extractor(backbone)
    classifier, pixels = fit_probe(extractor, train_set, normalization,
                                   num_classes, stride, ridge, batch_size,
                                   device, num_workers)
    confusion = _score(extractor, classifier, val_set, normalization,
                       num_classes, stride, batch_size, num_workers, device)
    result = intersection_over_union(confusion, classes)
    result['pixels'] = pixels
    return result

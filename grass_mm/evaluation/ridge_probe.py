# Copyright (c) grass_mm contributors. All rights reserved.
"""Closed-form per-pixel ridge regression and IoU: the math of the
segmentation probe of grass_mm (for `GraSS <https://arxiv.org/abs/2306.15868>`_
checkpoints and any mmpretrain backbone).

The probe never holds the features of a data set: it accumulates sufficient
statistics (pixel and class counts, sum of features, Gram matrix,
features times one-hot labels), which add up over batches and over
processes (an all-reduce), then solves
the ridge regression of the one-hot labels on the standardised features in
closed form.
"""
from typing import Dict, Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from mmseg.evaluation import IoUMetric
from torch import Tensor

__all__ = [
    'RidgeStatistics', 'confusion_matrix', 'intersection_over_union',
    'ridge_classifier'
]


class RidgeStatistics:
    """Sufficient statistics of a per-pixel ridge regression.

    Raw moments accumulated in float64 (rather than shifted by a first
    batch's mean): features with a large common offset keep their
    covariance (see :meth:`add`).

    Args:
        dim (int): Feature dimension.
        num_classes (int): Number of classes.
    """

    def __init__(self, dim: int, num_classes: int) -> None:
        self.count = torch.zeros((), dtype=torch.float64)
        self.sum = torch.zeros(dim, dtype=torch.float64)
        self.gram = torch.zeros(dim, dim, dtype=torch.float64)
        self.cross = torch.zeros(dim, num_classes, dtype=torch.float64)
        self.class_count = torch.zeros(num_classes, dtype=torch.float64)
        self.num_classes = num_classes

    def tensors(self) -> Sequence[Tensor]:
        """The statistics, e.g. to all-reduce them in place."""
        return self.count, self.sum, self.gram, self.cross, self.class_count

    def add(self, features: Tensor, labels: Tensor) -> None:
        """Add labelled pixels.

        Every product and sum is taken in float64: the moments are raw
        (not centred), so the covariance ``gram / n - mean mean^T`` loses
        the digits the features' offset takes from their spread (about
        ``(mean / std)^2``; float32, TF32 still more, leave none for a
        mean of 5000 and a std of 1). The products of one call are computed
        where ``features`` are (on a GPU when the backbone is there, where
        float64 is not affected by TF32); the sums over calls are kept on
        the CPU.

        Args:
            features (Tensor): (P, D) features of P pixels.
            labels (Tensor): (P,) class ids in ``[0, num_classes)``; pixels
                with other ids (e.g. 255, ignored) are left out.
        """
        valid = (labels >= 0) & (labels < self.num_classes)
        x = features[valid].double()
        onehot = F.one_hot(labels[valid].long(), self.num_classes).double()
        self.count += x.shape[0]
        self.sum += x.sum(0).cpu()
        self.gram += (x.T @ x).cpu()
        self.cross += (x.T @ onehot).cpu()
        self.class_count += onehot.sum(0).cpu()


def ridge_classifier(stats: RidgeStatistics,
                     ridge: float = 1e-2) -> Dict[str, Tensor]:
    """Solve the ridge regression of one-hot labels on standardised features.

    Features are standardised with the statistics' own mean and standard
    deviation; the penalty is ``ridge * count`` on every weight (not on the
    bias), so ``ridge`` does not depend on the number of pixels.

    Args:
        stats (RidgeStatistics): Accumulated statistics (count > 0).
        ridge (float): Relative penalty. Defaults to 1e-2.

    Returns:
        dict[str, Tensor]: ``mean`` and ``std`` (D,) of the features and
        ``weight`` (D, K) and ``bias`` (K,) of the classifier on the
        standardised features, float64: ``logits = ((x - mean) / std) @
        weight + bias``.
    """
    n = stats.count
    if not n > 0:
        raise ValueError('ridge_classifier: no labelled pixel was seen')
    mean = stats.sum / n
    covariance = stats.gram / n - torch.outer(mean, mean)
    std = covariance.diagonal().clamp_min(0).sqrt().clamp_min(1e-8)
    correlation = covariance / torch.outer(std, std)
    prior = stats.class_count / n  # class frequencies: the bias
    cross = (stats.cross / n - torch.outer(mean, prior)) / std[:, None]
    eye = torch.eye(len(mean), dtype=torch.float64)
    weight = torch.linalg.solve(correlation + ridge * eye, cross)
    return dict(mean=mean, std=std, weight=weight, bias=prior)


def confusion_matrix(predictions: Tensor, labels: Tensor,
                     num_classes: int) -> Tensor:
    """Count pixels by true class and predicted class.

    Args:
        predictions (Tensor): Predicted class ids, any shape.
        labels (Tensor): True class ids, the same shape; ids outside
            ``[0, num_classes)`` (255: ignored) are left out.
        num_classes (int): Number of classes.

    Returns:
        Tensor: (K, K) float64 counts, rows the true class, columns the
        prediction.
    """
    valid = (labels >= 0) & (labels < num_classes)
    index = labels[valid].long() * num_classes + predictions[valid].long()
    return torch.bincount(
        index.cpu(), minlength=num_classes**2).reshape(num_classes,
                                                       num_classes).double()


def intersection_over_union(
        confusion: Tensor,
        classes: Optional[Sequence[str]] = None) -> Dict[str, float]:
    """Per-class IoU and their mean, in percent, by mmseg's ``IoUMetric``.

    The confusion matrix gives the areas mmseg accumulates (intersection,
    union, predicted and true pixels per class); the IoU itself is
    :meth:`mmseg.evaluation.IoUMetric.total_area_to_metrics`, so the probe
    and an mmseg evaluation of the same predictions agree. Classes absent
    from both the labels and the predictions are NaN and left out of the
    mean, as in mmseg.

    Args:
        confusion (Tensor): (K, K) counts from :func:`confusion_matrix`.
        classes (Sequence[str], optional): The class names, for the keys.
            Defaults to None (``class_<i>``).

    Returns:
        dict[str, float]: ``mIoU`` and ``IoU.<class>``, in percent.
    """
    intersection = confusion.diagonal()
    label_area = confusion.sum(1)
    prediction_area = confusion.sum(0)
    union = label_area + prediction_area - intersection
    iou = IoUMetric.total_area_to_metrics(
        intersection, union, prediction_area, label_area,
        metrics=['mIoU'])['IoU']
    iou = np.asarray(iou, dtype=np.float64) * 100
    names = classes or [f'class_{i}' for i in range(len(iou))]
    result = {f'IoU.{name}': float(v) for name, v in zip(names, iou)}
    present = ~np.isnan(iou)
    result['mIoU'] = float(
        iou[present].mean()) if present.any() else float('nan')
    return result

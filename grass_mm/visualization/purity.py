# Copyright (c) grass_mm contributors. All rights reserved.
"""How pure, in ground-truth classes, the boxes of GraSS are.

`GraSS <https://arxiv.org/abs/2306.15868>`_ claims that the gradient of the
contrastive loss points at regions holding a single kind of ground object.
With a labelled segmentation data set (used only for this analysis) that
becomes measurable: the *purity* of a box is the share of its labelled
pixels that belong to its most frequent class, and a box over fewer classes
is purer. A box of the sampler is compared with a random box of the same
height and width in the same view, which isolates the effect of *where* the
sampler looks from the effect of *how large* its boxes are.

The views of one image are not independent samples: an interval over views
treats an image's resized view and its mirror as two draws, and understates
the interval by up to a factor sqrt(2). :func:`clustered_summary` averages
each image's views first and takes the interval over the images.
"""
import math
from typing import Dict, NamedTuple, Sequence, Tuple, Union

import numpy as np
from torch import Tensor

from ..analysis import student_interval

ArrayLike = Union[np.ndarray, Tensor]

# Two-sided 95% quantile of the standard normal distribution.
Z_95 = 1.959963984540054


class Summary(NamedTuple):
    """Mean of a sample and a 95% confidence interval of the mean."""
    mean: float
    ci_low: float
    ci_high: float


def box_purity(label: ArrayLike,
               box: Sequence[int],
               ignore_index: int = 255) -> Tuple[float, int]:
    """Purity and number of classes of one box of a label map.

    Args:
        label (np.ndarray | Tensor): Class ids, shape (H, W).
        box (Sequence[int]): ``[y0, x0, y1, x1]``, end exclusive.
        ignore_index (int): Label of unlabelled pixels, left out of both
            counts. Defaults to 255.

    Returns:
        tuple[float, int]: The share of the box's labelled pixels held by its
        most frequent class, and the number of classes present. ``(nan, 0)``
        when the box holds no labelled pixel.
    """
    if isinstance(label, Tensor):
        label = label.cpu().numpy()
    y0, x0, y1, x1 = (int(v) for v in box)
    pixels = np.asarray(label)[y0:y1, x0:x1].ravel()
    pixels = pixels[pixels != ignore_index].astype(np.int64)
    if pixels.size == 0:
        return math.nan, 0
    counts = np.bincount(pixels)
    return float(counts.max() / pixels.size), int(np.count_nonzero(counts))


def boxes_purity(labels: ArrayLike,
                 boxes: ArrayLike,
                 ignore_index: int = 255) -> Tuple[np.ndarray, np.ndarray]:
    """:func:`box_purity` of one box per label map.

    Args:
        labels (np.ndarray | Tensor): Label maps, shape (N, H, W).
        boxes (np.ndarray | Tensor): Boxes ``[y0, x0, y1, x1]``, (N, 4).
        ignore_index (int): Label of unlabelled pixels. Defaults to 255.

    Returns:
        tuple[np.ndarray, np.ndarray]: float64 purities (nan where a box
        holds no labelled pixel) and int64 class counts, both (N,).
    """
    if isinstance(labels, Tensor):
        labels = labels.cpu().numpy()
    if isinstance(boxes, Tensor):
        boxes = boxes.cpu().numpy()
    if len(labels) != len(boxes):
        raise ValueError(f'{len(labels)} label maps but {len(boxes)} boxes')
    pairs = [box_purity(lb, bx, ignore_index) for lb, bx in zip(labels, boxes)]
    purity = np.array([p[0] for p in pairs], dtype=np.float64)
    classes = np.array([p[1] for p in pairs], dtype=np.int64)
    return purity, classes


def summarise(values: ArrayLike) -> Summary:
    """Mean and normal-approximation 95% confidence interval of the mean.

    ``mean +- 1.96 * s / sqrt(n)`` with ``s`` the sample standard deviation
    (``ddof=1``): the interval of the central limit theorem, accurate for
    hundreds of independent values, a little narrow for a few dozen. NaNs
    are left out. For values that come in groups (the views of one image)
    use :func:`clustered_summary`.

    Args:
        values (np.ndarray | Tensor): The sample, any shape.

    Returns:
        Summary: ``(mean, ci_low, ci_high)``; all nan for an empty sample,
        and nan bounds for a single value.
    """
    if isinstance(values, Tensor):
        values = values.detach().cpu().numpy()
    values = np.asarray(values, dtype=np.float64).ravel()
    values = values[~np.isnan(values)]
    if values.size == 0:
        return Summary(math.nan, math.nan, math.nan)
    mean = float(values.mean())
    if values.size == 1:
        return Summary(mean, math.nan, math.nan)
    half = Z_95 * float(values.std(ddof=1)) / math.sqrt(values.size)
    return Summary(mean, mean - half, mean + half)


def cluster_means(
        values: ArrayLike,
        clusters: ArrayLike) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The mean of each cluster's values, NaNs left out.

    Args:
        values (np.ndarray | Tensor): One value per unit (e.g. per view),
            shape (N,).
        clusters (np.ndarray | Tensor): The cluster of each unit (e.g. the
            index of the view's image), shape (N,).

    Returns:
        tuple[np.ndarray, np.ndarray, np.ndarray]: The clusters holding at
        least one value, sorted, the float64 mean of each and the number of
        values it holds.
    """
    if isinstance(values, Tensor):
        values = values.detach().cpu().numpy()
    if isinstance(clusters, Tensor):
        clusters = clusters.cpu().numpy()
    values = np.asarray(values, dtype=np.float64).ravel()
    clusters = np.asarray(clusters).ravel()
    if values.shape != clusters.shape:
        raise ValueError(f'{values.size} values but {clusters.size} cluster '
                         'ids')
    keep = ~np.isnan(values)
    ids, inverse = np.unique(clusters[keep], return_inverse=True)
    sums = np.bincount(inverse, weights=values[keep], minlength=ids.size)
    counts = np.bincount(inverse, minlength=ids.size)
    return ids, sums / np.maximum(counts, 1), counts


def clustered_summary(values: ArrayLike,
                      clusters: ArrayLike,
                      confidence: float = 0.95) -> Dict[str, float]:
    """Mean and Student-t interval over cluster means.

    The values of a cluster (the two views of an image) are averaged first;
    the clusters are the independent units, so the interval is
    :func:`~grass_mm.analysis.student_interval` of the cluster means.

    Args:
        values (np.ndarray | Tensor): One value per unit, shape (N,); NaNs
            are left out.
        clusters (np.ndarray | Tensor): The cluster of each unit, (N,).
        confidence (float): Coverage of the interval. Defaults to 0.95.

    Returns:
        dict[str, float]: ``mean`` (of the cluster means), ``ci_low``,
        ``ci_high``, ``n`` (clusters holding a value) and ``n_units``
        (values counted). Nan bounds below two clusters, a nan mean
        without any.
    """
    ids, means, counts = cluster_means(values, clusters)
    stats = student_interval(means, confidence)
    return dict(
        mean=stats['mean'],
        ci_low=stats['ci_low'],
        ci_high=stats['ci_high'],
        n=int(ids.size),
        n_units=int(counts.sum()))

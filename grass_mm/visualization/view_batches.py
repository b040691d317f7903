# Copyright (c) grass_mm contributors. All rights reserved.
"""Batches of two views per image, to run the GraSS sampler offline.

The tools that show and measure what `GraSS
<https://arxiv.org/abs/2306.15868>`_ samples feed its ``sample`` method
batches shaped like the training ones: a dict ``{'inputs': [view_1, view_2],
'data_samples': ...}`` of uint8 BGR tensors (N, 3, H, W) that the model's
data preprocessor then normalises. Two ways to make the views:

- *deterministic* (:func:`deterministic_batch`): the image resized to a
  square (bilinear), and its horizontal mirror as the second view. A label
  map resized with nearest and mirrored the same way stays aligned with the
  views pixel for pixel, which the purity analysis needs.
- *the config's pipeline* (:func:`pipeline_batch`): the training pipeline
  (random resized crops, colour distortion, ...), as GS training sees it.
"""
import math
from typing import Dict, List, Sequence

import mmcv
import numpy as np
import torch
from mmengine.dataset import Compose, default_collate


def resize_and_mirror(array: np.ndarray,
                      size: int,
                      interpolation: str = 'bilinear') -> List[np.ndarray]:
    """The two deterministic views of an image or a label map.

    Args:
        array (np.ndarray): An image (H, W, C) or a label map (H, W).
        size (int): Side of the square views.
        interpolation (str): ``'bilinear'`` for images, ``'nearest'`` for
            label maps. Defaults to ``'bilinear'``.

    Returns:
        list[np.ndarray]: The resized array and its horizontal mirror.
    """
    resized = mmcv.imresize(array, (size, size), interpolation=interpolation)
    return [resized, np.ascontiguousarray(resized[:, ::-1])]


def deterministic_batch(images: Sequence[np.ndarray],
                        size: int) -> Dict[str, List[torch.Tensor]]:
    """Two deterministic views per image, batched for the data preprocessor.

    Args:
        images (Sequence[np.ndarray]): uint8 images (H, W, 3) in BGR order,
            as ``mmcv.imread`` loads them; sizes may differ.
        size (int): Side of the square views.

    Returns:
        dict: ``{'inputs': [view_1, view_2], 'data_samples': None}``, each
        view a uint8 tensor of shape (N, 3, size, size).
    """
    views = [resize_and_mirror(image, size) for image in images]
    inputs = [
        torch.from_numpy(np.stack([v[k]
                                   for v in views])).permute(0, 3, 1,
                                                             2).contiguous()
        for k in range(2)
    ]
    return dict(inputs=inputs, data_samples=None)


def deterministic_label_views(labels: Sequence[np.ndarray],
                              size: int) -> np.ndarray:
    """Label maps aligned with the views of :func:`deterministic_batch`.

    Args:
        labels (Sequence[np.ndarray]): Label maps (H, W), one per image.
        size (int): Side of the square views.

    Returns:
        np.ndarray: Shape (2 * N, size, size), view-major like the rows of
        ``GraSS.sample``: the first views of all images, then the second.
    """
    views = [resize_and_mirror(label, size, 'nearest') for label in labels]
    return np.stack([v[0] for v in views] + [v[1] for v in views])


def pipeline_batch(pipeline: Sequence[dict],
                   image_paths: Sequence[str]) -> dict:
    """Views of images made by a training pipeline, collated.

    Args:
        pipeline (Sequence[dict]): A pretraining pipeline from
            ``LoadImageFromFile`` to ``PackInputs``, e.g. a config's
            ``train_dataloader.dataset.pipeline``; built in the current
            default scope.
        image_paths (Sequence[str]): The images.

    Returns:
        dict: ``{'inputs': [...], 'data_samples': [...]}`` as a dataloader
        with ``default_collate`` gives it.
    """
    transform = Compose(list(pipeline))
    return default_collate(
        [transform(dict(img_path=path)) for path in image_paths])


def split_batches(num_items: int, batch_size: int) -> List[range]:
    """Split ``range(num_items)`` into near-equal consecutive batches.

    The contrastive loss of a batch of one image has no negatives, so its
    gradient, and the sampler's map, is zero. Balancing the sizes (9 items
    with a batch size of 8 give 5 + 4, not 8 + 1) avoids such batches
    whenever there are at least two items; with ``batch_size`` 2 and an odd
    number of items, one batch holds 3.

    Args:
        num_items (int): Number of items.
        batch_size (int): Largest batch (but see above).

    Returns:
        list[range]: The batches, in order.
    """
    if batch_size < 1:
        raise ValueError(f'batch_size must be >= 1, got {batch_size}')
    if num_items == 0:
        return []
    num_batches = max(1,
                      min(math.ceil(num_items / batch_size), num_items // 2))
    bounds = np.linspace(0, num_items, num_batches + 1).round().astype(int)
    return [range(a, b) for a, b in zip(bounds[:-1], bounds[1:])]

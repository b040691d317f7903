# Copyright (c) grass_mm contributors. All rights reserved.
"""Time the views' colour augmentations: per view on the CPU workers, as
mmpretrain's transforms do them, against a whole batch at once."""
import statistics
from typing import Dict, Mapping, Optional, Sequence

import numpy as np
import torch
from mmcv.transforms import Compose
from mmengine.registry import DefaultScope
from mmpretrain.registry import TRANSFORMS

from ..models.data_preprocessors import (AUGMENTS,
                                         PhotometricAugDataPreprocessor)
from .step_timer import time_call


def photometric_transforms(view_pipeline: Sequence[dict]) -> list:
    """The transforms of a view pipeline that the preprocessor can batch.

    Args:
        view_pipeline (Sequence[dict]): Transform configs of one view.

    Returns:
        list[dict]: Those whose type is one of
        :data:`~grass_mm.models.data_preprocessors.AUGMENTS`, in order.
    """
    return [
        dict(cfg) for cfg in view_pipeline
        if str(cfg['type']).split('.')[-1] in AUGMENTS
    ]


def config_photometric_augments(cfg: Mapping) -> list:
    """The colour augmentations of a pretraining config's views.

    Wherever the config runs them: the ``augments`` of its
    :class:`~grass_mm.models.PhotometricAugDataPreprocessor` (the default of
    ``configs/_base_/datasets/potsdam_pretrain.py``), else the photometric
    transforms of its ``view_pipeline`` (colour augmentations on the data
    workers, as in the demo configs).

    Args:
        cfg (Mapping): A config, e.g. from ``Config.fromfile``.

    Returns:
        list[dict]: The transform configs, in order; empty if it has none.
    """
    augments = (cfg.get('data_preprocessor') or {}).get('augments')
    if augments:
        return [dict(augment) for augment in augments]
    return photometric_transforms(cfg.get('view_pipeline') or [])


def time_photometric_paths(
        augments: Sequence[dict],
        num_views: int,
        img_size: int,
        repeats: int = 5,
        device: str = 'cpu',
        seed: int = 0,
        chunk_size: Optional[int] = None) -> Dict[str, float]:
    """Seconds per view of the CPU transforms and of the batched path.

    The CPU path runs mmpretrain's transforms on ``num_views`` uint8
    ``(img_size, img_size, 3)`` images one at a time; the batched path runs
    :meth:`PhotometricAugDataPreprocessor.augment` on the same images as one
    uint8 batch on ``device``. One warm-up run each, then the median of
    ``repeats`` runs of each, the two paths taking turns.

    Args:
        augments (Sequence[dict]): mmpretrain transform configs.
        num_views (int): Views per batch.
        img_size (int): Side of the square views.
        repeats (int): Measured runs of each path. Defaults to 5.
        device (str): Where the batched path runs. Defaults to 'cpu'.
        seed (int): Seed of the images and of both paths' draws.
            Defaults to 0.
        chunk_size (int, optional): The preprocessor's ``chunk_size``.
            Defaults to None (the whole batch at once).

    Returns:
        dict: ``cpu_s_per_view``, ``batched_s_per_view`` and ``ratio``
        (CPU over batched).
    """
    rng = np.random.default_rng(seed)
    images = rng.integers(
        0, 256, (num_views, img_size, img_size, 3), dtype=np.uint8)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        pipeline = Compose([TRANSFORMS.build(dict(c)) for c in augments])
    preprocessor = PhotometricAugDataPreprocessor(
        augments=augments, seed=seed, chunk_size=chunk_size)
    target = torch.device(device)
    batch = torch.from_numpy(images).permute(0, 3, 1, 2).contiguous()
    batch = batch.to(target)
    np.random.seed(seed)

    def cpu() -> None:
        for img in images:
            pipeline(dict(img=img, img_shape=img.shape[:2]))

    def batched() -> None:
        preprocessor.augment(batch)

    cpu()
    batched()
    cpu_times, batched_times = [], []
    for _ in range(repeats):  # alternating, so load changes hit both
        cpu_times.append(time_call(cpu, torch.device('cpu')))
        batched_times.append(time_call(batched, target))
    cpu_s = statistics.median(cpu_times) / num_views
    batched_s = statistics.median(batched_times) / num_views
    return dict(
        cpu_s_per_view=cpu_s,
        batched_s_per_view=batched_s,
        ratio=cpu_s / batched_s)

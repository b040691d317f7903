# Copyright (c) grass_mm contributors. All rights reserved.
"""Labelled segmentation sets read as they are (no augmentation): for the
purity analysis of the `GraSS <https://arxiv.org/abs/2306.15868>`_ sampler
and the linear segmentation probe."""
from typing import Sequence

from mmengine.registry import DefaultScope
from mmseg.registry import DATASETS


def labelled_dataset_cfg(img_dir: str,
                         ann_dir: str,
                         img_suffix: str = '.png',
                         seg_map_suffix: str = '.png',
                         reduce_zero_label: bool = False) -> dict:
    """An mmseg dataset config for a folder of images and one of labels.

    Args:
        img_dir (str): The images.
        ann_dir (str): Label maps of class ids with the same names.
        img_suffix (str): Suffix of the images. Defaults to ``'.png'``.
        seg_map_suffix (str): Suffix of the label maps. Defaults to
            ``'.png'``.
        reduce_zero_label (bool): Whether label 0 means "unlabelled" (it
            becomes 255 and the others move down by one). Defaults to False.

    Returns:
        dict: A ``BaseSegDataset`` config without a pipeline.
    """
    return dict(
        type='BaseSegDataset',
        data_prefix=dict(img_path=img_dir, seg_map_path=ann_dir),
        img_suffix=img_suffix,
        seg_map_suffix=seg_map_suffix,
        reduce_zero_label=reduce_zero_label)


def build_labelled_dataset(dataset_cfg: dict) -> Sequence[dict]:
    """Build an mmseg dataset that loads images and label maps only.

    The dataset's own pipeline is replaced by ``LoadImageFromFile`` and
    ``LoadAnnotations``, which apply its ``reduce_zero_label`` and label
    map, so items hold ``img`` (BGR) and ``gt_seg_map``.

    Args:
        dataset_cfg (dict): An mmseg dataset config, e.g. a fine-tuning
            config's ``val_dataloader.dataset``.

    Returns:
        Sequence[dict]: The dataset.
    """
    dataset_cfg = dict(
        dataset_cfg,
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='LoadAnnotations')
        ])
    with DefaultScope.overwrite_default_scope('mmseg'):
        return DATASETS.build(dataset_cfg)

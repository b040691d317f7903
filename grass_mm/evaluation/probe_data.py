# Copyright (c) grass_mm contributors. All rights reserved.
"""The labelled sets of the segmentation probe of
`GraSS <https://arxiv.org/abs/2306.15868>`_ checkpoints: mmseg dataset
configs, read without augmentation."""
import copy
from typing import Sequence, Tuple

from mmengine.config import Config

from ..datasets.labelled_dataset import build_labelled_dataset


def _describe(dataset_cfg: dict) -> str:
    parts = [str(dataset_cfg.get('type'))]
    for key in ('data_root', 'ann_file', 'data_prefix'):
        if dataset_cfg.get(key):
            parts.append(f'{key}={dataset_cfg[key]!r}')
    return ' '.join(parts)


def build_probe_set(dataset_cfg: dict, name: str) -> Sequence[dict]:
    """Build one labelled set of the probe, in test mode, unaugmented.

    Args:
        dataset_cfg (dict): mmseg dataset config; its pipeline is replaced
            by ``LoadImageFromFile`` and ``LoadAnnotations``.
        name (str): The config key it came from, for the error message.

    Returns:
        Sequence[dict]: The items, each holding ``img`` and ``gt_seg_map``.

    Raises:
        ValueError: When the set is empty.
    """
    # not serialised: mmengine cannot serialise an empty set, and an
    # empty set must be reported by name
    cfg = dict(
        copy.deepcopy(dataset_cfg), test_mode=True, serialize_data=False)
    dataset = build_labelled_dataset(cfg)
    if len(dataset) == 0:
        raise ValueError(f'segmentation probe: `{name}` '
                         f'({_describe(cfg)}) holds no image')
    return dataset


def build_probe_sets(
    train_dataset: dict, val_dataset: dict
) -> Tuple[Sequence[dict], Sequence[dict], Tuple[str, ...]]:
    """Build the probe's training and validation sets.

    Both are built in test mode (a file that fails to load is an error, not
    a silently replaced sample) with their pipelines replaced by
    ``LoadImageFromFile`` and ``LoadAnnotations``.

    Args:
        train_dataset (dict): mmseg dataset config of the labelled pixels
            the classifier is fitted on, e.g. a label-fraction split
            (``ann_file='splits/train_10pct.txt'``).
        val_dataset (dict): mmseg dataset config of the scored images.

    Returns:
        tuple: The training set, the validation set and the class names.

    Raises:
        ValueError: When a set is empty or the two name different classes.
    """
    sets = [
        build_probe_set(train_dataset, 'train_dataset'),
        build_probe_set(val_dataset, 'val_dataset')
    ]
    classes = [tuple(s.metainfo.get('classes') or ()) for s in sets]
    if not classes[0] or classes[0] != classes[1]:
        raise ValueError('segmentation probe: `train_dataset` and '
                         '`val_dataset` must name the same classes, got '
                         f'{classes[0]} and {classes[1]}')
    return sets[0], sets[1], classes[0]


def finetune_probe_datasets(cfg: Config,
                            label_fraction: int = 10) -> Tuple[dict, dict]:
    """The probe's sets from an mmseg fine-tuning config.

    Args:
        cfg (Config): A fine-tuning config with ``train_dataloader`` and
            ``val_dataloader`` (e.g. ``configs/finetune/*.py``).
        label_fraction (int): The training split, in percent:
            ``splits/train_{label_fraction}pct.txt`` of the converted
            dataset. Defaults to 10.

    Returns:
        tuple[dict, dict]: The ``train_dataset`` and ``val_dataset``
        configs of :func:`build_probe_sets`.
    """
    for key in ('train_dataloader', 'val_dataloader'):
        if not cfg.get(key, {}).get('dataset'):
            raise KeyError(f'{cfg.filename}: `{key}.dataset` is missing: '
                           'the probe needs an mmseg fine-tuning config')
    train = copy.deepcopy(cfg.train_dataloader.dataset.to_dict())
    train['ann_file'] = f'splits/train_{label_fraction}pct.txt'
    val = copy.deepcopy(cfg.val_dataloader.dataset.to_dict())
    return train, val

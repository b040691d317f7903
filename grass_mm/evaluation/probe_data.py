# Copyright (c) grass_mm contributors. All rights reserved.
"""The labelled sets of the segmentation probe of
`GraSS <https://arxiv.org/abs/2306.15868>`_ checkpoints: mmseg dataset
configs, read without augmentation, and each process's share of them."""
import copy
from typing import Iterator, List, Sequence, Tuple

from mmengine.config import Config
from mmengine.dataset import DefaultSampler
from torch.utils.data import DataLoader

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


def _as_list(items: List[dict]) -> List[dict]:
    """The collate function of the probe's loaders: images of any size."""
    return items


def probe_loader(dataset: Sequence[dict], batch_size: int,
                 num_workers: int) -> DataLoader:
    """This process's share of a labelled set, read by worker processes.

    Rank ``r`` of ``w`` reads items ``r, r + w, r + 2w, ...``: mmengine's
    ``DefaultSampler`` without shuffling and without ``round_up``, so no
    item is repeated to even out the shares (a padded sampler would count
    some images' pixels twice in the all-reduced statistics).

    Args:
        dataset (Sequence[dict]): Items holding ``img`` and ``gt_seg_map``.
        batch_size (int): Items per batch.
        num_workers (int): Loading processes (0: the calling process).

    Returns:
        DataLoader: Batches as lists of items.
    """
    # a fixed seed: without one the sampler would synchronise a random
    # seed across processes, a collective call that shuffle=False ignores
    sampler = DefaultSampler(dataset, shuffle=False, seed=0, round_up=False)
    return DataLoader(
        dataset,
        batch_size=batch_size,
        sampler=sampler,
        num_workers=num_workers,
        collate_fn=_as_list)


def probe_batches(dataset: Sequence[dict], batch_size: int,
                  num_workers: int) -> Iterator[List[dict]]:
    """This process's share of the dataset, in batches of one image size."""
    for items in probe_loader(dataset, batch_size, num_workers):
        start = 0
        for end in range(1, len(items) + 1):
            if (end == len(items)
                    or items[end]['img'].shape != items[start]['img'].shape):
                yield items[start:end]
                start = end

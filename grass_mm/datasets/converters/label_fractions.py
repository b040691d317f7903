# Copyright (c) grass_mm contributors. All rights reserved.
"""Reproducible, nested subsets of the labelled training images.

`GraSS <https://arxiv.org/abs/2306.15868>`_ fine-tunes on a few percent of
the labels. Every method compared must see the same images, so the subsets
are chosen once, by the converter, and written as mmseg ``ann_file`` split
files (``splits/train_{p}pct.txt``, one image name without suffix a line).

The rule: each image name gets the key ``sha256(f'{seed}/{name}')``; images
are ranked by key, and the ``p`` % subset is the first
``ceil(N * p / 100)`` of them. Hence

- the same seed and names always give the same files, on any machine and
  any NumPy version (no random generator is involved);
- subsets are nested: 1 % is inside 5 %, which is inside 10 %, ...;
- an image's rank does not depend on which other images exist.
"""
import hashlib
import math
import os
import os.path as osp
from typing import Dict, List, Sequence

DEFAULT_PERCENTS = (1, 5, 10, 20, 50, 100)


def split_file_name(percent: float) -> str:
    """Name of the split file of ``percent`` %, e.g. ``train_10pct.txt``."""
    return f'train_{percent:g}pct.txt'


def rank_names(names: Sequence[str], seed: int) -> List[str]:
    """Names in the seeded order that the subsets take their prefix of."""

    def key(name: str) -> str:
        return hashlib.sha256(f'{seed}/{name}'.encode()).hexdigest()

    return sorted(set(names), key=lambda name: (key(name), name))


def fraction_subset(names: Sequence[str],
                    percent: float,
                    seed: int = 0) -> List[str]:
    """The ``percent`` % subset of ``names`` for ``seed``, sorted by name.

    Args:
        names (Sequence[str]): All labelled training images.
        percent (float): Share to keep, in (0, 100].
        seed (int): Seed of the ranking. Defaults to 0.

    Returns:
        list[str]: ``ceil(len(names) * percent / 100)`` names (at least one).
    """
    if not 0 < percent <= 100:
        raise ValueError(f'percent must be in (0, 100], got {percent}')
    ranked = rank_names(names, seed)
    count = math.ceil(round(len(ranked) * percent / 100, 6))
    return sorted(ranked[:count])


def write_fraction_splits(names: Sequence[str],
                          split_dir: str,
                          percents: Sequence[float] = DEFAULT_PERCENTS,
                          seed: int = 0) -> Dict[float, str]:
    """Write one split file per percentage into ``split_dir``.

    Args:
        names (Sequence[str]): All labelled training images, without suffix.
        split_dir (str): Output folder (created if needed).
        percents (Sequence[float]): Percentages. Defaults to
            (1, 5, 10, 20, 50, 100).
        seed (int): Seed of the ranking. Defaults to 0.

    Returns:
        dict[float, str]: Path of the file written for each percentage.
    """
    os.makedirs(split_dir, exist_ok=True)
    paths = {}
    for percent in percents:
        path = osp.join(split_dir, split_file_name(percent))
        with open(path, 'w') as f:
            f.writelines(f'{name}\n'
                         for name in fraction_subset(names, percent, seed))
        paths[percent] = path
    return paths

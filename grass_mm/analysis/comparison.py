# Copyright (c) grass_mm contributors. All rights reserved.
"""Pieces of the paper's comparison: pretrain, fine-tune, tabulate mIoU.

``tools/run_comparison.py`` pretrains several methods with the same recipe
(e.g. SimCLR and `GraSS <https://arxiv.org/abs/2306.15868>`_) once per seed,
fine-tunes each with the same label fractions and tabulates the mIoU with
:mod:`~grass_mm.analysis.seed_statistics`.
"""
import os.path as osp
import re
from typing import Dict, List, Sequence

_MIOU_LINE = re.compile(r'^mIoU: ([0-9.]+)\s*$', re.MULTILINE)


def last_checkpoint(work_dir: str) -> str:
    """The checkpoint mmengine's ``CheckpointHook`` saved last in a work dir.

    Raises:
        FileNotFoundError: When the run saved no checkpoint.
    """
    marker = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(marker):
        raise FileNotFoundError(
            f'{marker}: not found; did the run in {work_dir} save a '
            'checkpoint?')
    with open(marker) as f:
        path = f.read().strip()
    if not osp.isfile(path):
        raise FileNotFoundError(f'{marker} names {path}, which does not exist')
    return path


def parse_miou(output: str) -> float:
    """The value of the last ``mIoU: X`` line that ``tools/test.py`` prints.

    Raises:
        ValueError: When the output holds no such line.
    """
    values = _MIOU_LINE.findall(output)
    if not values:
        raise ValueError('no "mIoU: X" line in the output of tools/test.py')
    return float(values[-1])


def parse_methods(items: Sequence[str]) -> Dict[str, str]:
    """Parse ``NAME=CONFIG`` pairs, keeping their order."""
    methods = {}
    for item in items:
        name, sep, config = item.partition('=')
        if not sep or not name or not config:
            raise ValueError(f'--methods takes NAME=CONFIG, got {item!r}')
        if name in methods:
            raise ValueError(f'--methods names {name!r} twice')
        methods[name] = config
    return methods


def parse_seeds(text: str) -> List[int]:
    """Seeds from ``--seeds``: a count ``K`` (seeds 0 to K-1) or a list.

    A list is comma-separated (``0,3,7``; ``7,`` for the single seed 7).

    Raises:
        ValueError: For anything else, a repeated seed or a count below 1.
    """
    try:
        if ',' in text:
            seeds = [int(part) for part in text.split(',') if part.strip()]
        else:
            seeds = list(range(int(text)))
    except ValueError:
        raise ValueError('--seeds takes a count K or a comma-separated list '
                         f'of seeds, got {text!r}') from None
    if not seeds:
        raise ValueError(f'--seeds must name at least one seed, got {text!r}')
    if len(set(seeds)) != len(seeds):
        raise ValueError(f'--seeds names a seed twice: {text!r}')
    return seeds

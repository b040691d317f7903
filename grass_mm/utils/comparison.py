# Copyright (c) grass_mm contributors. All rights reserved.
"""Pieces of the paper's comparison: pretrain, fine-tune, tabulate mIoU.

``tools/run_comparison.py`` pretrains several methods with the same recipe
(e.g. SimCLR and `GraSS <https://arxiv.org/abs/2306.15868>`_), fine-tunes
each with the same label fraction and writes a markdown table of mIoU.
"""
import os.path as osp
import re
from typing import Dict, List, Optional, Sequence

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


def markdown_table(rows: List[dict],
                   label_fraction: float,
                   baseline: Optional[str] = None) -> str:
    """A markdown table of mIoU per method, with the gain over a baseline.

    Args:
        rows (list[dict]): ``method``, ``pretrain_config``, ``miou`` each.
        label_fraction (float): Percentage of labelled training images.
        baseline (str, optional): Method the gains are measured against.
            Defaults to None (the first row).

    Returns:
        str: The table, ending with a newline.
    """
    baseline = baseline or rows[0]['method']
    reference = next(r['miou'] for r in rows if r['method'] == baseline)
    lines = [
        f'| method | pretraining config | labels | mIoU | vs {baseline} |',
        '| --- | --- | --- | --- | --- |',
    ]
    for row in rows:
        gain = row['miou'] - reference
        lines.append(f"| {row['method']} | `{row['pretrain_config']}` | "
                     f'{label_fraction:g}% | {row["miou"]:.2f} | '
                     f'{gain:+.2f} |')
    return '\n'.join(lines) + '\n'

# Copyright (c) grass_mm contributors. All rights reserved.
"""Measure the class purity of the boxes GraSS samples on a labelled set.

The sampler of `GraSS <https://arxiv.org/abs/2306.15868>`_ runs over the
images of a segmentation data set (its labels serve only this analysis, not
the sampler). Each image gives two deterministic views (resized, and
mirrored; see :mod:`~grass_mm.visualization.view_batches`) so that its label
map stays aligned with them. Per view, from one guide pass, the sampler's box
(the paper's ``'gradient'`` rule), the boxes of the two controls of
:mod:`~grass_mm.models.utils.box_rules` (a random box of the same size in the
same view, and the box of the negated map) and the whole view are scored with
:func:`~grass_mm.visualization.purity.box_purity`. The two views of an image
are not independent: the intervals take the image (the patch) as their
unit, averaging its views first.
"""
import math
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from torch import nn

from ..models.utils import random_boxes_like, rule_boxes
from .purity import ArrayLike, boxes_purity, clustered_summary
from .view_batches import (deterministic_batch, deterministic_label_views,
                           split_batches)

# Rows of the table, in print order, with their printed names.
REGIONS = ('gs_box', 'random_box', 'opposite_box', 'whole_view')
ROWS = (('gs_box', 'GS box'), ('random_box', 'random box'),
        ('opposite_box', 'opposite box'), ('whole_view', 'whole view'),
        ('gs_minus_random', 'GS - random'), ('gs_minus_opposite',
                                             'GS - opposite'))
# paired rows: (row, minuend, subtrahend)
DIFFERENCES = (('gs_minus_random', 'gs_box', 'random_box'),
               ('gs_minus_opposite', 'gs_box', 'opposite_box'))
# columns of each row: per-view statistics summarised per patch
COLUMNS = ('purity', 'num_classes', 'box_area')
INTERVAL_NOTE = dict(
    unit='patch: the mean of its views',
    method='95% Student-t interval over the patch means')
VIEWS_NOTE = ('two deterministic views per image: resized to img_size x '
              'img_size (bilinear; labels nearest) and its horizontal mirror')


def box_areas(boxes: ArrayLike, height: int, width: int) -> np.ndarray:
    """Area of each box as a fraction of an ``height`` x ``width`` view.

    Args:
        boxes (np.ndarray | Tensor): Boxes ``[y0, x0, y1, x1]``, (N, 4).
        height (int): Height of the view.
        width (int): Width of the view.

    Returns:
        np.ndarray: float64 areas in (0, 1], shape (N,).
    """
    if isinstance(boxes, torch.Tensor):
        boxes = boxes.cpu().numpy()
    boxes = np.asarray(boxes, dtype=np.float64)
    return ((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]) /
            (height * width))


def view_purities(labels: np.ndarray,
                  gs_boxes: torch.Tensor,
                  random_boxes: torch.Tensor,
                  opposite_boxes: torch.Tensor,
                  ignore_index: int = 255) -> Dict[str, np.ndarray]:
    """Per-view purity, class count and area of the four regions.

    Args:
        labels (np.ndarray): Label maps aligned with the views (N, H, W).
        gs_boxes (Tensor): The sampler's boxes, (N, 4).
        random_boxes (Tensor): Random boxes of the same sizes, (N, 4).
        opposite_boxes (Tensor): Boxes of the negated maps, (N, 4).
        ignore_index (int): Label of unlabelled pixels. Defaults to 255.

    Returns:
        dict[str, np.ndarray]: ``{region}_purity`` (float, nan without
        labelled pixels), ``{region}_classes`` (int) and ``{region}_area``
        (float, fraction of the view) for the regions ``gs_box``,
        ``random_box``, ``opposite_box`` and ``whole_view``, each of shape
        (N,).
    """
    num_views, height, width = labels.shape
    whole = np.tile(np.array([0, 0, height, width]), (num_views, 1))
    values = {}
    for region, boxes in zip(REGIONS,
                             (gs_boxes, random_boxes, opposite_boxes, whole)):
        purity, classes = boxes_purity(labels, boxes, ignore_index)
        values[f'{region}_purity'] = purity
        values[f'{region}_classes'] = classes
        values[f'{region}_area'] = box_areas(boxes, height, width)
    return values


def purity_table(values: Dict[str, np.ndarray],
                 patches: ArrayLike) -> Dict[str, dict]:
    """Summarise per-view values of :func:`view_purities` into a table.

    The unit of the intervals is the patch (the image a view comes from),
    not the view: the views of a patch are averaged first, and the interval
    is the Student-t interval over the patch means (see
    :func:`~grass_mm.visualization.purity.clustered_summary`). Views whose
    region holds no labelled pixel are left out of that region's row. The
    paired rows ``gs_minus_random`` and ``gs_minus_opposite`` summarise the
    per-view differences, GS box minus the control's box, over the views
    where both boxes hold labelled pixels, averaged per patch likewise.

    Args:
        values (dict[str, np.ndarray]): Per-view values, concatenated over
            the data set.
        patches (np.ndarray | Tensor): The patch (image) of each view, (N,).

    Returns:
        dict: ``{row: {'purity': stats, 'num_classes': stats, 'box_area':
        stats}}`` with ``stats`` a dict of ``mean`` (of the patch means),
        ``ci_low``, ``ci_high`` (a 95% confidence interval of the mean),
        ``n`` (patches) and ``n_views`` (views).
    """
    columns = {
        region: (values[f'{region}_purity'],
                 values[f'{region}_classes'].astype(np.float64),
                 values[f'{region}_area'])
        for region in REGIONS
    }
    for row, first, second in DIFFERENCES:
        columns[row] = tuple(a - b
                             for a, b in zip(columns[first], columns[second]))
    table = {}
    for row, _ in ROWS:
        valid = ~np.isnan(columns[row][0])
        table[row] = {}
        for name, column in zip(COLUMNS, columns[row]):
            stats = clustered_summary(np.where(valid, column, np.nan), patches)
            stats['n_views'] = stats.pop('n_units')
            table[row][name] = stats
    return table


def analyze_sampling_purity(model: nn.Module,
                            dataset: Sequence[dict],
                            img_size: int = 224,
                            batch_size: int = 16,
                            seed: int = 0,
                            ignore_index: int = 255,
                            max_images: Optional[int] = None) -> dict:
    """Run the sampler over a labelled data set and score its boxes.

    Images are taken in near-equal batches of at most ``batch_size`` (the
    contrastive loss of a batch needs other images as negatives, so the
    boxes depend on the batch). The boxes of all rules come from the same
    loss activation maps, whatever ``model.box_rule`` is; the random boxes
    come from a generator seeded with ``seed``. The random boxes have the
    sizes of the GS boxes; the opposite boxes do not, so the mean area of
    each is reported.

    Args:
        model (nn.Module): A GraSS model (``sample``, ``ratio``,
            ``data_preprocessor``), e.g. from
            :func:`~grass_mm.apis.load_grass_model`.
        dataset (Sequence[dict]): Items with ``img`` (uint8 BGR, H x W x 3)
            and ``gt_seg_map`` (H x W class ids), e.g. from
            :func:`~grass_mm.datasets.build_labelled_dataset`.
        img_size (int): Side of the square views. Defaults to 224.
        batch_size (int): Most images per sampler batch. Defaults to 16.
        seed (int): Seed of the random boxes. Defaults to 0.
        ignore_index (int): Label of unlabelled pixels. Defaults to 255.
        max_images (int, optional): Use only the first this many images.
            Defaults to None, all.

    Returns:
        dict: The settings, ``interval`` (its unit and method),
        ``num_images`` (the patches), ``num_views``,
        ``kept_whole_fraction``, ``mean_box_area`` and
        ``mean_opposite_box_area`` (fractions of the view, over views) and
        ``table`` (see :func:`purity_table`).
    """
    num_images = len(dataset) if max_images is None else min(
        max_images, len(dataset))
    if num_images < 2:
        raise ValueError('the analysis needs at least two images: the '
                         'contrastive loss of one image has no negatives')
    generator = torch.Generator().manual_seed(seed)
    device = next(model.parameters()).device
    values: Dict[str, List[np.ndarray]] = {}
    kept_whole, patches = [], []
    for batch in split_batches(num_images, batch_size):
        items = [dataset[i] for i in batch]
        data = deterministic_batch([item['img'] for item in items], img_size)
        labels = deterministic_label_views(
            [item['gt_seg_map'] for item in items], img_size)
        with torch.no_grad():
            inputs = model.data_preprocessor(data, False)['inputs']
            result = model.sample([view.to(device) for view in inputs],
                                  box_rule='gradient')
        boxes = result.boxes.cpu()
        random_boxes = random_boxes_like(boxes, img_size, img_size, generator)
        opposite_boxes = rule_boxes(result.lam, model.ratio,
                                    'opposite')[0].cpu()
        for key, value in view_purities(labels, boxes, random_boxes,
                                        opposite_boxes, ignore_index).items():
            values.setdefault(key, []).append(value)
        kept_whole.append(result.kept_whole.cpu().numpy())
        # view-major: the first views of the batch's images, then the second
        patches.append(np.tile(np.asarray(batch), len(inputs)))
    values = {key: np.concatenate(parts) for key, parts in values.items()}
    return dict(
        views=VIEWS_NOTE,
        interval=dict(INTERVAL_NOTE),
        img_size=img_size,
        batch_size=batch_size,
        seed=seed,
        ignore_index=ignore_index,
        ratio=float(model.ratio),
        box_rule=model.box_rule,
        num_images=num_images,
        num_views=int(len(values['gs_box_purity'])),
        kept_whole_fraction=float(np.concatenate(kept_whole).mean()),
        mean_box_area=float(values['gs_box_area'].mean()),
        mean_opposite_box_area=float(values['opposite_box_area'].mean()),
        table=purity_table(values, np.concatenate(patches)))


def _interval(stats: dict, digits: int) -> str:
    if math.isnan(stats['mean']):
        return 'n/a'
    text = f'{stats["mean"]:.{digits}f}'
    if not math.isnan(stats['ci_low']):
        text += (f' [{stats["ci_low"]:.{digits}f}, '
                 f'{stats["ci_high"]:.{digits}f}]')
    return text


def format_purity_table(table: Dict[str, dict]) -> str:
    """The table of :func:`purity_table` as aligned text.

    Args:
        table (dict): From :func:`purity_table`.

    Returns:
        str: One line per row: mean and 95% confidence interval of the
        purity and of the number of classes, the mean box area (fraction of
        the view; a difference of areas on the paired rows) and the patches
        counted.
    """
    lines = [
        f'{"region":<13}  {"purity, mean [95% CI]":<28}  '
        f'{"classes, mean [95% CI]":<28}  {"area":>6}  patches'
    ]
    for row, name in ROWS:
        stats = table[row]
        area = stats['box_area']['mean']
        lines.append(f'{name:<13}  {_interval(stats["purity"], 3):<28}  '
                     f'{_interval(stats["num_classes"], 2):<28}  '
                     f'{area:>6.3f}  {stats["purity"]["n"]}')
    return '\n'.join(lines)

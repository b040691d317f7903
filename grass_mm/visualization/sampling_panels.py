# Copyright (c) grass_mm contributors. All rights reserved.
"""Panels that show what the gradient guided sampler of GraSS chose.

`GraSS <https://arxiv.org/abs/2306.15868>`_ crops each view to the box around
the peak of its loss activation map (LAM). A panel is one row per view with
five images: the view, the LAM over it (with a colour bar), the thresholded
foreground, the chosen box on the view, and the crop resized to the view's
size, the input GS training actually sees.
"""
from typing import List, Optional, Sequence, Union

import numpy as np
import torch
from matplotlib.patches import Rectangle
from torch import Tensor

from ..models import SamplingResult, foreground_mask
from ..models.utils import Normalization
from ..models.utils.sampling import peak_component
from .figures import figure_to_array, new_figure
from .images import denormalize_views

ArrayLike = Union[np.ndarray, Tensor]

BOX_COLOUR = 'red'
LAM_COLOUR_MAP = 'jet'
# titles of the box and foreground columns by box rule
BOX_TITLES = dict(gradient='box', random='random box', opposite='opposite box')
FOREGROUND_TITLES = dict(
    gradient='foreground', random='foreground', opposite='foreground of -LAM')


def _numpy(value: ArrayLike) -> np.ndarray:
    if isinstance(value, Tensor):
        return value.detach().cpu().numpy()
    return np.asarray(value)


def min_max_normalize(lam: Tensor) -> Tensor:
    """Rescale each map to [0, 1] by its own minimum and maximum.

    This is the scale :func:`~grass_mm.models.utils.foreground_mask`
    thresholds on, so the foreground of a map is where the rescaled map
    exceeds ``ratio``. Constant or non-finite maps become all zeros.

    Args:
        lam (Tensor): Maps of shape (N, H, W).

    Returns:
        Tensor: float32 maps of the same shape, in [0, 1].
    """
    lam = lam.detach().float()
    flat = lam.flatten(1)
    finite = torch.isfinite(flat).all(dim=1)
    lo = flat.amin(dim=1).view(-1, 1, 1)
    span = (flat.amax(dim=1).view(-1, 1, 1) - lo)
    valid = (finite & (span.flatten() > 0)).view(-1, 1, 1)
    scaled = (lam - lo) / torch.where(valid, span, torch.ones_like(span))
    return torch.where(valid, scaled, torch.zeros_like(lam))


def _draw_box(ax, box: np.ndarray) -> None:
    y0, x0, y1, x1 = (int(v) for v in box)
    # pixel (r, c) covers [c - 0.5, c + 0.5] x [r - 0.5, r + 0.5]
    # a white halo keeps the box visible on a red or dark ground
    for colour, width in (('white', 3.0), (BOX_COLOUR, 1.5)):
        ax.add_patch(
            Rectangle((x0 - 0.5, y0 - 0.5),
                      x1 - x0,
                      y1 - y0,
                      fill=False,
                      edgecolor=colour,
                      linewidth=width))


def render_sampling_panels(images: ArrayLike,
                           crops: ArrayLike,
                           lam: ArrayLike,
                           boxes: ArrayLike,
                           kept_whole: ArrayLike,
                           ratio: float = 0.5,
                           box_rule: str = 'gradient',
                           titles: Optional[Sequence[str]] = None,
                           panel_inches: float = 2.0,
                           dpi: int = 100) -> np.ndarray:
    """Draw a grid of sampling panels, one row per view.

    Columns: the view; the LAM rescaled to [0, 1] over the view, with a
    colour bar marked at ``ratio``; the foreground (LAM above ``ratio`` of
    its range: the 8-connected component of the peak in white, other
    components in grey) with the box; the view with the box; the crop.
    For the ``'opposite'`` control the foreground column is that of the
    negated map, from which its boxes are chosen; for ``'random'`` it is
    the map's own, beside the randomly placed box.

    Args:
        images (np.ndarray | Tensor): The views as uint8 RGB images,
            shape (N, H, W, 3), e.g. from
            :func:`~grass_mm.visualization.denormalize_views`.
        crops (np.ndarray | Tensor): The resized crops as uint8 RGB images,
            shape (N, H, W, 3).
        lam (np.ndarray | Tensor): Loss activation maps, shape (N, H, W).
        boxes (np.ndarray | Tensor): Boxes ``[y0, x0, y1, x1]``, end
            exclusive, shape (N, 4).
        kept_whole (np.ndarray | Tensor): Whether each view had no
            foreground and was kept whole, shape (N,).
        ratio (float): The sampler's foreground threshold. Defaults to 0.5.
        box_rule (str): The rule the boxes come from (``model.box_rule``,
            see :mod:`~grass_mm.models.utils.box_rules`). Defaults to
            ``'gradient'``.
        titles (Sequence[str], optional): A label per row. Defaults to None,
            ``view 0``, ``view 1``, ...
        panel_inches (float): Size of one image in inches. Defaults to 2.0.
        dpi (int): Dots per inch. Defaults to 100.

    Returns:
        np.ndarray: The grid as a uint8 RGB image, shape (H', W', 3).
    """
    images, crops = _numpy(images), _numpy(crops)
    boxes, kept_whole = _numpy(boxes), _numpy(kept_whole).astype(bool)
    lam = torch.as_tensor(_numpy(lam))
    num_views = len(images)
    if not (len(crops) == len(lam) == len(boxes) == len(kept_whole) ==
            num_views) or num_views == 0:
        raise ValueError('images, crops, lam, boxes and kept_whole must hold '
                         'the same, non-zero number of views')
    titles = list(titles) if titles is not None else [
        f'view {i}' for i in range(num_views)
    ]
    scaled = min_max_normalize(lam).numpy()
    box_map = -lam if box_rule == 'opposite' else lam
    foreground = foreground_mask(box_map, ratio)
    peaks = torch.zeros_like(foreground).flatten(1)
    peaks.scatter_(1, box_map.flatten(1).argmax(dim=1, keepdim=True), True)
    chosen = peak_component(foreground, peaks.view_as(foreground))
    # other foreground components grey, the peak's component white
    foreground = (0.5 * foreground.float() + 0.5 * chosen.float()).numpy()
    height, width = lam.shape[-2:]

    figure = new_figure(
        (5 * panel_inches + 0.8, num_views * panel_inches + 0.5), dpi)
    figure.set_layout_engine('constrained')
    axes = figure.subplots(num_views, 5, squeeze=False)
    for row in range(num_views):
        view_ax, lam_ax, fg_ax, box_ax, crop_ax = axes[row]
        view_ax.imshow(images[row], interpolation='nearest')
        view_ax.set_ylabel(titles[row])

        lam_ax.imshow(images[row], interpolation='nearest')
        mappable = lam_ax.imshow(
            scaled[row],
            cmap=LAM_COLOUR_MAP,
            alpha=0.5,
            vmin=0.0,
            vmax=1.0,
            interpolation='nearest')
        colour_bar = figure.colorbar(
            mappable, ax=lam_ax, fraction=0.046, pad=0.03)
        colour_bar.ax.axhline(ratio, color='black', linewidth=1.5)

        fg_ax.imshow(
            foreground[row],
            cmap='gray',
            vmin=0,
            vmax=1,
            interpolation='nearest')
        _draw_box(fg_ax, boxes[row])

        box_ax.imshow(images[row], interpolation='nearest')
        _draw_box(box_ax, boxes[row])
        y0, x0, y1, x1 = (int(v) for v in boxes[row])
        area = (y1 - y0) * (x1 - x0) / (height * width)
        box_ax.set_title(
            'kept whole' if kept_whole[row] else
            f'{BOX_TITLES[box_rule]}, {area:.0%} of view',
            fontsize=9)

        crop_ax.imshow(crops[row], interpolation='nearest')
        if row == 0:
            view_ax.set_title('view', fontsize=9)
            lam_ax.set_title('loss activation map', fontsize=9)
            crop_ax.set_title('crop, resized', fontsize=9)
        fg_ax.set_title(
            f'{FOREGROUND_TITLES[box_rule]} > {ratio:g}' if row == 0 else '',
            fontsize=9)
        for ax in axes[row]:
            ax.set_xticks([])
            ax.set_yticks([])
    return figure_to_array(figure)


def sampling_rows(num_images: int,
                  num_views: int,
                  image_indices: Optional[Sequence[int]] = None,
                  max_views: Optional[int] = None) -> List[int]:
    """Rows of a view-major batch to draw, image by image.

    The views of a :class:`SamplingResult` are view-major: row ``v * N + i``
    is view ``v`` of image ``i``. Panels are easier to read with the views
    of one image next to each other, so rows are listed image-major.

    Args:
        num_images (int): Images in the batch, N.
        num_views (int): Views per image, V.
        image_indices (Sequence[int], optional): Images to draw. Defaults to
            None, all of them.
        max_views (int, optional): At most this many rows. Defaults to None,
            no limit.

    Returns:
        list[int]: Row indices into the view-major batch.
    """
    if image_indices is None:
        image_indices = range(num_images)
    rows = [
        v * num_images + i for i in image_indices for v in range(num_views)
    ]
    return rows if max_views is None else rows[:max_views]


def render_sampling_result(inputs: Sequence[Tensor],
                           result: SamplingResult,
                           normalization: Normalization,
                           ratio: float = 0.5,
                           image_indices: Optional[Sequence[int]] = None,
                           max_views: Optional[int] = None,
                           dpi: int = 100) -> np.ndarray:
    """Draw the panels of what :meth:`GraSS.sample` returned for a batch.

    Args:
        inputs (Sequence[Tensor]): The normalised views given to
            ``sample``, V tensors of shape (N, C, H, W).
        result (SamplingResult): What ``sample`` returned.
        normalization (Normalization): How the views were normalised, e.g.
            :func:`~grass_mm.visualization.preprocessor_normalization` of
            the model's data preprocessor.
        ratio (float): The sampler's foreground threshold (``model.ratio``).
            Defaults to 0.5.
        image_indices (Sequence[int], optional): Images to draw. Defaults to
            None, all.
        max_views (int, optional): At most this many views (rows). Defaults
            to None, no limit.
        dpi (int): Dots per inch. Defaults to 100.

    Returns:
        np.ndarray: The grid as a uint8 RGB image.
    """
    num_views, num_images = len(inputs), inputs[0].shape[0]
    rows = sampling_rows(num_images, num_views, image_indices, max_views)
    index = torch.tensor(rows, dtype=torch.long)
    views = torch.cat([view.detach() for view in inputs])
    titles = [
        f'image {row % num_images}, view {row // num_images + 1}'
        for row in rows
    ]
    return render_sampling_panels(
        denormalize_views(views.cpu()[index], normalization),
        denormalize_views(result.crops.cpu()[index], normalization),
        result.lam.detach().cpu()[index],
        result.boxes.cpu()[index],
        result.kept_whole.cpu()[index],
        ratio=ratio,
        box_rule=result.box_rule,
        titles=titles,
        dpi=dpi)

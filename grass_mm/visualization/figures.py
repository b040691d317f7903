# Copyright (c) grass_mm contributors. All rights reserved.
"""Off-screen matplotlib figures rendered to numpy images.

The figures of :mod:`grass_mm.visualization` (sampling panels of GraSS,
https://arxiv.org/abs/2306.15868, and curves of a run) are drawn on a
:class:`matplotlib.figure.Figure` with the Agg canvas attached directly, so
nothing touches ``pyplot``'s global state or needs a display.
"""
from typing import Tuple

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure


def new_figure(size_inches: Tuple[float, float], dpi: int = 100) -> Figure:
    """A figure with its own Agg canvas, outside ``pyplot``.

    Args:
        size_inches (tuple[float, float]): Width and height in inches.
        dpi (int): Dots per inch of the rendered image. Defaults to 100.

    Returns:
        Figure: The figure, ready for ``add_subplot``.
    """
    figure = Figure(figsize=size_inches, dpi=dpi)
    FigureCanvasAgg(figure)
    return figure


def figure_to_array(figure: Figure) -> np.ndarray:
    """Render a figure made by :func:`new_figure` to an RGB image.

    Args:
        figure (Figure): The figure.

    Returns:
        np.ndarray: uint8 array of shape (H, W, 3), RGB.
    """
    canvas = figure.canvas
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()

# Copyright (c) grass_mm contributors. All rights reserved.
"""Check the numeric options of a converter before anything is written.

A zero or negative clip size, stride or worker count would otherwise fail
deep inside a conversion of `GraSS <https://arxiv.org/abs/2306.15868>`_
data (or, for a stride, loop forever in a naive tiler); here it is a
:class:`ConversionError` naming the option.
"""
from typing import Optional

from ..raster_io import check_bit_depth
from .archive import ConversionError


def check_options(bit_depth: Optional[int] = None,
                  **positive: Optional[int]) -> None:
    """Refuse non-positive sizes, strides and worker counts up front.

    Args:
        bit_depth (int, optional): Declared bits of 16-bit data, 1 to 16.
            Defaults to None (not checked).
        **positive (int, optional): Options that must be integers >= 1, by
            name, e.g. ``clip_size=512, stride=256, nproc=8``; None values
            are not checked.

    Raises:
        ConversionError: Naming the option and its value.

    Example:
        >>> check_options(12, clip_size=512, stride=None, nproc=8)  # fine
    """
    for name, value in positive.items():
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ConversionError(f'{name} must be a positive integer, got '
                                  f'{value!r}')
    if bit_depth is not None:
        try:
            check_bit_depth(bit_depth)
        except ValueError as error:
            raise ConversionError(str(error)) from None

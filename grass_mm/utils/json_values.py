# Copyright (c) grass_mm contributors. All rights reserved.
"""Values made ready for JSON, which has no NaN.

The reports of grass_mm's tools (the purity analysis of `GraSS
<https://arxiv.org/abs/2306.15868>`_'s boxes, seeded comparisons) hold NaN
where a statistic is undefined (no labelled pixel, a single seed).
"""
import math
from typing import Any


def nan_to_none(value: Any) -> Any:
    """Replace every float NaN in nested dicts, lists and tuples by None.

    Args:
        value (Any): The value to write.

    Returns:
        Any: The same structure (tuples become lists) with NaN as None.
    """
    if isinstance(value, dict):
        return {key: nan_to_none(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [nan_to_none(item) for item in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value

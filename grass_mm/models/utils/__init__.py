# Copyright (c) grass_mm contributors. All rights reserved.
from .sampling import (crop_and_resize, foreground_mask, loss_activation_map,
                       select_boxes)

__all__ = [
    'crop_and_resize', 'foreground_mask', 'loss_activation_map', 'select_boxes'
]

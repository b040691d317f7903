# Copyright (c) grass_mm contributors. All rights reserved.
from .box_rules import BOX_RULES, random_boxes_like, rule_boxes
from .sampling import (crop_and_resize, foreground_mask, loss_activation_map,
                       select_boxes)

__all__ = [
    'BOX_RULES', 'crop_and_resize', 'foreground_mask', 'loss_activation_map',
    'random_boxes_like', 'rule_boxes', 'select_boxes'
]

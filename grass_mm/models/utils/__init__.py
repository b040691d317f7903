# Copyright (c) grass_mm contributors. All rights reserved.
from .box_rules import BOX_RULES, random_boxes_like, rule_boxes
from .normalization import Normalization, preprocessor_normalization
from .sampling import (crop_and_resize, foreground_mask, loss_activation_map,
                       select_boxes)

__all__ = [
    'BOX_RULES', 'Normalization', 'crop_and_resize', 'foreground_mask',
    'loss_activation_map', 'preprocessor_normalization', 'random_boxes_like',
    'rule_boxes', 'select_boxes'
]

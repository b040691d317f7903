# Copyright (c) grass_mm contributors. All rights reserved.
"""The linear segmentation probe of pretrained backbones."""
from .probe_data import build_probe_sets, finetune_probe_datasets
from .ridge_probe import (RidgeStatistics, confusion_matrix,
                          intersection_over_union, ridge_classifier)
from .segmentation_probe import (grid_features, normalise_images,
                                 probe_backbone, probe_feature_extractor)

__all__ = [
    'RidgeStatistics', 'build_probe_sets', 'confusion_matrix',
    'finetune_probe_datasets', 'grid_features', 'intersection_over_union',
    'normalise_images', 'probe_backbone', 'probe_feature_extractor',
    'ridge_classifier'
]

# Copyright (c) grass_mm contributors. All rights reserved.
"""Measures of pretrained backbones: the linear segmentation probe and the
health of the embeddings."""
from .embedding_health import (alignment, effective_rank, embed_std,
                               embedding_health, uniformity)
from .probe_data import (build_probe_set, build_probe_sets,
                         finetune_probe_datasets, probe_batches, probe_loader)
from .ridge_probe import (RidgeStatistics, confusion_matrix,
                          intersection_over_union, ridge_classifier)
from .segmentation_probe import (fit_probe, grid_features, normalise_images,
                                 predict_labels, probe_backbone,
                                 probe_feature_extractor, probe_stages)

__all__ = [
    'RidgeStatistics', 'alignment', 'build_probe_set', 'build_probe_sets',
    'confusion_matrix', 'effective_rank', 'embed_std', 'embedding_health',
    'finetune_probe_datasets', 'fit_probe', 'grid_features',
    'intersection_over_union', 'normalise_images', 'predict_labels',
    'probe_backbone', 'probe_batches', 'probe_feature_extractor',
    'probe_loader', 'probe_stages', 'ridge_classifier', 'uniformity'
]

# Copyright (c) grass_mm contributors. All rights reserved.
from .embedding_health_hook import EmbeddingHealthHook
from .gradient_guided_sampler_hook import GradientGuidedSamplerHook
from .grass_visualization_hook import GraSSVisualizationHook
from .segmentation_probe_hook import SegmentationProbeHook

__all__ = [
    'EmbeddingHealthHook', 'GradientGuidedSamplerHook',
    'GraSSVisualizationHook', 'SegmentationProbeHook'
]

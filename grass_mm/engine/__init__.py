# Copyright (c) grass_mm contributors. All rights reserved.
from .embedding_readers import get_embedding_reader, register_embedding_reader
from .hooks import (EmbeddingHealthHook, GradientGuidedSamplerHook,
                    GraSSVisualizationHook, SegmentationProbeHook)
from .runners import SegmentationProbeLoop

__all__ = [
    'EmbeddingHealthHook', 'GradientGuidedSamplerHook',
    'GraSSVisualizationHook', 'SegmentationProbeHook', 'SegmentationProbeLoop',
    'get_embedding_reader', 'register_embedding_reader'
]

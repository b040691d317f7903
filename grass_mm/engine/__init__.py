# Copyright (c) grass_mm contributors. All rights reserved.
from .hooks import GradientGuidedSamplerHook, GraSSVisualizationHook

__all__ = ['GradientGuidedSamplerHook', 'GraSSVisualizationHook']

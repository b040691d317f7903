# Copyright (c) grass_mm contributors. All rights reserved.
from .hooks import GradientGuidedSamplerHook
from .hooks import GraSSVisualizationHook

__all__ = ['GradientGuidedSamplerHook', 'GraSSVisualizationHook']

# Copyright (c) grass_mm contributors. All rights reserved.
from .hooks import GradientGuidedSamplerHook

__all__ = ['GradientGuidedSamplerHook']

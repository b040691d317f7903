# Copyright (c) grass_mm contributors. All rights reserved.
from .gradient_guided_sampler_hook import GradientGuidedSamplerHook

__all__ = ['GradientGuidedSamplerHook']

# Copyright (c) grass_mm contributors. All rights reserved.
from .grass import GraSS, SamplingResult
from .guide_losses import get_guide_loss, register_guide_loss
from .nt_xent_simclr import NTXentSimCLR

__all__ = [
    'GraSS', 'NTXentSimCLR', 'SamplingResult', 'get_guide_loss',
    'register_guide_loss'
]

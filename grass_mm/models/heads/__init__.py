# Copyright (c) grass_mm contributors. All rights reserved.
from .nt_xent_head import NTXentHead

__all__ = ['NTXentHead']

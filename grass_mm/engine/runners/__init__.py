# Copyright (c) grass_mm contributors. All rights reserved.
from .segmentation_probe_loop import SegmentationProbeLoop

__all__ = ['SegmentationProbeLoop']

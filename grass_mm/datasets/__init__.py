# Copyright (c) grass_mm contributors. All rights reserved.
"""Datasets of GraSS: unlabelled patches for pretraining (mmpretrain) and
the LoveDA domains and the demo's Dubai aerial imagery for fine-tuning
(mmseg); Potsdam and Vaihingen fine-tune
with mmseg's own ``PotsdamDataset`` and ``ISPRSDataset``."""
from .dubai_aerial import DubaiAerialDataset
from .labelled_dataset import build_labelled_dataset, labelled_dataset_cfg
from .loveda import LoveDARuralDataset, LoveDAUrbanDataset
from .raster_io import (ImageReadError, RasterInfo, read_raster,
                        read_raster_info, to_uint8)
from .rsi_patch_dataset import RSIPatchDataset
from .tiling import tile_windows, window_starts

__all__ = [
    'DubaiAerialDataset', 'ImageReadError', 'LoveDARuralDataset',
    'LoveDAUrbanDataset', 'build_labelled_dataset', 'labelled_dataset_cfg',
    'RSIPatchDataset', 'RasterInfo', 'read_raster', 'read_raster_info',
    'tile_windows', 'to_uint8', 'window_starts'
]

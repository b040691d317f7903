# Copyright (c) grass_mm contributors. All rights reserved.
"""Converters from the official archives to the layouts GraSS trains on.

Called by ``tools/dataset_converters/{potsdam,vaihingen,loveda}.py``.
"""
from .archive import ConversionError
from .colour_labels import colour_to_ids
from .dubai_aerial import convert_dubai_aerial
from .label_fractions import (DEFAULT_PERCENTS, fraction_subset, rank_names,
                              split_file_name, write_fraction_splits)
from .loveda import LOVEDA_COUNTS, convert_loveda
from .ortho_spec import OrthoDatasetSpec
from .orthophotos import convert_orthophotos
from .potsdam import POTSDAM_ORTHOS, POTSDAM_SPLITS, convert_potsdam
from .staged_output import StagedOutput
from .vaihingen import VAIHINGEN_SPLITS, convert_vaihingen

__all__ = [
    'ConversionError', 'DEFAULT_PERCENTS', 'LOVEDA_COUNTS', 'OrthoDatasetSpec',
    'POTSDAM_ORTHOS', 'POTSDAM_SPLITS', 'StagedOutput', 'VAIHINGEN_SPLITS',
    'colour_to_ids', 'convert_dubai_aerial', 'convert_loveda',
    'convert_orthophotos', 'convert_potsdam', 'convert_vaihingen',
    'fraction_subset', 'rank_names', 'split_file_name', 'write_fraction_splits'
]

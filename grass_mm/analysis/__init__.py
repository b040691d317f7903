# Copyright (c) grass_mm contributors. All rights reserved.
"""Analysis of studies and benchmarks: statistics over seeded runs, the
pieces of the SimCLR/GraSS comparison, the step timer and the timer of
the views' colour augmentations."""
from .comparison import last_checkpoint, parse_methods, parse_miou, parse_seeds
from .photometric_timer import (config_photometric_augments,
                                photometric_transforms, time_photometric_paths)
from .seed_statistics import (adjustment_note, compare_family,
                              paired_differences, seeded_markdown_table,
                              student_interval, summarise_runs)
from .significance import holm_adjust, paired_t_test, sign_test
from .step_timer import (random_views, reference_style_gs_step,
                         time_guide_pass, time_id_and_gs_steps,
                         time_reference_style_steps, time_sampler)

__all__ = [
    'adjustment_note', 'compare_family', 'config_photometric_augments',
    'holm_adjust', 'last_checkpoint', 'paired_differences', 'paired_t_test',
    'parse_methods', 'parse_miou', 'parse_seeds', 'photometric_transforms',
    'random_views', 'reference_style_gs_step', 'seeded_markdown_table',
    'sign_test', 'student_interval', 'summarise_runs', 'time_guide_pass',
    'time_id_and_gs_steps', 'time_photometric_paths',
    'time_reference_style_steps', 'time_sampler'
]

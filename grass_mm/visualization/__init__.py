# Copyright (c) grass_mm contributors. All rights reserved.
from ..datasets.labelled_dataset import (build_labelled_dataset,
                                         labelled_dataset_cfg)
from ..models.utils import (Normalization, preprocessor_normalization,
                            random_boxes_like)
from ..utils import moved_names
from .figures import figure_to_array, new_figure
from .images import denormalize_views
from .purity import (Summary, box_purity, boxes_purity, cluster_means,
                     clustered_summary, summarise)
from .sampling_analysis import (analyze_sampling_purity, box_areas,
                                format_purity_table, purity_table,
                                view_purities)
from .sampling_curves import (curve, find_scalar_logs, gs_start,
                              load_probe_scalars, load_training_scalars,
                              render_sampling_curves)
from .sampling_panels import (min_max_normalize, render_sampling_panels,
                              render_sampling_result, sampling_rows)
from .view_batches import (deterministic_batch, deterministic_label_views,
                           pipeline_batch, resize_and_mirror, split_batches)

__all__ = [
    'Normalization', 'Summary', 'analyze_sampling_purity', 'box_areas',
    'box_purity', 'boxes_purity', 'cluster_means', 'clustered_summary',
    'build_labelled_dataset', 'curve', 'denormalize_views',
    'deterministic_batch', 'deterministic_label_views', 'figure_to_array',
    'find_scalar_logs', 'format_purity_table', 'gs_start',
    'labelled_dataset_cfg', 'load_probe_scalars', 'load_training_scalars',
    'min_max_normalize', 'new_figure', 'pipeline_batch',
    'preprocessor_normalization', 'purity_table', 'random_boxes_like',
    'render_sampling_curves', 'render_sampling_panels',
    'render_sampling_result', 'resize_and_mirror', 'sampling_rows',
    'split_batches', 'summarise', 'view_purities'
]

# Model loading moved to grass_mm.apis in 0.2.
__getattr__ = moved_names(__name__, {'load_grass_model': 'grass_mm.apis'})

# Copyright (c) grass_mm contributors. All rights reserved.
"""Small helpers at the ground floor: they import nothing else of grass_mm
but :mod:`grass_mm.version`."""
from .deprecation import moved_names
from .json_values import nan_to_none
from .version_check import (OpenMMLabVersionError, check_versions,
                            find_stack_problems, find_version_problems,
                            installed_providers)

__all__ = [
    'OpenMMLabVersionError', 'check_versions', 'find_stack_problems',
    'find_version_problems', 'installed_providers', 'moved_names',
    'nan_to_none'
]

_CHECKPOINT = ('SAFE_CHECKPOINT_LOADERS', 'UnsafeCheckpointError',
               'check_allow_list', 'checkpoint_safe_globals',
               'explain_unsafe_checkpoint', 'load_weights_only',
               'register_checkpoint_safe_globals',
               'register_safe_checkpoint_loaders')
_APIS = ('add_dump_results', 'build_runner', 'enable_amp',
         'enable_auto_scale_lr', 'enable_visualization',
         'init_cpu_process_group', 'load_pretraining_model',
         'prepare_cpu_distributed', 'set_resume', 'set_work_dir',
         'setup_launcher', 'strip_collate_fn_scope')
# Names grass_mm.utils exported before 0.2.
__getattr__ = moved_names(
    __name__, {
        **{
            name: 'grass_mm.checkpoint'
            for name in _CHECKPOINT
        },
        **{
            name: 'grass_mm.apis'
            for name in _APIS
        },
        'CPUDistributedDataParallel': 'grass_mm.models',
    })

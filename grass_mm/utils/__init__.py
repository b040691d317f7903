# Copyright (c) grass_mm contributors. All rights reserved.
from .checkpoint import (UnsafeCheckpointError, check_allow_list,
                         checkpoint_safe_globals, explain_unsafe_checkpoint,
                         load_weights_only, register_checkpoint_safe_globals)
from .checkpoint_loaders import (SAFE_CHECKPOINT_LOADERS,
                                 register_safe_checkpoint_loaders)
from .config import (add_dump_results, enable_amp, enable_auto_scale_lr,
                     enable_visualization, prepare_cpu_distributed, set_resume,
                     set_work_dir, strip_collate_fn_scope)
from .launcher import build_runner, init_cpu_process_group, setup_launcher
from .model_wrapper import CPUDistributedDataParallel
from .pretraining_model import load_pretraining_model
from .version_check import (OpenMMLabVersionError, check_versions,
                            find_stack_problems, find_version_problems,
                            installed_providers)

__all__ = [
    'CPUDistributedDataParallel', 'OpenMMLabVersionError',
    'SAFE_CHECKPOINT_LOADERS', 'UnsafeCheckpointError', 'add_dump_results',
    'build_runner', 'check_allow_list',
    'check_versions', 'checkpoint_safe_globals', 'enable_amp',
    'enable_auto_scale_lr', 'enable_visualization',
    'explain_unsafe_checkpoint', 'find_stack_problems',
    'find_version_problems',
    'init_cpu_process_group', 'installed_providers', 'load_pretraining_model',
    'load_weights_only',
    'prepare_cpu_distributed', 'register_checkpoint_safe_globals',
    'register_safe_checkpoint_loaders', 'set_resume', 'set_work_dir',
    'setup_launcher', 'strip_collate_fn_scope'
]

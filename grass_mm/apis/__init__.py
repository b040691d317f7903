# Copyright (c) grass_mm contributors. All rights reserved.
"""What tools call: prepare a config, build and launch a Runner, and load a
pretraining model outside one."""
from .inference import load_grass_model, load_pretraining_model
from .launcher import build_runner, init_cpu_process_group, setup_launcher
from .run_config import (add_dump_results, enable_amp, enable_auto_scale_lr,
                         enable_visualization, prepare_cpu_distributed,
                         set_resume, set_work_dir, strip_collate_fn_scope)

__all__ = [
    'add_dump_results', 'build_runner', 'enable_amp', 'enable_auto_scale_lr',
    'enable_visualization', 'init_cpu_process_group', 'load_grass_model',
    'load_pretraining_model', 'prepare_cpu_distributed', 'set_resume',
    'set_work_dir', 'setup_launcher', 'strip_collate_fn_scope'
]

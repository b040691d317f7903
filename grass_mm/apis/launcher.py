# Copyright (c) grass_mm contributors. All rights reserved.
"""Start runs: the distributed launcher, also on machines without a GPU.

mmengine's ``pytorch`` launcher calls ``torch.cuda.set_device(LOCAL_RANK)``
before it starts the process group, which fails on a machine without CUDA.
The Runner only starts the group when none is running
(``Runner.setup_env``), so on such a machine :func:`setup_launcher` starts a
``gloo`` group itself, from the variables ``torchrun`` sets, before the
Runner is built.
"""
import datetime
import os
from typing import Optional

import torch.distributed as torch_dist
from mmengine.config import Config
from mmengine.device import get_device
from mmengine.logging import print_log
from mmengine.registry import RUNNERS
from mmengine.runner import Runner

from .run_config import prepare_cpu_distributed

LAUNCHERS = ('none', 'pytorch', 'slurm', 'mpi')
TORCHRUN_VARIABLES = ('RANK', 'LOCAL_RANK', 'WORLD_SIZE', 'MASTER_ADDR',
                      'MASTER_PORT')


def init_cpu_process_group(backend: str = 'gloo',
                           timeout: Optional[float] = None) -> None:
    """Start the default process group from ``torchrun``'s variables.

    Does nothing when a group is already running.

    Args:
        backend (str): Backend of the group. Defaults to ``'gloo'``.
        timeout (float, optional): Timeout of collective operations in
            seconds; torch's default when None. Defaults to None.

    Raises:
        RuntimeError: When a variable ``torchrun`` sets is missing, i.e. the
            script was not started by ``torchrun`` (``tools/dist_train.sh``).
    """
    if torch_dist.is_initialized():
        return
    missing = [name for name in TORCHRUN_VARIABLES if name not in os.environ]
    if missing:
        raise RuntimeError(
            f'--launcher pytorch needs the variables {", ".join(missing)}, '
            'which torchrun sets: start the run with tools/dist_train.sh or '
            '`python -m torch.distributed.run`.')
    kwargs = {}
    if timeout is not None:
        kwargs['timeout'] = datetime.timedelta(seconds=timeout)
    torch_dist.init_process_group(
        backend=backend,
        init_method='env://',
        rank=int(os.environ['RANK']),
        world_size=int(os.environ['WORLD_SIZE']),
        **kwargs)


def setup_launcher(cfg: Config,
                   launcher: str,
                   device: Optional[str] = None) -> None:
    """Set the launcher of a run and, without a GPU, start its process group.

    Args:
        cfg (Config): The config, changed in place.
        launcher (str): One of ``'none'``, ``'pytorch'``, ``'slurm'`` and
            ``'mpi'``.
        device (str, optional): The device the run uses. Defaults to
            ``mmengine.device.get_device()``.

    Raises:
        ValueError: For an unknown launcher.
        RuntimeError: For ``slurm`` or ``mpi`` without a GPU; mmengine
            binds each of their processes to one.
    """
    if launcher not in LAUNCHERS:
        raise ValueError(f'launcher must be one of {LAUNCHERS}, '
                         f'got {launcher!r}')
    cfg.launcher = launcher
    device = get_device() if device is None else device
    if launcher == 'none' or device != 'cpu':
        return
    if launcher != 'pytorch':
        raise RuntimeError(
            f'--launcher {launcher} needs a GPU per process; on a machine '
            'without GPUs use --launcher pytorch (tools/dist_train.sh).')
    prepare_cpu_distributed(cfg)
    dist_cfg = cfg.env_cfg.dist_cfg
    init_cpu_process_group(dist_cfg.backend, dist_cfg.get('timeout'))
    print_log(
        f'No GPU: started a {dist_cfg.backend} process group, rank '
        f'{torch_dist.get_rank()} of {torch_dist.get_world_size()}.',
        logger='current')


def build_runner(cfg: Config) -> Runner:
    """Build the Runner a config asks for.

    Args:
        cfg (Config): A full config; ``runner_type``, when set, names a
            runner registered in mmengine's ``RUNNERS``.

    Returns:
        Runner: The runner.
    """
    if 'runner_type' in cfg:
        return RUNNERS.build(cfg)
    return Runner.from_cfg(cfg)

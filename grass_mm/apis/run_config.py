# Copyright (c) grass_mm contributors. All rights reserved.
"""Prepare a loaded :class:`mmengine.Config` for a training or test run.

Each function takes the config (and plain values, never parsed command-line
arguments), changes it in place and builds nothing, so each can be unit
tested on a hand-written config.
"""
import os.path as osp
from typing import Optional

from mmengine.config import Config, ConfigDict
from mmengine.device import get_device
from mmengine.logging import print_log

DATALOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def strip_collate_fn_scope(cfg: Config) -> None:
    """Remove ``_scope_`` from the ``collate_fn`` of every dataloader.

    Inheriting a base config from another package (``mmpretrain::...``)
    stamps ``_scope_`` into each of its dicts, ``collate_fn`` included. The
    Runner does not build ``collate_fn`` through a registry: it looks the
    function up in mmengine's ``FUNCTIONS`` and passes every other key to it,
    so ``default_collate`` fails on the unexpected ``_scope_`` argument.
    mmpretrain and mmseg register no collate functions of their own, so the
    key carries no information and is dropped.

    Args:
        cfg (Config): The config, changed in place.
    """
    for name in DATALOADERS:
        dataloader = cfg.get(name)
        if not isinstance(dataloader, dict):
            continue
        collate_fn = dataloader.get('collate_fn')
        if isinstance(collate_fn, dict):
            collate_fn.pop('_scope_', None)


def set_work_dir(cfg: Config,
                 config_path: str,
                 work_dir: Optional[str] = None) -> None:
    """Choose the work directory: given > config's > ``work_dirs/<stem>``.

    Args:
        cfg (Config): The config, changed in place.
        config_path (str): Path of the config file; its name without suffix
            names the default work directory.
        work_dir (str, optional): A directory given on the command line.
            Defaults to None.
    """
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        stem = osp.splitext(osp.basename(config_path))[0]
        cfg.work_dir = osp.join('./work_dirs', stem)


def set_resume(cfg: Config, resume: Optional[str]) -> None:
    """Resume from a checkpoint or from the work directory's latest one.

    Args:
        cfg (Config): The config, changed in place.
        resume (str, optional): ``None`` to keep the config's setting,
            ``'auto'`` to resume from the checkpoint named by
            ``last_checkpoint`` in the work directory, or a checkpoint path.
    """
    if resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif resume is not None:
        cfg.resume = True
        cfg.load_from = resume


def enable_amp(cfg: Config, device: Optional[str] = None) -> None:
    """Train with automatic mixed precision and a dynamic loss scale.

    Args:
        cfg (Config): The config, changed in place.
        device (str, optional): The device the run uses, e.g. ``'cuda'``.
            Defaults to ``mmengine.device.get_device()``.

    Raises:
        RuntimeError: On a CPU, where mmengine's ``AmpOptimWrapper`` refuses
            to run.
    """
    device = get_device() if device is None else device
    if device == 'cpu':
        raise RuntimeError(
            '--amp needs a CUDA (or NPU/MLU/MUSA) device: mmengine\'s '
            'AmpOptimWrapper does not support training on the CPU. Drop '
            '--amp to train in full precision.')
    optim_wrapper = cfg.optim_wrapper
    if optim_wrapper.get('type', 'OptimWrapper') == 'AmpOptimWrapper':
        print_log('AMP is already enabled in the config.', logger='current')
        return
    optim_wrapper.type = 'AmpOptimWrapper'
    optim_wrapper.loss_scale = 'dynamic'


def enable_auto_scale_lr(cfg: Config) -> None:
    """Scale the learning rate with the total batch size.

    Args:
        cfg (Config): The config, changed in place; it must define
            ``auto_scale_lr.base_batch_size``, the batch size its learning
            rate was set for.

    Raises:
        ValueError: When the config has no ``base_batch_size``.
    """
    auto_scale_lr = cfg.get('auto_scale_lr')
    if not isinstance(auto_scale_lr,
                      dict) or 'base_batch_size' not in auto_scale_lr:
        raise ValueError(
            '--auto-scale-lr needs `auto_scale_lr = dict(base_batch_size=N)` '
            'in the config, N being the total batch size its learning rate '
            'was set for.')
    auto_scale_lr.enable = True


def prepare_cpu_distributed(cfg: Config) -> None:
    """Make a ``--launcher pytorch`` config run on CPUs with ``gloo``.

    mmengine assumes one GPU per process in distributed runs. On a machine
    without one, the process group uses ``gloo`` (``env_cfg.dist_cfg``) and
    the model is wrapped by :class:`grass_mm.models.CPUDistributedDataParallel`
    instead of ``MMDistributedDataParallel``: it drops the ``device_ids``
    that DDP refuses for a CPU module and reverts synchronised batch norm,
    which has no CPU kernel, to plain batch norm on the built model (so
    layers that take SyncBN from a default in code are covered too). A
    ``model_wrapper_cfg`` of another type set by the user is kept.

    The process group itself is started by
    :func:`grass_mm.apis.init_cpu_process_group`.

    Args:
        cfg (Config): The config, changed in place.
    """
    env_cfg = cfg.setdefault('env_cfg', ConfigDict())
    dist_cfg = env_cfg.setdefault('dist_cfg', ConfigDict())
    dist_cfg.backend = 'gloo'

    wrapper_cfg = cfg.get('model_wrapper_cfg')
    if wrapper_cfg is None:
        cfg.model_wrapper_cfg = dict(
            type='CPUDistributedDataParallel',
            broadcast_buffers=False,
            find_unused_parameters=cfg.get('find_unused_parameters', False))
    elif wrapper_cfg.get('type', 'MMDistributedDataParallel') in (
            'MMDistributedDataParallel', 'mmengine.MMDistributedDataParallel'):
        wrapper_cfg.type = 'CPUDistributedDataParallel'
    else:
        print_log(
            f'No GPU: keeping model_wrapper_cfg of type {wrapper_cfg.type}; '
            'it must support CPU modules.',
            logger='current')


def add_dump_results(cfg: Config, out_file: str) -> None:
    """Also dump the test predictions to a pickle file.

    Appends mmengine's ``DumpResults`` metric to ``test_evaluator``.

    Args:
        cfg (Config): The config, changed in place.
        out_file (str): A ``.pkl`` or ``.pickle`` file.

    Raises:
        ValueError: When ``out_file`` has another suffix.
    """
    if not out_file.endswith(('.pkl', '.pickle')):
        raise ValueError(f'--out must be a .pkl or .pickle file, got '
                         f'{out_file}')
    dump = dict(type='mmengine.DumpResults', out_file_path=out_file)
    evaluator = cfg.test_evaluator
    if isinstance(evaluator, dict) and 'metrics' in evaluator:
        metrics = evaluator.metrics
        evaluator.metrics = (list(metrics) if isinstance(
            metrics, (list, tuple)) else [metrics]) + [dump]
    elif isinstance(evaluator, (list, tuple)):
        cfg.test_evaluator = list(evaluator) + [dump]
    else:
        cfg.test_evaluator = [evaluator, dump]


def enable_visualization(cfg: Config, show_dir: str) -> None:
    """Draw every test prediction into ``show_dir``.

    Understands mmseg's ``SegVisualizationHook`` (which draws through the
    visualizer, so its ``save_dir`` is set) and mmpretrain's
    ``VisualizationHook`` (which has an ``out_dir``).

    Args:
        cfg (Config): The config, changed in place.
        show_dir (str): Directory for the drawn images.

    Raises:
        ValueError: When ``default_hooks.visualization`` is missing or of
            another type.
    """
    hook = cfg.get('default_hooks', {}).get('visualization')
    hook_type = str(hook.get('type', '')).split('.')[-1] if hook else ''
    if hook_type == 'SegVisualizationHook':
        hook.update(draw=True, interval=1)
        cfg.visualizer.save_dir = show_dir
    elif hook_type == 'VisualizationHook':
        hook.update(enable=True, interval=1, out_dir=show_dir)
    else:
        raise ValueError(
            '--show-dir needs `default_hooks.visualization` to be mmseg\'s '
            'SegVisualizationHook or mmpretrain\'s VisualizationHook, got '
            f'{hook_type or "none"}')

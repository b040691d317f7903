# Copyright (c) grass_mm contributors. All rights reserved.
"""``--launcher pytorch`` on a machine without GPUs, in one process."""

import pytest
import torch
import torch.distributed as torch_dist
from mmengine.config import Config
from mmengine.registry import MODEL_WRAPPERS
from torch import nn

from grass_mm.apis import init_cpu_process_group, setup_launcher
from grass_mm.models import CPUDistributedDataParallel


@pytest.fixture
def torchrun_env(monkeypatch, free_port):
    """The variables torchrun sets, for a world of one process."""
    for name, value in dict(
            RANK='0',
            LOCAL_RANK='0',
            WORLD_SIZE='1',
            MASTER_ADDR='127.0.0.1',
            MASTER_PORT=str(free_port())).items():
        monkeypatch.setenv(name, value)
    yield
    if torch_dist.is_initialized():
        torch_dist.destroy_process_group()


def test_setup_launcher_starts_gloo_and_wraps_sync_bn_model(torchrun_env):
    cfg = Config(dict(env_cfg=dict(dist_cfg=dict(backend='nccl'))))
    setup_launcher(cfg, 'pytorch', device='cpu')
    assert cfg.launcher == 'pytorch'
    assert torch_dist.is_initialized()
    assert torch_dist.get_backend() == 'gloo'
    assert torch_dist.get_world_size() == 1

    model = nn.Sequential(
        nn.Conv2d(3, 4, 3), nn.SyncBatchNorm(4), nn.AdaptiveAvgPool2d(1),
        nn.Flatten(), nn.Linear(4, 1))
    # What Runner.wrap_model does, including its GPU device_ids.
    wrapped = MODEL_WRAPPERS.build(
        cfg.model_wrapper_cfg, default_args=dict(module=model, device_ids=[0]))
    assert isinstance(wrapped, CPUDistributedDataParallel)
    assert not any(
        isinstance(module, nn.SyncBatchNorm)
        for module in wrapped.module.modules())
    assert wrapped.module[1].weight is model[1].weight  # weights are kept

    wrapped.train()
    wrapped(torch.randn(2, 3, 5, 5)).sum().backward()
    assert model[0].weight.grad is not None


def test_existing_process_group_is_reused(torchrun_env):
    init_cpu_process_group()
    group = torch_dist.group.WORLD
    init_cpu_process_group()
    assert torch_dist.group.WORLD is group


def test_missing_torchrun_variables_are_named(monkeypatch):
    monkeypatch.setenv('RANK', '0')
    monkeypatch.setenv('LOCAL_RANK', '0')
    for name in ('WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT'):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(RuntimeError) as error:
        init_cpu_process_group()
    assert 'WORLD_SIZE, MASTER_ADDR, MASTER_PORT' in str(error.value)
    assert 'tools/dist_train.sh' in str(error.value)
    assert not torch_dist.is_initialized()


@pytest.mark.parametrize('launcher', ['slurm', 'mpi'])
def test_gpu_bound_launchers_are_refused_on_cpu(launcher):
    with pytest.raises(RuntimeError, match='--launcher pytorch'):
        setup_launcher(Config(dict()), launcher, device='cpu')


def test_launcher_none_changes_nothing_else():
    cfg = Config(dict(env_cfg=dict(dist_cfg=dict(backend='nccl'))))
    setup_launcher(cfg, 'none', device='cpu')
    assert cfg.launcher == 'none'
    assert cfg.env_cfg.dist_cfg.backend == 'nccl'
    assert 'model_wrapper_cfg' not in cfg

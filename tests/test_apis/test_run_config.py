# Copyright (c) grass_mm contributors. All rights reserved.
"""Config preparation done by tools/train.py and tools/test.py."""
from functools import partial

import pytest
from mmengine.config import Config
from mmengine.registry import FUNCTIONS

from grass_mm.apis import (add_dump_results, enable_amp, enable_auto_scale_lr,
                           enable_visualization, prepare_cpu_distributed,
                           set_resume, set_work_dir, strip_collate_fn_scope)


def test_inherited_mmpretrain_collate_fn_is_usable(tmp_path):
    config = tmp_path / 'inherits.py'
    config.write_text("_base_ = 'mmpretrain::simclr/"
                      "simclr_resnet50_16xb256-coslr-200e_in1k.py'\n")
    cfg = Config.fromfile(config)
    collate_cfg = cfg.train_dataloader.collate_fn
    assert collate_cfg._scope_ == 'mmpretrain'

    strip_collate_fn_scope(cfg)
    assert dict(collate_cfg) == dict(type='default_collate')
    # What Runner.build_dataloader does with it.
    kwargs = dict(collate_cfg)
    collate = partial(FUNCTIONS.get(kwargs.pop('type')), **kwargs)
    assert collate([1, 2]).tolist() == [1, 2]


def test_strip_collate_fn_scope_leaves_other_dataloaders_alone():
    cfg = Config(
        dict(
            train_dataloader=dict(
                collate_fn=dict(type='pseudo_collate', _scope_='mmseg'),
                dataset=dict(type='X', _scope_='mmseg')),
            val_dataloader=None,
            test_dataloader=dict(batch_size=1)))
    strip_collate_fn_scope(cfg)
    assert cfg.train_dataloader.collate_fn == dict(type='pseudo_collate')
    assert cfg.train_dataloader.dataset._scope_ == 'mmseg'
    assert cfg.test_dataloader == dict(batch_size=1)


@pytest.mark.parametrize('given, in_config, expected', [
    ('given_dir', 'config_dir', 'given_dir'),
    (None, 'config_dir', 'config_dir'),
    (None, None, './work_dirs/simclr_r18_tiny'),
])
def test_work_dir_priority(given, in_config, expected):
    cfg = Config(dict(work_dir=in_config))
    set_work_dir(cfg, 'configs/grass/simclr_r18_tiny.py', given)
    assert cfg.work_dir == expected


@pytest.mark.parametrize('resume, expected', [
    (None, (False, 'pretrained.pth')),
    ('auto', (True, None)),
    ('work_dirs/x/epoch_3.pth', (True, 'work_dirs/x/epoch_3.pth')),
])
def test_resume(resume, expected):
    cfg = Config(dict(resume=False, load_from='pretrained.pth'))
    set_resume(cfg, resume)
    assert (cfg.resume, cfg.load_from) == expected


def test_amp_is_refused_on_cpu():
    cfg = Config(dict(optim_wrapper=dict(type='OptimWrapper')))
    with pytest.raises(RuntimeError, match='--amp needs a CUDA'):
        enable_amp(cfg, device='cpu')
    assert cfg.optim_wrapper.type == 'OptimWrapper'


def test_amp_uses_a_dynamic_loss_scale_on_gpu():
    cfg = Config(dict(optim_wrapper=dict(optimizer=dict(type='SGD'))))
    enable_amp(cfg, device='cuda')
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.loss_scale == 'dynamic'


def test_auto_scale_lr_needs_a_base_batch_size():
    with pytest.raises(ValueError, match='base_batch_size'):
        enable_auto_scale_lr(Config(dict()))
    cfg = Config(dict(auto_scale_lr=dict(base_batch_size=256)))
    enable_auto_scale_lr(cfg)
    assert cfg.auto_scale_lr == dict(base_batch_size=256, enable=True)


def test_cpu_distributed_config():
    cfg = Config(
        dict(
            env_cfg=dict(dist_cfg=dict(backend='nccl', timeout=60)),
            find_unused_parameters=True))
    prepare_cpu_distributed(cfg)
    assert cfg.env_cfg.dist_cfg == dict(backend='gloo', timeout=60)
    assert cfg.model_wrapper_cfg == dict(
        type='CPUDistributedDataParallel',
        broadcast_buffers=False,
        find_unused_parameters=True)


def test_cpu_distributed_config_keeps_user_wrapper_options():
    cfg = Config(
        dict(
            model_wrapper_cfg=dict(
                type='MMDistributedDataParallel',
                find_unused_parameters=True)))
    prepare_cpu_distributed(cfg)
    assert cfg.env_cfg.dist_cfg.backend == 'gloo'
    assert cfg.model_wrapper_cfg == dict(
        type='CPUDistributedDataParallel', find_unused_parameters=True)


@pytest.mark.parametrize('evaluator', [
    dict(type='IoUMetric'),
    [dict(type='IoUMetric')],
    dict(type='Evaluator', metrics=dict(type='IoUMetric')),
])
def test_dump_results_is_appended(evaluator):
    cfg = Config(dict(test_evaluator=evaluator))
    add_dump_results(cfg, 'out.pkl')
    metrics = cfg.test_evaluator
    if isinstance(metrics, dict):
        metrics = metrics.metrics
    assert [m['type']
            for m in metrics] == ['IoUMetric', 'mmengine.DumpResults']
    assert metrics[-1]['out_file_path'] == 'out.pkl'


def test_dump_results_needs_a_pickle_file():
    with pytest.raises(ValueError, match='.pkl'):
        add_dump_results(Config(dict(test_evaluator=[])), 'out.json')


def test_visualization_mmseg_and_mmpretrain_hooks():
    seg = Config(
        dict(
            default_hooks=dict(
                visualization=dict(type='SegVisualizationHook')),
            visualizer=dict(type='SegLocalVisualizer')))
    enable_visualization(seg, 'show')
    assert seg.default_hooks.visualization == dict(
        type='SegVisualizationHook', draw=True, interval=1)
    assert seg.visualizer.save_dir == 'show'

    cls = Config(
        dict(
            default_hooks=dict(
                visualization=dict(
                    type='mmpretrain.VisualizationHook', enable=False))))
    enable_visualization(cls, 'show')
    assert cls.default_hooks.visualization == dict(
        type='mmpretrain.VisualizationHook',
        enable=True,
        interval=1,
        out_dir='show')

    with pytest.raises(ValueError, match='visualization'):
        enable_visualization(Config(dict(default_hooks=dict())), 'show')

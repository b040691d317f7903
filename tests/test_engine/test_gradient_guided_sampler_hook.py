"""The sampler hook in a real mmengine Runner: stages, logging, resume."""
import os.path as osp

import pytest
from mmengine.runner import Runner

import grass_mm  # noqa: F401
from grass_mm.engine import GradientGuidedSamplerHook

ALGORITHM = dict(
    type='NTXentSimCLR',
    backbone=dict(type='ResNet', depth=18, norm_cfg=dict(type='BN')),
    neck=dict(
        type='NonLinearNeck',
        in_channels=512,
        hid_channels=32,
        out_channels=16,
        num_layers=2,
        with_avg_pool=True,
        norm_cfg=dict(type='BN1d')),
    head=dict(type='NTXentHead', temperature=0.5))


def runner_cfg(image_dir, work_dir, hook, train_cfg, **kwargs):
    view = [
        dict(type='RandomResizedCrop', scale=64, backend='pillow'),
        dict(type='RandomFlip', prob=0.5)
    ]
    cfg = dict(
        model=dict(type='GraSS', algorithm=ALGORITHM),
        work_dir=work_dir,
        train_dataloader=dict(
            batch_size=4,
            num_workers=0,
            sampler=dict(type='DefaultSampler', shuffle=True),
            collate_fn=dict(type='default_collate'),
            dataset=dict(
                type='CustomDataset',
                data_prefix=image_dir,
                with_label=False,
                pipeline=[
                    dict(type='LoadImageFromFile'),
                    dict(type='MultiView', num_views=2, transforms=[view]),
                    dict(type='PackInputs')
                ])),
        train_cfg=train_cfg,
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
        custom_hooks=[dict(type='GradientGuidedSamplerHook', **hook)],
        default_hooks=dict(logger=dict(type='LoggerHook', interval=1)),
        default_scope='mmpretrain',
        randomness=dict(seed=0))
    cfg.update(kwargs)
    return cfg


def stage_history(runner):
    return runner.message_hub.get_scalar('train/gs_training').data[0]


def test_iteration_warmup_switches_and_logs(image_dir, tmp_path):
    runner = Runner(**runner_cfg(image_dir, str(tmp_path), dict(
        warmup_iters=2), dict(type='IterBasedTrainLoop', max_iters=4)))
    runner.train()
    assert list(stage_history(runner)) == [0, 0, 1, 1]
    area = runner.message_hub.get_scalar('train/gs_box_area').data[0]
    whole = runner.message_hub.get_scalar('train/gs_kept_whole').data[0]
    assert len(area) == 2 and all(0 < a <= 1 for a in area)
    assert len(whole) == 2 and all(0 <= w <= 1 for w in whole)
    with open(runner.logger.log_file) as f:
        log = f.read()
    assert 'GraSS: GS training from epoch 1, iteration 3' in log
    assert 'gs_box_area' in log


def test_epoch_warmup_and_resume_land_in_the_right_stage(image_dir, tmp_path):
    cfg = runner_cfg(
        image_dir,
        str(tmp_path),
        dict(warmup_epochs=1),
        dict(type='EpochBasedTrainLoop', max_epochs=2),
        default_hooks=dict(
            logger=dict(type='LoggerHook', interval=1),
            checkpoint=dict(type='CheckpointHook', interval=1)))
    runner = Runner(**cfg)
    runner.train()
    assert list(stage_history(runner)) == [0, 0, 1, 1]

    cfg = dict(
        cfg,
        train_cfg=dict(type='EpochBasedTrainLoop', max_epochs=3),
        resume=True,
        load_from=osp.join(str(tmp_path), 'epoch_1.pth'),
        experiment_name='resumed')
    resumed = Runner(**cfg)
    resumed.train()
    assert resumed.iter == 6
    # the resumed run starts at epoch 2, already in GS training
    assert list(stage_history(resumed))[-4:] == [1, 1, 1, 1]
    with open(resumed.logger.log_file) as f:
        log = f.read()
    assert 'GraSS: GS training from epoch 2, iteration 3' in log


def test_warmup_longer_than_the_schedule_is_refused(image_dir, tmp_path):
    runner = Runner(
        **runner_cfg(image_dir, str(tmp_path), dict(
            warmup_epochs=5), dict(type='EpochBasedTrainLoop', max_epochs=3)))
    with pytest.raises(
            ValueError,
            match=r'warmup_epochs=5 is longer than '
            r'the schedule \(train_cfg.max_epochs = 3\)'):
        runner.train()
    assert runner.iter == 0


def test_epoch_warmup_in_an_iteration_loop_is_refused(image_dir, tmp_path):
    runner = Runner(**runner_cfg(image_dir, str(tmp_path), dict(
        warmup_epochs=1), dict(type='IterBasedTrainLoop', max_iters=3)))
    with pytest.raises(ValueError, match='warmup_iters'):
        runner.train()


@pytest.mark.parametrize(
    'kwargs',
    [{}, dict(warmup_epochs=1, warmup_iters=2),
     dict(warmup_iters=-1)])
def test_hook_arguments_are_checked(kwargs):
    with pytest.raises(ValueError, match='warm'):
        GradientGuidedSamplerHook(**kwargs)

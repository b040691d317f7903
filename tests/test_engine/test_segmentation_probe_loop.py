# Copyright (c) grass_mm contributors. All rights reserved.
"""SegmentationProbeLoop as a pretraining run's validation, in a real Runner:
its scores reach CheckpointHook(save_best) and EarlyStoppingHook."""
import glob
import json
import os.path as osp
import re

import pytest
import torch.distributed as dist
import torch.multiprocessing as mp
from mmengine.config import Config
from mmengine.runner import Runner

import grass_mm  # noqa: F401
from grass_mm.apis import setup_launcher
from .test_gradient_guided_sampler_hook import runner_cfg
from .test_segmentation_probe_hook import (dataset, launch_environment,
                                           probe_weights)

PIPELINE = [
    dict(type='LoadImageFromFile'),
    dict(type='mmseg.LoadAnnotations'),
    dict(type='mmseg.PackSegInputs')
]


def loop_cfg(image_dir, root, work_dir, max_iters, **kwargs):
    return runner_cfg(
        image_dir,
        str(work_dir),
        dict(warmup_iters=2),
        dict(by_epoch=False, max_iters=max_iters, val_interval=1),
        val_cfg=dict(
            type='SegmentationProbeLoop',
            train_dataset=dataset(root, 'train'),
            batch_size=1),
        val_dataloader=dict(
            batch_size=2,
            num_workers=0,
            sampler=dict(type='DefaultSampler', shuffle=False),
            dataset=dict(
                dataset(root, 'val'),
                type='mmseg.BaseSegDataset',
                pipeline=PIPELINE)),
        val_evaluator=dict(type='mmseg.IoUMetric', prefix='probe'),
        visualizer=dict(
            type='Visualizer',
            name=str(work_dir),
            vis_backends=[dict(type='LocalVisBackend')]),
        **kwargs)


def probe_scores(runner):
    """Every probe/mIoU of the run, in order (mmengine's own record)."""
    return list(runner.message_hub.get_scalar('val/probe/mIoU').data[0])


def test_save_best_keeps_the_best_probing_checkpoint(image_dir, labelled_root,
                                                     tmp_path):
    cfg = loop_cfg(
        image_dir,
        labelled_root,
        tmp_path,
        max_iters=4,
        default_hooks=dict(
            logger=dict(type='LoggerHook', interval=1),
            checkpoint=dict(
                type='CheckpointHook',
                by_epoch=False,
                interval=100,
                save_best='probe/mIoU',
                rule='greater')))
    runner = Runner.from_cfg(cfg)
    runner.train()
    scores = probe_scores(runner)
    assert len(scores) == 4  # one probe after each iteration
    best = max(scores)
    # with this seed the best probe is neither the first nor the last: the
    # kept checkpoint is then neither the first weights nor the latest
    assert 0 < scores.index(best) < len(scores) - 1, scores
    assert runner.message_hub.get_info('best_score') == best

    kept = glob.glob(osp.join(tmp_path, 'best_probe_mIoU_iter_*.pth'))
    assert len(kept) == 1, kept
    iteration = int(re.search(r'iter_(\d+)\.pth$', kept[0])[1])
    assert iteration == scores.index(best) + 1

    # the kept weights are the ones that scored best: probed again in one
    # process (rounded to 0.01 as mmseg's IoUMetric rounds)
    again = probe_weights(cfg, kept[0], labelled_root)
    assert again['mIoU'] == pytest.approx(best, abs=0.006)


def test_early_stopping_stops_on_the_probe(image_dir, labelled_root, tmp_path):
    # no probe can gain 100 points: the second one stops the run
    cfg = loop_cfg(
        image_dir,
        labelled_root,
        tmp_path,
        max_iters=6,
        custom_hooks=[
            dict(type='GradientGuidedSamplerHook', warmup_iters=2),
            dict(
                type='EarlyStoppingHook',
                monitor='probe/mIoU',
                rule='greater',
                min_delta=100,
                patience=1)
        ])
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 2
    assert len(probe_scores(runner)) == 2


def test_sets_that_name_different_classes_are_refused(image_dir, labelled_root,
                                                      tmp_path):
    cfg = loop_cfg(image_dir, labelled_root, tmp_path, max_iters=2)
    cfg['val_cfg']['train_dataset']['metainfo'] = dict(classes=('a', 'b'))
    runner = Runner.from_cfg(cfg)
    with pytest.raises(ValueError, match='same classes'):
        runner.train()


def test_by_epoch_in_an_iteration_loop_warns(image_dir, labelled_root,
                                             tmp_path):
    from .test_segmentation_probe_hook import train
    with pytest.warns(UserWarning, match='`by_epoch=True` in an iteration'):
        train(image_dir, labelled_root, tmp_path, by_epoch=True)


def _ddp_worker(rank, port, image_dir, root, work_dir):
    launch_environment(rank, port)
    cfg = Config(loop_cfg(image_dir, root, work_dir, max_iters=3))
    setup_launcher(cfg, 'pytorch', device='cpu')
    runner = Runner.from_cfg(cfg)
    runner.train()
    dist.barrier()
    runner.save_checkpoint(work_dir, 'final.pth')  # rank 0 writes it
    with open(osp.join(work_dir, f'scores{rank}.json'), 'w') as f:
        json.dump(probe_scores(runner), f)
    dist.destroy_process_group()


def test_ddp_probes_rank_0(image_dir, labelled_root, tmp_path, free_port):
    """Two gloo processes: each fits on its share of the training set and
    scores its share of the validation set; every rank gets the metrics of
    a one-process probe of rank 0's weights, after the last step too
    (when plain batch norm has made the ranks' statistics differ)."""
    work_dir = tmp_path / 'ddp'
    mp.spawn(
        _ddp_worker,
        args=(free_port(), image_dir, labelled_root, str(work_dir)),
        nprocs=2)
    scores = [
        json.loads((work_dir / f'scores{rank}.json').read_text())
        for rank in range(2)
    ]
    assert len(scores[0]) == 3 and scores[0] == scores[1]

    last = probe_weights(
        loop_cfg(image_dir, labelled_root, tmp_path / 'x', 3),
        work_dir / 'final.pth', labelled_root)
    assert scores[0][-1] == pytest.approx(last['mIoU'], abs=0.006)

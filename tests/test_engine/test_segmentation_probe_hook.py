# Copyright (c) grass_mm contributors. All rights reserved.
"""SegmentationProbeHook in a real Runner, on labelled files on disk."""
import copy
import json
import logging
import os
import os.path as osp

import pytest
import torch.distributed as dist
import torch.multiprocessing as mp
from mmengine.config import Config
from mmengine.runner import Runner

import grass_mm  # noqa: F401
from grass_mm.apis import load_pretraining_model, setup_launcher
from grass_mm.engine import SegmentationProbeHook
from grass_mm.evaluation import build_probe_sets, probe_backbone
from grass_mm.models.utils import preprocessor_normalization
from .test_gradient_guided_sampler_hook import runner_cfg

CLASSES = ('dark', 'bright')


def dataset(root, split):
    return dict(
        type='BaseSegDataset',
        metainfo=dict(classes=CLASSES),
        data_root=str(root),
        img_suffix='.png',
        seg_map_suffix='.png',
        data_prefix=dict(img_path=f'img/{split}', seg_map_path=f'ann/{split}'))


def probe_weights(cfg, checkpoint, root):
    """The probe of a checkpoint's backbone in one process (batch size 1)."""
    model = load_pretraining_model(Config(cfg), str(checkpoint))
    train_set, val_set, classes = build_probe_sets(
        dataset(root, 'train'), dataset(root, 'val'))
    return probe_backbone(
        model.algorithm.backbone,
        train_set,
        val_set,
        preprocessor_normalization(model.data_preprocessor),
        len(classes),
        classes,
        batch_size=1)


def probe_cfg(image_dir, root, work_dir, max_iters=5, **hook):
    cfg = runner_cfg(
        image_dir,
        str(work_dir),
        dict(warmup_iters=2),
        dict(by_epoch=False, max_iters=max_iters),
        # a visualizer of its own: mmengine shares one per experiment
        # name, which is the second the runner was built in
        visualizer=dict(
            type='Visualizer',
            name=str(work_dir),
            vis_backends=[dict(type='LocalVisBackend')]))
    cfg['custom_hooks'].append(
        dict(
            type='SegmentationProbeHook',
            train_dataset=dataset(root, 'train'),
            val_dataset=dataset(root, 'val'),
            **hook))
    return cfg


def train(image_dir, root, work_dir, **hook):
    runner = Runner.from_cfg(
        copy.deepcopy(probe_cfg(image_dir, root, work_dir, **hook)))
    lines = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())
    runner.logger.addHandler(handler)
    try:
        runner.train()
    finally:
        runner.logger.removeHandler(handler)
    return lines


def probe_records(work_dir):
    paths = [
        osp.join(r, n) for r, _, names in os.walk(work_dir) for n in names
        if n == 'scalars.json'
    ]
    assert len(paths) == 1, paths
    with open(paths[0]) as f:
        records = [json.loads(line) for line in f]
    return [r for r in records if 'probe/mIoU' in r]


def test_probes_at_start_every_interval_and_at_the_end(image_dir,
                                                       labelled_root,
                                                       tmp_path):
    lines = train(
        image_dir,
        labelled_root,
        tmp_path,
        interval=2,
        by_epoch=False,
        probe_at_start=True)
    records = probe_records(tmp_path)
    assert [r['step'] for r in records] == [0, 2, 4, 5]
    for record in records:
        assert set(record) >= {
            'probe/mIoU', 'probe/IoU.dark', 'probe/IoU.bright', 'probe/seconds'
        }
        assert record['probe/mIoU'] == pytest.approx(
            (record['probe/IoU.dark'] + record['probe/IoU.bright']) / 2)
        assert 0 <= record['probe/mIoU'] <= 100
    assert any('SegmentationProbeHook after 4 iterations: probe/mIoU' in line
               for line in lines)


def test_an_empty_set_fails_before_training(image_dir, labelled_root,
                                            tmp_path):
    empty = tmp_path / 'empty'
    os.makedirs(empty / 'img' / 'train')
    os.makedirs(empty / 'ann' / 'train')
    cfg = runner_cfg(image_dir, str(tmp_path / 'run'), dict(warmup_iters=2),
                     dict(by_epoch=False, max_iters=5))
    cfg['custom_hooks'].append(
        dict(
            type='SegmentationProbeHook',
            train_dataset=dataset(empty, 'train'),
            val_dataset=dataset(labelled_root, 'val')))
    runner = Runner.from_cfg(cfg)
    with pytest.raises(ValueError, match='`train_dataset`.*holds no image'):
        runner.train()
    assert runner.iter == 0


def launch_environment(rank, port):
    """The environment torchrun gives rank ``rank`` of 2 processes."""
    os.environ.update(
        MASTER_ADDR='127.0.0.1',
        MASTER_PORT=str(port),
        RANK=str(rank),
        LOCAL_RANK=str(rank),
        WORLD_SIZE='2')


def _ddp_worker(rank, port, image_dir, root, work_dir):
    launch_environment(rank, port)
    cfg = Config(
        probe_cfg(
            image_dir,
            root,
            work_dir,
            max_iters=3,
            interval=2,
            by_epoch=False,
            probe_at_start=True,
            # one image a forward pass: a pixel's features then do not
            # depend on which images share its batch
            batch_size=1))
    # a rank stuck in a collective fails the test within minutes instead
    # of waiting for gloo's default half hour
    cfg.env_cfg = dict(dist_cfg=dict(backend='gloo', timeout=120))
    setup_launcher(cfg, 'pytorch', device='cpu')
    runner = Runner.from_cfg(cfg)
    runner.train()
    # every rank left the last probe: a barrier would hang otherwise
    dist.barrier()
    # rank 0 writes the weights the last probe saw
    runner.save_checkpoint(work_dir, 'final.pth')
    with open(osp.join(work_dir, f'done{rank}'), 'w') as f:
        f.write(str(runner.iter))
    dist.destroy_process_group()


def test_ddp_probes_sharded_like_one_process(image_dir, labelled_root,
                                             tmp_path, free_port):
    """Two gloo processes: both ranks probe, rank 0 logs, nobody hangs."""
    mp.spawn(
        _ddp_worker,
        args=(free_port(), image_dir, labelled_root, str(tmp_path / 'ddp')),
        nprocs=2)
    for rank in range(2):
        assert (tmp_path / 'ddp' / f'done{rank}').read_text() == '3'
    records = probe_records(tmp_path / 'ddp')
    assert [r['step'] for r in records] == [0, 2, 3]

    # before any step the two runs hold the same weights: the probe of the
    # two shards, all-reduced, is the probe of one process
    train(
        image_dir,
        labelled_root,
        tmp_path / 'one',
        interval=100,
        by_epoch=False,
        probe_at_start=True,
        batch_size=1)
    one = probe_records(tmp_path / 'one')[0]
    assert one['step'] == 0
    for key in ('probe/mIoU', 'probe/IoU.dark', 'probe/IoU.bright'):
        assert records[0][key] == pytest.approx(one[key], abs=1e-3)

    # after the steps each rank's batch norm statistics are its own; the
    # probe of the last step is the one-process probe of rank 0's weights
    last = probe_weights(
        probe_cfg(image_dir, labelled_root, str(tmp_path / 'x')),
        tmp_path / 'ddp' / 'final.pth', labelled_root)
    assert records[-1]['step'] == 3
    for key in ('mIoU', 'IoU.dark', 'IoU.bright'):
        assert records[-1][f'probe/{key}'] == pytest.approx(
            last[key], abs=1e-3)


@pytest.mark.parametrize('kwargs,message', [
    (dict(interval=0), '`interval`'),
    (dict(stride=2.5), '`stride`'),
    (dict(ridge=0), '`ridge`'),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SegmentationProbeHook(dict(), dict(), **kwargs)

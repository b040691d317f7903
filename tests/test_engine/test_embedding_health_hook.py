# Copyright (c) grass_mm contributors. All rights reserved.
"""EmbeddingHealthHook: the embeddings it reads are the step's own, its
metrics reach the message hub and the vis backend in a real Runner, its
collapse warning fires, and under 2-process DDP it measures the global
batch."""
import copy
import datetime
import json
import os

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn.functional as F
from mmengine.registry import DefaultScope
from mmengine.runner import Runner
from mmpretrain.registry import MODELS

import grass_mm  # noqa: F401
from grass_mm.engine import get_embedding_reader
from grass_mm.engine.hooks.embedding_health_hook import (
    gather_embeddings, global_embedding_health)
from grass_mm.evaluation import embedding_health
from .test_gradient_guided_sampler_hook import ALGORITHM, runner_cfg

BACKBONE = dict(type='ResNet', depth=18, norm_cfg=dict(type='BN'))
NECK = dict(
    type='NonLinearNeck',
    in_channels=512,
    hid_channels=32,
    out_channels=16,
    num_layers=2,
    with_avg_pool=True,
    norm_cfg=dict(type='BN1d'))
ALGORITHMS = dict(
    simclr=dict(
        type='SimCLR',
        backbone=BACKBONE,
        neck=NECK,
        head=dict(
            type='ContrastiveHead',
            temperature=0.1,
            loss=dict(type='CrossEntropyLoss'))),
    ntxent=ALGORITHM,
    byol=dict(
        type='BYOL',
        backbone=BACKBONE,
        neck=NECK,
        head=dict(
            type='LatentPredictHead',
            loss=dict(type='CosineSimilarityLoss'),
            predictor=dict(
                type='NonLinearNeck',
                in_channels=16,
                hid_channels=32,
                out_channels=16,
                with_avg_pool=False,
                norm_cfg=dict(type='BN1d')))),
    moco=dict(
        type='MoCo',
        queue_len=24,
        feat_dim=16,
        momentum=0.01,
        backbone=BACKBONE,
        neck=dict(
            type='MoCoV2Neck',
            in_channels=512,
            hid_channels=32,
            out_channels=16,
            with_avg_pool=True),
        head=dict(
            type='ContrastiveHead',
            temperature=0.2,
            loss=dict(type='CrossEntropyLoss'))),
)


def views_of(n=4, size=64, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return [
        torch.randn(n, 3, size, size, generator=generator) for _ in range(2)
    ]


def record_neck(algorithm):
    outputs = []
    handle = algorithm.neck.register_forward_hook(
        lambda module, inputs, output: outputs.append(output[0].detach()))
    return outputs, handle


def project(network, view):
    """Embeddings of one view alone (batch norm on running statistics)."""
    return network(view)[0]


@pytest.mark.parametrize('name', list(ALGORITHMS))
def test_reader_returns_each_views_embeddings_of_the_step(name):
    torch.manual_seed(0)
    algorithm = MODELS.build(dict(ALGORITHMS[name], _scope_='mmpretrain'))
    algorithm.eval()  # every image is processed independently
    views = views_of()
    outputs, handle = record_neck(algorithm)
    algorithm.loss(views, None)
    handle.remove()

    embeddings = get_embedding_reader(algorithm)(algorithm, outputs)

    online = torch.nn.Sequential(algorithm.backbone, algorithm.neck)
    with torch.no_grad():
        expected = [project(online, view) for view in views]
        if name == 'moco':  # queries, and keys of the momentum encoder
            expected = [
                F.normalize(expected[0], dim=1),
                F.normalize(project(algorithm.encoder_k, views[1]), dim=1)
            ]
    assert embeddings.shape == (2, 4, 16)
    for view, reference in zip(embeddings, expected):
        torch.testing.assert_close(view, reference, rtol=1e-4, atol=1e-5)


def test_grass_reads_the_crops_not_the_guide_pass():
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = MODELS.build(dict(type='GraSS', algorithm=ALGORITHM)).eval()
    model.gs_training = True
    views = views_of()
    crops = model.sample(views).crops.chunk(2)
    outputs, handle = record_neck(model.algorithm)
    model.loss(views)
    handle.remove()

    embeddings = get_embedding_reader(model.algorithm)(model.algorithm,
                                                       outputs)

    assert len(outputs) == 2  # the guide pass, then the training loss
    online = torch.nn.Sequential(model.backbone, model.algorithm.neck)
    with torch.no_grad():
        for view, crop in zip(embeddings, crops):
            torch.testing.assert_close(
                view, project(online, crop), rtol=1e-4, atol=1e-5)


def train(image_dir, work_dir, hook, iters=4):
    cfg = runner_cfg(
        image_dir,
        work_dir,
        dict(warmup_iters=2),
        dict(by_epoch=False, max_iters=iters),
        # a visualizer of its own: mmengine shares one per experiment
        # name, which is the second the runner was built in
        visualizer=dict(
            type='Visualizer',
            name=str(work_dir),
            vis_backends=[dict(type='LocalVisBackend')]))
    cfg['custom_hooks'].append(dict(type='EmbeddingHealthHook', **hook))
    runner = Runner.from_cfg(copy.deepcopy(cfg))
    runner.train()
    return runner


def scalars(work_dir):
    paths = [
        os.path.join(root, name) for root, _, names in os.walk(work_dir)
        for name in names if name == 'scalars.json'
    ]
    with open(paths[0]) as f:
        return [json.loads(line) for line in f]


def test_runner_logs_the_metrics_through_both_stages(image_dir, tmp_path):
    runner = train(image_dir, str(tmp_path), dict())

    records = scalars(tmp_path)
    assert len(records) == 4
    for record in records:
        assert 0 < record['embed_std'] < 1.5
        assert 0 <= record['alignment'] <= 4
        assert record['uniformity'] < 0
        assert 1 <= record['effective_rank'] <= 16
    history = runner.message_hub.get_scalar('train/embed_std')
    assert len(history.data[0]) == 4


def test_interval_skips_steps(image_dir, tmp_path):
    runner = train(image_dir, str(tmp_path), dict(interval=2))
    history = runner.message_hub.get_scalar('train/effective_rank')
    assert len(history.data[0]) == 2


def test_collapse_warning_after_patience(image_dir, tmp_path, caplog):
    # a threshold above any embed_std: every logging interval is "low"
    train(image_dir, str(tmp_path / 'low'),
          dict(collapse_threshold=100.0, patience=3))
    log = open(next((tmp_path / 'low').rglob('*.log'))).read()
    assert log.count('the embeddings are collapsing') == 1
    assert 'for 3 logging intervals in a row, at iteration 3' in log
    assert 'Likely cause for NTXentSimCLR' in log

    train(image_dir, str(tmp_path / 'healthy'),
          dict(collapse_threshold=1e-6, patience=1))
    log = open(next((tmp_path / 'healthy').rglob('*.log'))).read()
    assert 'collapsing' not in log


@pytest.mark.parametrize('kwargs, message', [
    (dict(interval=0), '`interval` must be an integer >= 1'),
    (dict(patience=1.5), '`patience` must be an integer >= 1'),
    (dict(collapse_threshold=0), '`collapse_threshold` must be > 0'),
])
def test_bad_arguments(kwargs, message):
    from grass_mm.engine import EmbeddingHealthHook
    with pytest.raises(ValueError, match=message):
        EmbeddingHealthHook(**kwargs)


WORLD_SIZE = 2


def _global_batch():
    generator = torch.Generator().manual_seed(3)
    z = torch.randn(6, 16, generator=generator)
    noise = torch.randn(6, 16, generator=generator)
    return torch.stack([z, z + 0.2 * noise])


def _worker(rank, port, out_dir):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=WORLD_SIZE)
    half = _global_batch()[:, rank * 3:(rank + 1) * 3]
    metrics = global_embedding_health(half)

    # MoCo's keys of this rank, read back from the queue in rank order
    torch.manual_seed(0)
    moco = MODELS.build(dict(ALGORITHMS['moco'], _scope_='mmpretrain'))
    keys = F.normalize(_global_batch()[1], dim=1)
    moco.queue[:, 12:18] = keys.T
    moco.queue_ptr[0] = 18
    queries = _global_batch()[0][rank * 3:(rank + 1) * 3]
    read = get_embedding_reader(moco)(moco, [queries])
    torch.save(
        dict(metrics=metrics, read=read),
        os.path.join(out_dir, f'rank{rank}.pth'))
    dist.destroy_process_group()


def test_ddp_measures_the_global_batch(tmp_path, free_port):
    mp.spawn(_worker, args=(free_port(), str(tmp_path)), nprocs=WORLD_SIZE)
    batch = _global_batch()
    expected = embedding_health(batch)
    assert expected != embedding_health(batch[:, :3])
    for rank in range(WORLD_SIZE):
        result = torch.load(tmp_path / f'rank{rank}.pth')
        assert result['metrics'] == pytest.approx(expected, rel=1e-6)
        part = slice(rank * 3, (rank + 1) * 3)
        torch.testing.assert_close(result['read'][0],
                                   F.normalize(batch[0][part], dim=1))
        torch.testing.assert_close(result['read'][1],
                                   F.normalize(batch[1][part], dim=1))


# rows of each rank: unequal, as a last batch without drop_last gives
UNEQUAL_ROWS = (4, 1)


def _unequal_worker(rank, port, out_dir):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    # a collective that cannot complete fails after the timeout, not hangs
    dist.init_process_group(
        'gloo',
        rank=rank,
        world_size=WORLD_SIZE,
        timeout=datetime.timedelta(seconds=60))
    start = sum(UNEQUAL_ROWS[:rank])
    views = _global_batch()[:, start:start + UNEQUAL_ROWS[rank]]
    result = dict(
        metrics=global_embedding_health(views),
        gathered=gather_embeddings(views))
    torch.save(result, os.path.join(out_dir, f'rank{rank}.pth'))
    dist.destroy_process_group()


def test_ddp_gathers_unequal_batches(tmp_path, free_port):
    assert sum(UNEQUAL_ROWS) <= _global_batch().shape[1]
    mp.spawn(
        _unequal_worker, args=(free_port(), str(tmp_path)), nprocs=WORLD_SIZE)
    batch = _global_batch()
    parts = [batch[:, :4], batch[:, 4:5]]  # rank 0's rows, then rank 1's
    expected_rows = torch.cat(parts, dim=1)
    expected = embedding_health(expected_rows)
    for rank in range(WORLD_SIZE):
        result = torch.load(tmp_path / f'rank{rank}.pth')
        assert result['gathered'].shape == (2, 5, 16)
        torch.testing.assert_close(
            result['gathered'], expected_rows, rtol=0, atol=0)
        assert result['metrics'] == pytest.approx(expected, rel=1e-6)


def test_an_algorithm_without_reader_is_named():
    with pytest.raises(
            TypeError,
            match='cannot read the embeddings of '
            'Linear: no embedding reader is registered.*BYOL'):
        get_embedding_reader(torch.nn.Linear(2, 2))

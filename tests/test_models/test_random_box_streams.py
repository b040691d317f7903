"""The 'random' box rule draws from one stream per rank, seeded by the run.

mmengine seeds torch's global generator with the same ``randomness.seed`` on
every rank, so random boxes drawn from it would sit at the same offsets on
every rank. Under a real 2-process ``gloo`` group, with the same seed and
the same views on both ranks (hence the same box sizes), the random boxes
of rank 0 and rank 1 must differ; rank ``r`` must place them as a generator
seeded with ``seed + r`` does (rank 0: as a single process with that seed),
and each rank as it did in an earlier run.
"""
import os

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from mmengine.runner import set_random_seed
from mmpretrain.registry import MODELS

import grass_mm  # noqa: F401
from grass_mm.models.utils import random_boxes_like

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
WORLD_SIZE, SEED, STEPS = 2, 7, 2


def views():
    generator = torch.Generator().manual_seed(1)
    return [
        torch.rand(4, 3, 64, 64, generator=generator) * 2 - 1 for _ in range(2)
    ]


def draw_boxes(box_rule: str = 'random') -> torch.Tensor:
    """Seed as mmengine does, build the model, sample ``STEPS`` times."""
    set_random_seed(SEED)
    model = MODELS.build(
        dict(type='GraSS', algorithm=ALGORITHM, box_rule=box_rule)).eval()
    inputs = views()
    with torch.no_grad():
        return torch.stack([model.sample(inputs).boxes for _ in range(STEPS)])


def worker(rank, port, out_dir):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=WORLD_SIZE)
    result = dict(
        random=draw_boxes(),
        again=draw_boxes(),
        gradient=draw_boxes('gradient'))
    torch.save(result, os.path.join(out_dir, f'rank{rank}.pth'))
    dist.destroy_process_group()


def sizes(boxes):
    return torch.stack(
        [boxes[..., 2] - boxes[..., 0], boxes[..., 3] - boxes[..., 1]])


def test_each_rank_draws_its_own_reproducible_random_boxes(
        tmp_path, free_port):
    mp.spawn(worker, args=(free_port(), str(tmp_path)), nprocs=WORLD_SIZE)
    ranks = [torch.load(tmp_path / f'rank{r}.pth') for r in range(2)]
    # same views and seed: the same GS boxes, hence the same sizes to place
    assert torch.equal(ranks[0]['gradient'], ranks[1]['gradient'])
    for result in ranks:
        assert torch.equal(sizes(result['random']), sizes(result['gradient']))
        # reproducible from the seed, and a fresh draw at every step
        assert torch.equal(result['random'], result['again'])
        assert not torch.equal(result['random'][0], result['random'][1])
    # the two ranks place their boxes independently
    assert not torch.equal(ranks[0]['random'], ranks[1]['random'])
    # rank r's stream is seeded with seed + r, drawn once per step
    for rank, result in enumerate(ranks):
        generator = torch.Generator().manual_seed(SEED + rank)
        expected = [
            random_boxes_like(step, 64, 64, generator)
            for step in result['gradient']
        ]
        assert torch.equal(result['random'], torch.stack(expected))

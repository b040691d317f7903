"""A GS step under real 2-process DDP (gloo, CPU) equals one process.

With batch norm in eval mode every sample is processed independently, so a
GS step of DDP over two halves of a batch must equal a single-process GS
step over the whole batch: the same boxes (the guide gradients of a rank
are the single-process ones times the world size, which leaves the maps'
thresholds unchanged) and the same parameters after the update (the NT-Xent
negatives are gathered with gradients and DDP averages over ranks).
"""
import copy
import os

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from mmengine.model import MMDistributedDataParallel
from mmengine.optim import OptimWrapper
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

import grass_mm  # noqa: F401

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
WORLD_SIZE, PER_RANK = 2, 3


def build_model():
    torch.manual_seed(0)
    model = MODELS.build(dict(type='GraSS', algorithm=ALGORITHM))
    model.init_weights()
    model.gs_training = True
    return model.eval()  # batch norm on running statistics


def global_batch():
    generator = torch.Generator().manual_seed(1)
    return [
        torch.randint(
            0,
            256, (WORLD_SIZE * PER_RANK, 3, 64, 64),
            generator=generator,
            dtype=torch.uint8) for _ in range(2)
    ]


def gs_step(model, views):
    optim_wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.5))
    data = dict(inputs=views, data_samples=[DataSample() for _ in views[0]])
    inner = model.module if hasattr(model, 'module') else model
    boxes = inner.sample(
        inner.data_preprocessor(copy.deepcopy(data), True)['inputs']).boxes
    model.train_step(data, optim_wrapper)
    return boxes, {
        k: v.detach().clone()
        for k, v in inner.algorithm.named_parameters()
    }


def worker(rank, port, out_dir):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=WORLD_SIZE)
    part = slice(rank * PER_RANK, (rank + 1) * PER_RANK)
    views = [v[part] for v in global_batch()]
    model = MMDistributedDataParallel(module=build_model(), device_ids=None)
    boxes, params = gs_step(model, views)
    torch.save(
        dict(boxes=boxes, params=params),
        os.path.join(out_dir, f'rank{rank}.pth'))
    dist.destroy_process_group()


def test_ddp_gs_step_equals_single_process_step(tmp_path, free_port):
    mp.spawn(worker, args=(free_port(), str(tmp_path)), nprocs=WORLD_SIZE)
    boxes, params = gs_step(build_model(), global_batch())
    initial = dict(build_model().algorithm.named_parameters())
    n = WORLD_SIZE * PER_RANK
    for rank in range(WORLD_SIZE):
        result = torch.load(tmp_path / f'rank{rank}.pth')
        rows = [rank * PER_RANK + i for i in range(PER_RANK)]
        rows += [n + r for r in rows]
        assert torch.equal(result['boxes'], boxes[rows])
        for key, value in params.items():
            torch.testing.assert_close(
                result['params'][key], value, rtol=1e-4, atol=1e-5, msg=key)
    assert not torch.equal(params['backbone.conv1.weight'],
                           initial['backbone.conv1.weight'])

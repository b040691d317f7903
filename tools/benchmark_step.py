# Copyright (c) grass_mm contributors. All rights reserved.
"""Time a GraSS GS step against an ID warm-up step in the same process.

Prints, as its last line, one JSON object with ``id_step_s``, ``gs_step_s``,
``ratio`` (gs / id, the median of per-pair ratios), ``guide_s`` (the guide
pass alone: a backbone forward without a graph, the loss and its gradient
on the last feature map), ``ratio_floor`` (1 + guide_s / id_step_s: what a
GS step costs at least, before any sampling), ``sampler_s`` (maps, boxes
and crops of the batch's views, without the guide pass) and
``sampler_many_s`` (the same for ``--sampler-views`` views).

Example:
    python tools/benchmark_step.py configs/grass_r50_potsdam.py \
        --device cpu --batch-size 8 --img-size 224 --iters 10
"""
import argparse
import json
import platform

import torch
from mmengine.config import Config, DictAction
from mmengine.logging import MessageHub
from mmengine.model import revert_sync_batchnorm
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmpretrain.registry import MODELS

import grass_mm
from grass_mm.analysis import (random_views, time_guide_pass,
                               time_id_and_gs_steps,
                               time_reference_style_steps, time_sampler)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='a GraSS pretraining config')
    parser.add_argument('--device', default='cpu', help='cpu or cuda[:i]')
    parser.add_argument(
        '--batch-size',
        type=int,
        default=8,
        help='images per batch (two views each)')
    parser.add_argument('--img-size', type=int, default=224)
    parser.add_argument(
        '--iters',
        type=int,
        default=10,
        help='measured pairs of ID and GS steps')
    parser.add_argument(
        '--warmup', type=int, default=2, help='unmeasured pairs run first')
    parser.add_argument(
        '--sampler-views',
        type=int,
        default=512,
        help='views in the separate sampler timing '
        '(the views of the batch, repeated)')
    parser.add_argument(
        '--reference',
        action='store_true',
        help='also time a GS step done as the reference '
        'implementation does it (full backward in the guide '
        'pass, per-view host loop); SimCLR configs only')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, key=value')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    device = torch.device(args.device)

    model = MODELS.build(cfg.model)
    if not hasattr(model, 'gs_training'):
        raise SystemExit(f'error: {args.config} builds a '
                         f'{type(model).__name__}; benchmark_step.py needs '
                         'a GraSS pretraining config')
    model.init_weights()
    model = revert_sync_batchnorm(model).to(device).train()  # one process
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    data = random_views(args.batch_size, args.img_size)
    # what a Runner's RuntimeInfoHook provides; BYOL's momentum schedule
    # reads it
    steps_run = 2 * (args.warmup + args.iters) * (2 if args.reference else 1)
    MessageHub.get_current_instance().update_info('max_iters', steps_run)

    steps = time_id_and_gs_steps(model, optim_wrapper, data, args.iters,
                                 args.warmup, device)
    if args.reference:
        steps.update(
            time_reference_style_steps(model, optim_wrapper, data, args.iters,
                                       args.warmup, device))
        steps['speedup_vs_reference'] = (
            steps['reference_gs_step_s'] / steps['gs_step_s'])
    inputs = model.data_preprocessor(dict(data), True)['inputs']
    views = torch.cat(inputs)
    features, grads = model.guide(inputs)
    guide_s = time_guide_pass(model, inputs, args.iters)
    sampler_s = time_sampler(features, grads, views, model.ratio, args.iters)
    repeats = -(-args.sampler_views // len(views))
    many = [
        t.repeat(repeats, 1, 1, 1)[:args.sampler_views]
        for t in (features, grads, views)
    ]
    sampler_many_s = time_sampler(*many, model.ratio, args.iters)
    result = dict(
        config=args.config,
        device=str(device),
        batch_size=args.batch_size,
        img_size=args.img_size,
        iters=args.iters,
        **steps,
        guide_s=guide_s,
        ratio_floor=1 + guide_s / steps['id_step_s'],
        sampler_s=sampler_s,
        sampler_views=len(views),
        sampler_many_s=sampler_many_s,
        sampler_many_views=args.sampler_views,
        threads=torch.get_num_threads(),
        torch=torch.__version__,
        grass_mm=grass_mm.__version__,
        cpu=platform.processor() or platform.machine())
    print(json.dumps(result))


if __name__ == '__main__':
    main()

# Copyright (c) grass_mm contributors. All rights reserved.
"""Draw what the GraSS sampler of a checkpoint chooses on some images.

Writes one PNG per image into ``--out-dir`` (named after the image): a row
per view with the view, its loss activation map, the foreground, the box and
the resized crop.

Views: by default two deterministic views per image, the image resized to
``--img-size`` squared (bilinear) and its horizontal mirror. With
``--views config`` the config's training pipeline
(``train_dataloader.dataset.pipeline``, seeded by ``--seed``) makes them,
then its data preprocessor augments them as in training (the colour
augmentations of ``PhotometricAugDataPreprocessor``), as GS training
would. All images are sampled as one batch (in batches of
``--batch-size``): the contrastive loss needs other images as negatives,
so give at least two. The model runs in eval mode (batch norm on its running
statistics). ``--box-rule`` draws the boxes of a control (``random``,
``opposite``) or of the paper's rule, whatever rule the model trained with.

Example:
    python tools/visualize_sampling.py configs/grass_r50_potsdam.py \
        work_dirs/grass_r50_potsdam/epoch_350.pth \
        --images data/potsdam/pretrain/*.png --out-dir vis/
"""
import argparse
import os
import os.path as osp

import mmcv
import torch
from mmengine.config import Config, DictAction
from mmengine.device import get_device
from mmengine.runner import set_random_seed
from PIL import Image

import grass_mm  # noqa: F401
from grass_mm.apis import load_grass_model
from grass_mm.models.utils import BOX_RULES
from grass_mm.visualization import (deterministic_batch, pipeline_batch,
                                    preprocessor_normalization,
                                    render_sampling_result, split_batches)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='a GraSS pretraining config')
    parser.add_argument('checkpoint', help='a checkpoint of that model')
    parser.add_argument(
        '--images', nargs='+', required=True, help='image files, at least two')
    parser.add_argument(
        '--out-dir', required=True, help='where the PNGs go (created)')
    parser.add_argument(
        '--img-size',
        type=int,
        default=224,
        help='side of the deterministic views')
    parser.add_argument(
        '--views',
        choices=['resize', 'config'],
        default='resize',
        help='deterministic resized + mirrored views, or the '
        "config's training pipeline")
    parser.add_argument(
        '--batch-size',
        type=int,
        default=32,
        help='most images sampled together')
    parser.add_argument(
        '--seed',
        type=int,
        default=0,
        help="seed of the config's pipeline and of the "
        'random control')
    parser.add_argument(
        '--box-rule',
        choices=BOX_RULES,
        default=None,
        help="draw this rule's boxes instead of the "
        "model's own (model.box_rule): the paper's "
        "'gradient', or a control")
    parser.add_argument(
        '--device',
        default=None,
        help='cpu or cuda[:i]; defaults to what is there')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, key=value')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    stems = [osp.splitext(osp.basename(path))[0] for path in args.images]
    if len(set(stems)) != len(stems):
        raise SystemExit('error: two images share a file name; the PNGs are '
                         'named after the images')
    if len(args.images) < 2:
        print('warning: with one image the contrastive loss has no '
              'negatives; its map is flat and the view is kept whole')
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    model = load_grass_model(cfg, args.checkpoint, args.device or get_device())
    normalization = preprocessor_normalization(model.data_preprocessor)
    set_random_seed(args.seed)
    os.makedirs(args.out_dir, exist_ok=True)

    for batch in split_batches(len(args.images), args.batch_size):
        paths = [args.images[i] for i in batch]
        if args.views == 'config':
            data = pipeline_batch(cfg.train_dataloader.dataset.pipeline, paths)
        else:
            data = deterministic_batch([mmcv.imread(p) for p in paths],
                                       args.img_size)
        with torch.no_grad():
            inputs = model.data_preprocessor(
                data, training=args.views == 'config')['inputs']
            result = model.sample(inputs, box_rule=args.box_rule)
        for k, i in enumerate(batch):
            panel = render_sampling_result(
                inputs, result, normalization, model.ratio, image_indices=[k])
            out_file = osp.join(args.out_dir, f'{stems[i]}.png')
            Image.fromarray(panel).save(out_file)
            print(f'{args.images[i]} -> {out_file}')


if __name__ == '__main__':
    main()

# Copyright (c) grass_mm contributors. All rights reserved.
"""Measure how class-pure the boxes of a GraSS checkpoint are.

Runs the sampler over a labelled segmentation data set (the labels serve
only this analysis) and compares, per view, the sampler's box with a random
box of the same height and width placed uniformly in the same view (seeded
by ``--seed``), with the box of the negated map (not of the same size: its
mean area is reported beside the GS boxes') and with the whole view: the
share of the box held by its most frequent class (purity; pixels labelled
``--ignore-index`` left out) and the number of classes in it. Prints the
mean and a 95% confidence interval of each and writes them to ``--out`` as
JSON. The intervals are over images (patches), each the mean of its views:
the two views of an image are not independent.

Views: each image gives two deterministic views, the image resized to
``--img-size`` squared (bilinear; the label map with nearest) and its
horizontal mirror, so the label map stays aligned with each view.

``--data-config`` is either an mmseg config (its ``--split`` dataloader's
dataset is used) or two folders, images and label maps of class ids with the
same file names.

Example:
    python tools/analyze_sampling.py configs/grass_r50_potsdam.py \
        work_dirs/grass_r50_potsdam/epoch_350.pth \
        --data-config data/potsdam/img_dir/val data/potsdam/ann_dir/val \
        --out work_dirs/grass_r50_potsdam/purity.json
"""
import argparse
import json
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.device import get_device

import grass_mm  # noqa: F401
from grass_mm.apis import load_grass_model
from grass_mm.utils import nan_to_none
from grass_mm.visualization import (analyze_sampling_purity,
                                    build_labelled_dataset,
                                    format_purity_table, labelled_dataset_cfg)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='a GraSS pretraining config')
    parser.add_argument('checkpoint', help='a checkpoint of that model')
    parser.add_argument(
        '--data-config',
        nargs='+',
        required=True,
        metavar='SEG_CONFIG | IMG_DIR ANN_DIR',
        help='an mmseg config, or a folder of images and one of label maps')
    parser.add_argument(
        '--split',
        choices=['train', 'val', 'test'],
        default='val',
        help="the mmseg config's dataloader to read")
    parser.add_argument(
        '--img-suffix', default='.png', help='suffix of the images in IMG_DIR')
    parser.add_argument(
        '--seg-map-suffix',
        default='.png',
        help='suffix of the label maps in ANN_DIR')
    parser.add_argument(
        '--reduce-zero-label',
        action='store_true',
        help='label 0 in ANN_DIR means unlabelled')
    parser.add_argument('--ignore-index', type=int, default=255)
    parser.add_argument(
        '--img-size', type=int, default=224, help='side of the square views')
    parser.add_argument(
        '--batch-size',
        type=int,
        default=16,
        help='most images sampled together')
    parser.add_argument(
        '--max-images',
        type=int,
        default=None,
        help='use only the first this many images')
    parser.add_argument(
        '--seed', type=int, default=0, help='seed of the random boxes')
    parser.add_argument('--out', required=True, help='the JSON to write')
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
    if len(args.data_config) == 1:
        data_cfg = Config.fromfile(args.data_config[0])
        dataset_cfg = data_cfg[f'{args.split}_dataloader']['dataset']
    elif len(args.data_config) == 2:
        dataset_cfg = labelled_dataset_cfg(
            *args.data_config,
            img_suffix=args.img_suffix,
            seg_map_suffix=args.seg_map_suffix,
            reduce_zero_label=args.reduce_zero_label)
    else:
        raise SystemExit('error: --data-config takes an mmseg config or two '
                         'folders (images, label maps)')
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    model = load_grass_model(cfg, args.checkpoint, args.device or get_device())
    dataset = build_labelled_dataset(dict(dataset_cfg))
    try:
        report = analyze_sampling_purity(
            model,
            dataset,
            img_size=args.img_size,
            batch_size=args.batch_size,
            seed=args.seed,
            ignore_index=args.ignore_index,
            max_images=args.max_images)
    except ValueError as error:
        raise SystemExit(f'error: {error}')
    report = dict(
        config=args.config,
        checkpoint=args.checkpoint,
        data=args.data_config,
        **report)
    print(format_purity_table(report['table']))
    print(f'{report["num_views"]} views of {report["num_images"]} patches; '
          f'intervals over patches, each the mean of its views')
    print(f'mean box area (fraction of the view): GS '
          f'{report["mean_box_area"]:.3f} (random boxes: the same sizes), '
          f'opposite {report["mean_opposite_box_area"]:.3f}; '
          f'{report["kept_whole_fraction"]:.3f} of the views kept whole')
    out_dir = osp.dirname(args.out)
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(nan_to_none(report), f, indent=2)
    print(f'-> {args.out}')


if __name__ == '__main__':
    main()

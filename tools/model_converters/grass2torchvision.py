# Copyright (c) grass_mm contributors. All rights reserved.
"""Write the ResNet backbone of a GraSS checkpoint for torchvision or timm.

The output is a plain state dict (``torch.save`` of tensors only, readable
with ``torch.load(..., weights_only=True)``) for the torchvision ResNet of
the checkpoint's depth (18, 34, 50, 101 or 152, read off the checkpoint).
Self-supervised pretraining trains no classifier, so remove torchvision's
before loading::

    model = torchvision.models.resnet50()
    model.fc = torch.nn.Identity()
    model.load_state_dict(torch.load(OUT, weights_only=True), strict=True)

With ``--timm`` the same weights are checked against timm's ``resnet{d}``
(``timm.create_model('resnet50', num_classes=0)``).

The weights do not tell every setting of the backbone (``style='caffe'``
has the names and shapes of ``style='pytorch'`` and computes something
else), so they are read from the pretraining config: ``--config``, or else
the config the checkpoint records (``meta['cfg']``, written by mmengine's
Runner; read as data, never run), at ``model.backbone`` or
``model.algorithm.backbone``. Settings torchvision's ResNet does not have
are refused by name. Before anything is written, the state dict is loaded
with ``strict=True`` into the target model and one forward pass is
compared with mmpretrain's ResNet built from that config and holding the
same weights. Example::

    python tools/model_converters/grass2torchvision.py \\
        work_dirs/grass_r50_potsdam/epoch_350.pth resnet50_grass.pth \\
        --config configs/grass_r50_potsdam.py
"""
import argparse
import os
import os.path as osp
from typing import Optional

import torch
import torchvision
from mmengine.config import Config
from mmpretrain.registry import MODELS
from torch import nn

# Importing grass_mm makes every checkpoint loader unpickle with
# torch.load(weights_only=True) through an allow-list.
from grass_mm.checkpoint import (UnsafeCheckpointError, backbone_config,
                                 check_torchvision_settings,
                                 explain_unsafe_checkpoint,
                                 load_backbone_state_dict,
                                 load_recorded_model_config,
                                 to_torchvision_resnet)

# The largest difference of the last feature map, relative to its largest
# value, accepted as "the same".
RELATIVE_TOLERANCE = 1e-5


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Export the ResNet backbone of a pretraining checkpoint '
        'to torchvision or timm')
    parser.add_argument('checkpoint', help='pretraining checkpoint')
    parser.add_argument('out', help='state dict to write')
    parser.add_argument(
        '--config',
        help='the pretraining config, for the backbone\'s settings '
        '(default: the config the checkpoint records)')
    parser.add_argument(
        '--prefix',
        default='backbone.',
        help='prefix of the backbone in the checkpoint '
        '(default: backbone.)')
    parser.add_argument(
        '--timm',
        action='store_true',
        help="check against timm's resnet{depth} "
        '(needs timm) instead of torchvision\'s')
    return parser.parse_args()


def target_model(depth: int, use_timm: bool) -> nn.Module:
    """The torchvision (or timm) ResNet without classifier."""
    if use_timm:
        try:
            import timm
        except ImportError:
            raise SystemExit('error: --timm needs timm (pip install timm)')
        return timm.create_model(
            f'resnet{depth}', pretrained=False, num_classes=0)
    model = getattr(torchvision.models, f'resnet{depth}')(weights=None)
    model.fc = nn.Identity()
    return model


def last_map(model: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """The output of ``layer4`` of a torchvision/timm ResNet."""
    relu = getattr(model, 'relu', None) or model.act1
    x = model.maxpool(relu(model.bn1(model.conv1(images))))
    for stage in (model.layer1, model.layer2, model.layer3, model.layer4):
        x = stage(x)
    return x


def backbone_settings(checkpoint: str, config: Optional[str],
                      recorded: Optional[dict], depth: int) -> dict:
    """The backbone's config, from ``config`` or else ``recorded`` (the
    checkpoint's), checked against torchvision's resnet{depth}."""
    if config is not None:
        source = config
        try:
            model = Config.fromfile(config).to_dict().get('model') or {}
        except (OSError, SyntaxError, KeyError, ValueError) as error:
            raise SystemExit(f'error: {config}: {error}')
    elif recorded is not None:
        source = f"{checkpoint}: the config it records (meta['cfg'])"
        model = recorded
    else:
        raise SystemExit(
            f"error: {checkpoint}: it records no config (meta['cfg']) to "
            "take the backbone's settings from (style, strides, ...), which "
            'its weights do not tell: pass the pretraining config with '
            '--config')
    try:
        backbone = backbone_config(model)
        backbone.pop('pretrained', None)
        check_torchvision_settings(backbone, depth)
    except ValueError as error:
        raise SystemExit(f'error: {source}: {error}')
    return backbone


@torch.no_grad()
def check_forward(model: nn.Module, state_dict: dict, backbone: dict) -> float:
    """Largest difference between ``model`` and mmpretrain's ResNet built
    from ``backbone``, relative to the largest output of the latter."""
    reference = MODELS.build(
        dict(
            backbone,
            type='mmpretrain.ResNet',
            out_indices=(3, ),
            frozen_stages=-1,
            init_cfg=None,
            norm_cfg=dict(type='BN')))
    reference.load_state_dict(state_dict, strict=True)
    reference.eval()
    model.eval()
    generator = torch.Generator().manual_seed(0)
    images = torch.randn(2, 3, 64, 64, generator=generator)
    expected = reference(images)[-1]
    difference = (last_map(model, images) - expected).abs().max()
    return (difference / expected.abs().max().clamp_min(1e-12)).item()


def main() -> None:
    args = parse_args()
    try:
        with explain_unsafe_checkpoint(args.checkpoint):
            backbone = load_backbone_state_dict(args.checkpoint, args.prefix)
            recorded = None if args.config else load_recorded_model_config(
                args.checkpoint)
        depth, state_dict = to_torchvision_resnet(backbone)
    except (FileNotFoundError, UnsafeCheckpointError, ValueError) as error:
        raise SystemExit(f'error: {args.checkpoint}: {error}')
    backbone_cfg = backbone_settings(args.checkpoint, args.config, recorded,
                                     depth)
    target = 'timm' if args.timm else 'torchvision'
    model = target_model(depth, args.timm)
    try:
        model.load_state_dict(state_dict, strict=True)
    except RuntimeError as error:
        raise SystemExit(f'error: {args.checkpoint} does not load into '
                         f"{target}'s resnet{depth}: {error}")
    difference = check_forward(model, state_dict, backbone_cfg)
    if not difference <= RELATIVE_TOLERANCE:
        raise SystemExit(
            f"error: {target}'s resnet{depth} with these weights differs "
            f"from mmpretrain's by {difference:.3g} of its largest output "
            f'(more than {RELATIVE_TOLERANCE}); nothing written')
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    torch.save(state_dict, args.out)
    print(f'wrote resnet{depth} ({len(state_dict)} tensors) to {args.out}; '
          f"it loads with strict=True into {target}'s resnet{depth} and "
          f'matches mmpretrain\'s forward (max difference {difference:.2g} '
          'of the largest output)')
    if not args.timm:
        print('the checkpoint has no classifier: set '
              '`model.fc = torch.nn.Identity()` before `load_state_dict`')


if __name__ == '__main__':
    main()

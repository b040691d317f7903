# Copyright (c) grass_mm contributors. All rights reserved.
"""Export a pretrained ResNet backbone for torchvision and timm.

A `GraSS <https://arxiv.org/abs/2306.15868>`_ (or any mmpretrain) backbone
built as ``ResNet(depth=d)`` with the defaults ``style='pytorch'``,
``deep_stem=False`` and ``avg_down=False`` has, under ``backbone.``,
exactly the parameter and buffer names of ``torchvision.models.resnet{d}``
and of timm's ``resnet{d}`` (``conv1``, ``bn1``, ``layer{1..4}.{i}.conv*``,
``.bn*``, ``.downsample.{0,1}``), with the same computation: both put the
stride of a bottleneck on its 3 x 3 convolution. Only the classifier
(``fc``) is missing, since self-supervised pretraining has none.

The depth is read off the state dict (the blocks per stage and whether
they have a third convolution), and the layouts this mapping does not
hold for (a deep stem, ``avg_down`` shortcuts, ResNeXt groups) are refused
by name instead of being exported wrongly. Some settings leave the names
and shapes as they are and change the computation (``style='caffe'``
puts a bottleneck's stride on its first 1 x 1 convolution, ``strides``,
``dilations``): they are seen in the backbone's config only, which
:func:`check_torchvision_settings` checks.
"""
from collections import OrderedDict
from typing import Any, Dict, Mapping, Tuple

from torch import Tensor

__all__ = [
    'RESNET_DEPTHS', 'TORCHVISION_SETTINGS', 'backbone_config',
    'check_torchvision_settings', 'resnet_depth', 'to_torchvision_resnet'
]

# mmpretrain ResNet's settings that torchvision's resnet{d} has; another
# value computes something else (or has other shapes).
TORCHVISION_SETTINGS: Dict[str, Any] = dict(
    in_channels=3,
    stem_channels=64,
    base_channels=64,
    num_stages=4,
    strides=(1, 2, 2, 2),
    dilations=(1, 1, 1, 1),
    style='pytorch',
    deep_stem=False,
    avg_down=False,
    conv_cfg=None)
# Settings that change training or the outputs' selection, not the
# computation of layer4 in eval mode.
_FREE_SETTINGS = ('type', 'depth', 'expansion', 'norm_cfg', 'out_indices',
                  'frozen_stages', 'norm_eval', 'with_cp',
                  'zero_init_residual', 'init_cfg', 'pretrained',
                  'drop_path_rate')
_BATCH_NORMS = ('BN', 'BN2d', 'SyncBN')

# (block has conv3, blocks per stage) -> depth, torchvision's five ResNets
RESNET_DEPTHS: Dict[Tuple[bool, Tuple[int, ...]], int] = {
    (False, (2, 2, 2, 2)): 18,
    (False, (3, 4, 6, 3)): 34,
    (True, (3, 4, 6, 3)): 50,
    (True, (3, 4, 23, 3)): 101,
    (True, (3, 8, 36, 3)): 152,
}


def _blocks_per_stage(state_dict: Mapping[str, Tensor]) -> Tuple[int, ...]:
    """How many blocks each of ``layer1`` ... ``layer4`` holds."""
    counts = []
    for stage in range(1, 5):
        prefix = f'layer{stage}.'
        indices = {
            int(key[len(prefix):].split('.', 1)[0])
            for key in state_dict if key.startswith(prefix)
        }
        counts.append(len(indices))
    return tuple(counts)


def resnet_depth(state_dict: Mapping[str, Tensor]) -> int:
    """The depth of the ResNet a backbone state dict belongs to.

    Args:
        state_dict (Mapping[str, Tensor]): A backbone's entries without
            prefix (e.g. from :func:`extract_backbone`).

    Returns:
        int: 18, 34, 50, 101 or 152.

    Raises:
        ValueError: When the entries are not those of a torchvision-style
            ResNet; the message says what was found.
    """
    if any(key.startswith('stem.') for key in state_dict):
        raise ValueError(
            'the backbone has a deep stem (`stem.` entries: ResNetV1c/V1d, '
            'deep_stem=True), which torchvision\'s and timm\'s plain ResNets '
            'do not have')
    if 'conv1.weight' not in state_dict:
        raise ValueError(
            'the backbone has no `conv1.weight`: not a ResNet '
            f'(its entries start with {_first_names(state_dict)})')
    if any('.downsample.2.' in key for key in state_dict):
        raise ValueError(
            'the backbone\'s shortcuts pool before their convolution '
            '(avg_down=True, ResNetV1d), unlike torchvision\'s and timm\'s '
            'plain ResNets')
    bottleneck = 'layer1.0.conv3.weight' in state_dict
    stages = _blocks_per_stage(state_dict)
    depth = RESNET_DEPTHS.get((bottleneck, stages))
    if depth is None:
        block = 'bottleneck' if bottleneck else 'basic'
        raise ValueError(
            f'no torchvision ResNet has {block} blocks {list(stages)} per '
            'stage (18/34: basic [2, 2, 2, 2] / [3, 4, 6, 3]; 50/101/152: '
            'bottleneck [3, 4, 6, 3] / [3, 4, 23, 3] / [3, 8, 36, 3])')
    if bottleneck:
        conv2 = state_dict['layer1.0.conv2.weight']
        if conv2.shape[1] != conv2.shape[0]:
            raise ValueError(
                'the 3 x 3 convolutions are grouped (ResNeXt), which '
                f'resnet{depth} is not')
    return depth


def _first_names(state_dict: Mapping[str, Tensor]) -> str:
    names = sorted({key.split('.', 1)[0] for key in state_dict})
    return ', '.join(names[:8]) or 'nothing: it is empty'


def to_torchvision_resnet(
    state_dict: Mapping[str,
                        Tensor]) -> Tuple[int, 'OrderedDict[str, Tensor]']:
    """The backbone as a state dict of ``torchvision.models.resnet{depth}``.

    The result loads with ``strict=True`` into torchvision's model once its
    classifier is removed (``model.fc = torch.nn.Identity()``), and into
    timm's ``resnet{depth}`` built with ``num_classes=0``.

    Args:
        state_dict (Mapping[str, Tensor]): A backbone's entries without
            prefix.

    Returns:
        tuple[int, OrderedDict[str, Tensor]]: The depth and the entries, in
        their order, as contiguous tensors (the same names: see the module
        docstring).

    Raises:
        ValueError: As :func:`resnet_depth`, and when an entry's name is
            not one of a ResNet's (``fc.`` included: a backbone has no
            classifier).
    """
    depth = resnet_depth(state_dict)
    allowed = ('conv1.', 'bn1.', 'layer1.', 'layer2.', 'layer3.', 'layer4.')
    unknown = [key for key in state_dict if not key.startswith(allowed)]
    if unknown:
        listed = ', '.join(unknown[:5])
        raise ValueError(f'entries that resnet{depth} has no place for: '
                         f'{listed}' + (' ...' if len(unknown) > 5 else ''))
    return depth, OrderedDict(
        (key, value.contiguous()) for key, value in state_dict.items())


def backbone_config(model: Mapping[str, Any]) -> Dict[str, Any]:
    """The backbone's config in a pretraining config's ``model``.

    Args:
        model (Mapping): ``model`` of a pretraining config: an mmpretrain
            algorithm (``model.backbone``) or GraSS wrapping one
            (``model.algorithm.backbone``).

    Returns:
        dict: The backbone's config.

    Raises:
        ValueError: When neither key holds a dict.
    """
    for path in (('backbone', ), ('algorithm', 'backbone')):
        node: Any = model
        for key in path:
            node = node.get(key) if isinstance(node, Mapping) else None
        if isinstance(node, Mapping):
            return dict(node)
    raise ValueError('the config has neither `model.backbone` nor '
                     '`model.algorithm.backbone`')


def _same(value: Any, expected: Any) -> bool:
    if isinstance(expected, tuple):
        return isinstance(value, (list, tuple)) and tuple(value) == expected
    return value == expected


def check_torchvision_settings(backbone: Mapping[str, Any],
                               depth: int) -> None:
    """Refuse a backbone config that torchvision's resnet{depth} is not.

    Args:
        backbone (Mapping): The backbone's config (:func:`backbone_config`),
            mmpretrain's ``ResNet`` arguments.
        depth (int): The depth read off the weights (:func:`resnet_depth`).

    Raises:
        ValueError: Naming the first setting torchvision's ResNet has no
            equivalent of (``style='caffe'``, ``deep_stem``, ``avg_down``,
            other ``strides``, ``dilations`` or widths, another type or
            normalisation), or a ``depth`` other than the weights'.
    """
    kind = str(backbone.get('type', ''))
    scope, _, name = kind.rpartition('.')
    if name != 'ResNet' or scope not in ('', 'mmpretrain'):
        raise ValueError(f'`type={kind!r}`: only mmpretrain\'s plain '
                         'ResNet is torchvision\'s ResNet')
    if backbone.get('depth') != depth:
        raise ValueError(f'`depth={backbone.get("depth")!r}` in the config, '
                         f'but the weights are those of resnet{depth}')
    for key, expected in TORCHVISION_SETTINGS.items():
        if key in backbone and not _same(backbone[key], expected):
            raise ValueError(
                f'`{key}={backbone[key]!r}`: torchvision\'s resnet{depth} '
                f'is `{key}={expected!r}`')
    expansion = 4 if depth >= 50 else 1
    if backbone.get('expansion') not in (None, expansion):
        raise ValueError(f'`expansion={backbone["expansion"]!r}`: '
                         f'torchvision\'s resnet{depth} expands by '
                         f'{expansion}')
    norm = dict(backbone.get('norm_cfg') or dict(type='BN'))
    if norm.get('type') not in _BATCH_NORMS or norm.get('eps', 1e-5) != 1e-5:
        raise ValueError(f'`norm_cfg={norm!r}`: torchvision\'s '
                         f'resnet{depth} has batch norm with eps 1e-5')
    unknown = sorted(
        set(backbone) - set(TORCHVISION_SETTINGS) - set(_FREE_SETTINGS))
    if unknown:
        raise ValueError(f'`{unknown[0]}`: not a setting of mmpretrain\'s '
                         f'ResNet, nor of torchvision\'s resnet{depth}')

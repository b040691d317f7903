# Copyright (c) grass_mm contributors. All rights reserved.
"""A GraSS checkpoint initialises the segmentors of the fine-tuning configs.

The pretraining backbone is mmpretrain's ``ResNet`` (7x7 stem); the
fine-tuning configs use mmseg's ``ResNet`` with ``deep_stem=False`` and load
it with ``StrictPretrained``, which must load every backbone tensor or fail.
Models are the configs' own, made small: ResNet-18, narrow heads, BN.
"""
import copy
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmpretrain.registry import MODELS as PRETRAIN_MODELS
from mmseg.registry import MODELS as SEG_MODELS

from grass_mm.checkpoint import extract_backbone, write_backbone_checkpoint
from grass_mm.models import CheckpointMismatchError, find_state_dict_mismatch

FINETUNE = Path(__file__).resolve().parents[2] / 'configs' / 'finetune'
CONFIGS = {
    'upernet': 'upernet_r50-grass_4xb4-80k_potsdam-512x512.py',
    'deeplabv3plus': 'deeplabv3plus_r50-d8-grass_4xb4-80k_potsdam-512x512.py',
}
BN = dict(type='BN', requires_grad=True)
# Heads for a ResNet-18 (channel counts of mmseg's own r18 configs, thinner)
SMALL_HEADS = {
    'upernet':
    dict(
        decode_head=dict(
            in_channels=[64, 128, 256, 512], channels=16, norm_cfg=BN),
        auxiliary_head=dict(in_channels=256, channels=8, norm_cfg=BN)),
    'deeplabv3plus':
    dict(
        decode_head=dict(
            in_channels=512,
            channels=16,
            c1_in_channels=64,
            c1_channels=8,
            norm_cfg=BN),
        auxiliary_head=dict(in_channels=256, channels=8, norm_cfg=BN)),
}


def randomise_(model: torch.nn.Module, seed: int) -> None:
    """Give every tensor a value no initialiser would give it."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for value in model.state_dict().values():
            if value.is_floating_point():
                value.copy_(torch.rand(value.shape, generator=generator) + 0.5)
            else:
                value.fill_(7)


def save(state_dict: dict, path: Path) -> Path:
    torch.save(dict(state_dict=state_dict, meta=dict(epoch=350)), path)
    return path


# GraSS around SimCLR, as configs/_base_/models/grass_simclr_r50.py, small.
SMALL_GRASS = dict(
    type='GraSS',
    algorithm=dict(
        type='NTXentSimCLR',
        backbone=dict(type='ResNet', depth=18),
        neck=dict(
            type='NonLinearNeck',
            in_channels=512,
            hid_channels=32,
            out_channels=16,
            num_layers=2,
            with_avg_pool=True),
        head=dict(type='NTXentHead', temperature=0.5)))


@pytest.fixture(scope='module')
def grass_checkpoint(tmp_path_factory) -> Path:
    """A GraSS (SimCLR, ResNet-18) checkpoint with random values."""
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = PRETRAIN_MODELS.build(SMALL_GRASS)
    randomise_(model, seed=0)
    path = tmp_path_factory.mktemp('grass') / 'epoch_350.pth'
    return save(model.state_dict(), path)


def checkpoint_backbone(path: Path) -> 'OrderedDict[str, torch.Tensor]':
    state_dict = torch.load(path, map_location='cpu')['state_dict']
    return extract_backbone(state_dict, 'backbone.')


@lru_cache(maxsize=None)
def _read(name: str) -> Config:
    return Config.fromfile(str(FINETUNE / name))


def build_segmentor(decoder: str,
                    init_cfg: dict,
                    deep_stem: bool = False) -> torch.nn.Module:
    """The fine-tuning config's model, ResNet-18 and BN, given init_cfg.

    With ``deep_stem``, the backbone is mmseg's default ResNetV1c instead.
    """
    cfg = copy.deepcopy(_read(CONFIGS[decoder]))
    cfg.merge_from_dict(
        dict(
            model=dict(
                SMALL_HEADS[decoder], backbone=dict(depth=18, norm_cfg=BN))))
    cfg.model.backbone.init_cfg = init_cfg
    if deep_stem:
        cfg.model.backbone.pop('deep_stem')
        cfg.model.backbone.type = 'ResNetV1c'
    with DefaultScope.overwrite_default_scope('mmseg'):
        return SEG_MODELS.build(cfg.model)


def assert_backbone_equals(model: torch.nn.Module, expected: dict) -> None:
    loaded = model.backbone.state_dict()
    assert set(loaded) == set(expected)
    differing = [
        key for key, value in loaded.items()
        if not torch.equal(value, expected[key])
    ]
    assert not differing


@pytest.mark.parametrize('decoder', sorted(CONFIGS))
def test_grass_checkpoint_initialises_the_whole_backbone(
        decoder, grass_checkpoint):
    expected = checkpoint_backbone(grass_checkpoint)
    # the config's own init_cfg, pointed at the file
    cfg_init = _read(CONFIGS[decoder]).model.backbone.init_cfg.to_dict()
    model = build_segmentor(decoder,
                            dict(cfg_init, checkpoint=str(grass_checkpoint)))
    before = model.backbone.state_dict()
    assert any(not torch.equal(before[key], value)
               for key, value in expected.items())

    model.init_weights()

    assert_backbone_equals(model, expected)


@pytest.mark.parametrize('decoder', sorted(CONFIGS))
def test_converted_checkpoint_loads_with_plain_pretrained(
        decoder, grass_checkpoint, tmp_path):
    out = tmp_path / 'backbone.pth'
    count = write_backbone_checkpoint(str(grass_checkpoint), str(out))
    expected = checkpoint_backbone(grass_checkpoint)
    assert count == len(expected)
    saved = torch.load(out, map_location='cpu')
    assert list(saved['state_dict']) == list(expected)
    assert saved['meta'] == dict(
        source='epoch_350.pth', prefix='backbone.', epoch=350)

    for init_type in ('Pretrained', 'StrictPretrained'):
        model = build_segmentor(decoder,
                                dict(type=init_type, checkpoint=str(out)))
        model.init_weights()
        assert_backbone_equals(model, expected)


def test_deep_stem_checkpoint_is_refused_with_the_keys_and_a_hint(tmp_path):
    with DefaultScope.overwrite_default_scope('mmseg'):
        deep_stem = SEG_MODELS.build(dict(type='ResNetV1c', depth=18))
    randomise_(deep_stem, seed=1)
    path = save(
        {
            f'backbone.{key}': value
            for key, value in deep_stem.state_dict().items()
        }, tmp_path / 'v1c.pth')
    model = build_segmentor(
        'upernet',
        dict(
            type='StrictPretrained', checkpoint=str(path), prefix='backbone.'))
    conv1 = model.backbone.conv1.weight.clone()

    with pytest.raises(CheckpointMismatchError) as error:
        model.init_weights()

    message = str(error.value)
    assert str(path) in message
    assert 'conv1.weight' in message and 'stem.0.weight' in message
    assert 'deep-stem backbone' in message
    # nothing was loaded, not even the layers that would have matched
    assert torch.equal(model.backbone.conv1.weight, conv1)


def test_deep_stem_backbone_is_refused_with_a_hint(grass_checkpoint):
    """mmseg's default ResNetV1c cannot take an mmpretrain checkpoint."""
    model = build_segmentor(
        'deeplabv3plus',
        dict(
            type='StrictPretrained',
            checkpoint=str(grass_checkpoint),
            prefix='backbone.'),
        deep_stem=True)
    with pytest.raises(
            CheckpointMismatchError,
            match=r"use type='ResNet' \(mmseg\) with "
            r'deep_stem=False'):
        model.init_weights()


def test_plain_pretrained_only_logs_a_deep_stem_mismatch(grass_checkpoint):
    """Why StrictPretrained exists: mmengine's loader carries on."""
    model = build_segmentor(
        'upernet',
        dict(
            type='Pretrained',
            checkpoint=str(grass_checkpoint),
            prefix='backbone.'),
        deep_stem=True)
    model.init_weights()  # no error
    expected = checkpoint_backbone(grass_checkpoint)
    assert torch.equal(model.backbone.layer1[0].conv1.weight,
                       expected['layer1.0.conv1.weight'])
    assert 'conv1.weight' not in model.backbone.state_dict()


@pytest.mark.parametrize('change', ['remove', 'reshape'])
def test_incomplete_or_reshaped_checkpoint_is_refused(change, grass_checkpoint,
                                                      tmp_path):
    state_dict = torch.load(grass_checkpoint)['state_dict']
    key = 'backbone.layer4.1.conv2.weight'
    if change == 'remove':
        del state_dict[key]
    else:
        state_dict[key] = torch.zeros(512, 512, 1, 1)
    path = save(state_dict, tmp_path / f'{change}.pth')
    model = build_segmentor(
        'upernet',
        dict(
            type='StrictPretrained', checkpoint=str(path), prefix='backbone.'))

    with pytest.raises(CheckpointMismatchError) as error:
        model.init_weights()

    message = str(error.value)
    assert 'layer4.1.conv2.weight' in message
    if change == 'remove':
        assert 'missing from the checkpoint (1)' in message
    else:
        assert '[512, 512, 1, 1] in the checkpoint' in message
        assert '[512, 512, 3, 3] in the backbone' in message


def test_checkpoint_without_backbone_names_the_file(tmp_path):
    path = save({'neck.fc.weight': torch.zeros(2, 2)}, tmp_path / 'neck.pth')
    model = build_segmentor(
        'upernet',
        dict(
            type='StrictPretrained', checkpoint=str(path), prefix='backbone.'))
    with pytest.raises(ValueError, match=f'{path}.*no backbone.*neck\\.'):
        model.init_weights()


def test_extract_backbone_strips_the_prefix_and_keeps_the_order():
    tensors = [torch.full((1, ), float(i)) for i in range(4)]
    state_dict = OrderedDict([('backbone.b', tensors[0]),
                              ('neck.a', tensors[1]),
                              ('backbone.a.weight', tensors[2]),
                              ('backbones.c', tensors[3])])
    for prefix in ('backbone.', 'backbone'):
        backbone = extract_backbone(state_dict, prefix)
        assert list(backbone) == ['b', 'a.weight']
        assert backbone['b'] is tensors[0]
    with pytest.raises(ValueError, match='backbones., neck.'):
        extract_backbone(state_dict, 'head.')


def test_find_state_dict_mismatch():
    expected = {
        'a': torch.zeros(2),
        'b': torch.zeros(3),
        'bn.num_batches_tracked': torch.tensor(0),
        'c': torch.zeros(1)
    }
    given = {'a': torch.zeros(2), 'b': torch.zeros(4), 'd': torch.zeros(1)}
    mismatch = find_state_dict_mismatch(expected, given)
    assert mismatch.missing == ['c']  # a BN counter may be absent
    assert mismatch.unexpected == ['d']
    assert mismatch.shapes == [('b', (4, ), (3, ))]
    assert mismatch
    assert not find_state_dict_mismatch(expected, dict(expected))

# Copyright (c) grass_mm contributors. All rights reserved.
"""The fine-tuning configs: they load, build, and start from the right place.

Each one fine-tunes a segmentor from the backbone of a pretraining config's
last checkpoint (https://arxiv.org/abs/2306.15868, Sec. IV).
"""
import argparse
import copy
from functools import lru_cache
from pathlib import Path

import pytest
from mmengine.config import Config, DictAction
from mmengine.registry import DefaultScope
from mmseg.registry import DATASETS, MODELS

import grass_mm  # noqa: F401  (registers StrictPretrained, LoveDA domains)

CONFIGS = Path(__file__).resolve().parents[2] / 'configs'
FINETUNE = CONFIGS / 'finetune'

DECODERS = {
    'upernet_r50-grass': 'UPerHead',
    'deeplabv3plus_r50-d8-grass': 'DepthwiseSeparableASPPHead',
}
# data set in the name -> (dataset type, pretraining config)
DATASETS_USED = {
    'potsdam': ('PotsdamDataset', 'grass_r50_potsdam'),
    'loveda-urban': ('LoveDAUrbanDataset', 'grass_r50_loveda-urban'),
    'loveda-rural': ('LoveDARuralDataset', 'grass_r50_loveda-rural'),
    # no Vaihingen pretraining in the paper: the Potsdam checkpoint
    'vaihingen': ('ISPRSDataset', 'grass_r50_potsdam'),
}
FINETUNE_CONFIGS = [(decoder, data) for decoder in DECODERS
                    for data in DATASETS_USED]


def config_name(decoder: str, data: str) -> str:
    return f'{decoder}_4xb4-80k_{data}-512x512.py'


@lru_cache(maxsize=None)
def _read(path: Path) -> Config:
    return Config.fromfile(str(path))


def load(decoder: str, data: str) -> Config:
    """A fresh copy of a config (loading mmseg's bases takes a while)."""
    return copy.deepcopy(_read(FINETUNE / config_name(decoder, data)))


def parse_cfg_options(*options: str) -> dict:
    """``--cfg-options`` parsed exactly as tools/train.py parses them."""
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(['--cfg-options', *options]).cfg_options


@pytest.mark.parametrize(
    'path', sorted(FINETUNE.glob('*.py')), ids=lambda path: path.stem)
def test_every_finetune_config_loads_a_7x7_stem_strictly(path):
    """Also for configs added later: the backbone fits mmpretrain's ResNet."""
    cfg = _read(path)
    backbone = cfg.model.backbone
    assert (backbone.type, backbone.deep_stem) == ('ResNet', False)
    assert cfg.model.pretrained is None
    assert backbone.init_cfg == dict(
        type='StrictPretrained', checkpoint=cfg.pretrained, prefix='backbone.')


@pytest.mark.parametrize('decoder,data', FINETUNE_CONFIGS)
def test_config_builds_its_segmentor(decoder, data):
    cfg = load(decoder, data)
    assert cfg.default_scope == 'mmseg'
    assert cfg.custom_imports == dict(
        imports=['grass_mm'], allow_failed_imports=False)
    dataset_type, _ = DATASETS_USED[data]
    assert cfg.train_dataloader.dataset.type == dataset_type
    assert cfg.model.data_preprocessor.size == cfg.crop_size

    with DefaultScope.overwrite_default_scope('mmseg'):
        model = MODELS.build(cfg.model)
    assert type(model.decode_head).__name__ == DECODERS[decoder]
    backbone = model.backbone
    assert type(backbone).__name__ == 'ResNet' and backbone.depth == 50
    assert not backbone.deep_stem and hasattr(backbone, 'conv1')
    num_classes = len(DATASETS.get(dataset_type).METAINFO['classes'])
    assert model.decode_head.num_classes == num_classes
    assert model.auxiliary_head.num_classes == num_classes


@pytest.mark.parametrize('decoder,data', FINETUNE_CONFIGS)
def test_backbone_starts_from_the_pretraining_checkpoint(decoder, data):
    cfg = load(decoder, data)
    _, pretraining = DATASETS_USED[data]
    assert cfg.pretrained == f'work_dirs/{pretraining}/epoch_350.pth'
    # the checkpoint a run of that config writes last
    assert _read(CONFIGS / f'{pretraining}.py').train_cfg.max_epochs == 350
    assert cfg.model.pretrained is None  # no mmseg ImageNet weights
    assert cfg.model.backbone.init_cfg == dict(
        type='StrictPretrained', checkpoint=cfg.pretrained, prefix='backbone.')


def test_checkpoint_and_label_fraction_are_one_option_each():
    cfg = load('upernet_r50-grass', 'potsdam')
    assert cfg.train_dataloader.dataset.ann_file == 'splits/train_100pct.txt'
    dataset_before = cfg.train_dataloader.dataset.to_dict()
    cfg.merge_from_dict(
        parse_cfg_options(
            'model.backbone.init_cfg.checkpoint=work_dirs/simclr/e.pth',
            'train_dataloader.dataset.ann_file=splits/train_10pct.txt'))
    assert cfg.model.backbone.init_cfg == dict(
        type='StrictPretrained',
        checkpoint='work_dirs/simclr/e.pth',
        prefix='backbone.')
    dataset_after = cfg.train_dataloader.dataset.to_dict()
    assert dataset_after.pop('ann_file') == 'splits/train_10pct.txt'
    dataset_before.pop('ann_file')
    assert dataset_after == dataset_before

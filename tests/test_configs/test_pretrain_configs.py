# Copyright (c) grass_mm contributors. All rights reserved.
"""The pretraining configs: they load, build, and differ where they should.

GraSS (https://arxiv.org/abs/2306.15868) is compared with its baseline by
swapping one config for another, so each GraSS config must equal its
baseline except for the model wrapper and the stage hook.
"""
import argparse
import copy
from functools import lru_cache
from pathlib import Path

import pytest
from mmengine.config import Config, DictAction
from mmengine.registry import DefaultScope
from mmpretrain.registry import HOOKS, MODELS

import grass_mm  # noqa: F401  (registers GraSS, NTXentSimCLR, the hook)

CONFIGS = Path(__file__).resolve().parents[2] / 'configs'

# GraSS config -> (its baseline, the wrapped algorithm's type)
PAIRS = {
    'grass_r50_potsdam.py': ('simclr_r50_potsdam.py', 'NTXentSimCLR'),
    'grass_r50_loveda-urban.py':
    ('simclr_r50_loveda-urban.py', 'NTXentSimCLR'),
    'grass_r50_loveda-rural.py':
    ('simclr_r50_loveda-rural.py', 'NTXentSimCLR'),
    'grass-mocov2_r50_potsdam.py': ('mocov2_r50_potsdam.py', 'MoCo'),
    'grass-byol_r50_potsdam.py': ('byol_r50_potsdam.py', 'BYOL'),
}
BASELINES = {baseline: algo for baseline, algo in PAIRS.values()}
ALL_CONFIGS = sorted(PAIRS) + sorted(BASELINES)

# The paper's default, ours (GRASS_SPEC §6): the single value of
# configs/_base_/grass_runtime.py.
ID_WARMUP_EPOCHS = 100


def assert_paper_colour_augments(augments: list) -> None:
    """SimCLR's colour augmentations as the paper uses them
    (https://arxiv.org/abs/2306.15868, Sec. IV-A), in mmpretrain's terms."""
    jitter, grey, blur = augments
    assert (jitter['type'], jitter['prob']) == ('RandomApply', 0.8)
    (colour, ) = jitter['transforms']
    assert colour['type'] == 'ColorJitter'
    strengths = ('brightness', 'contrast', 'saturation', 'hue')
    assert [colour[key] for key in strengths] == [0.8, 0.8, 0.8, 0.2]
    assert grey == dict(
        type='RandomGrayscale',
        prob=0.2,
        keep_channels=True,
        channel_weights=(0.114, 0.587, 0.2989))
    assert blur == dict(
        type='GaussianBlur',
        magnitude_range=(0.1, 2.0),
        magnitude_std='inf',
        prob=0.5)


@lru_cache(maxsize=None)
def _read(path: Path) -> Config:
    return Config.fromfile(str(path))


def load(name: str) -> Config:
    """A fresh copy of a config, read once."""
    return copy.deepcopy(_read(CONFIGS / name))


def parse_cfg_options(*options: str) -> dict:
    """``--cfg-options`` parsed exactly as tools/train.py parses them."""
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(['--cfg-options', *options]).cfg_options


def stage_hooks(cfg: Config) -> list:
    return [
        hook for hook in cfg.get('custom_hooks', [])
        if hook['type'] == 'GradientGuidedSamplerHook'
    ]


@pytest.mark.parametrize('name', ALL_CONFIGS)
def test_config_builds_its_model(name):
    cfg = load(name)
    assert cfg.default_scope == 'mmpretrain'
    assert cfg.custom_imports.imports == ['grass_mm']
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = MODELS.build(cfg.model)
    if name in PAIRS:
        assert type(model).__name__ == 'GraSS'
        assert type(model.algorithm).__name__ == PAIRS[name][1]
    else:
        assert type(model).__name__ == BASELINES[name]
    assert model.backbone.depth == 50
    assert cfg.train_cfg.max_epochs == 350


@pytest.mark.parametrize('name', ALL_CONFIGS)
def test_config_colour_augments_the_views_on_the_training_device(name):
    """The workers crop and flip; the data preprocessor applies the paper's
    colour augmentations to whole batches."""
    cfg = load(name).to_dict()
    preprocessor = cfg['data_preprocessor']
    assert preprocessor['type'] == 'PhotometricAugDataPreprocessor'
    assert_paper_colour_augments(preprocessor['augments'])
    assert preprocessor['to_rgb'] is True
    (multi_view, pack) = cfg['train_dataloader']['dataset']['pipeline']
    assert multi_view['num_views'] == 2 and pack['type'] == 'PackInputs'
    (views, ) = multi_view['transforms']
    assert views == [
        dict(type='RandomResizedCrop', scale=224, backend='pillow'),
        dict(type='RandomFlip', prob=0.5)
    ]
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model_cfg = copy.deepcopy(cfg['model'])
        model_cfg['data_preprocessor'] = preprocessor
        model = MODELS.build(model_cfg)
    built = [type(a).__name__ for a in model.data_preprocessor.augments]
    assert built == ['RandomApply', 'RandomGrayscale', 'GaussianBlur']


def test_readme_moves_the_colour_augmentations_back_to_the_workers(tmp_path):
    """The README's delta for the CPU pipeline, on the paper's config."""
    readme = (CONFIGS.parent / 'README.md').read_text()
    after = readme.split('To run them on the workers instead')[1]
    snippet = after.split('```python\n')[1].split('```')[0]
    config = tmp_path / 'grass-cpuaug_r50_potsdam.py'
    config.write_text(f"_base_ = [{str(CONFIGS / 'grass_r50_potsdam.py')!r}]"
                      f'\n{snippet}')
    cpu = Config.fromfile(str(config)).to_dict()
    batched = load('grass_r50_potsdam.py').to_dict()
    preprocessor = dict(batched['data_preprocessor'])
    preprocessor.pop('augments')
    assert cpu['data_preprocessor'] == dict(
        preprocessor, type='SelfSupDataPreprocessor')
    (multi_view, _) = cpu['train_dataloader']['dataset']['pipeline']
    (batched_views,
     ) = batched['train_dataloader']['dataset']['pipeline'][0]['transforms']
    augments = batched['data_preprocessor']['augments']
    assert multi_view['transforms'] == [batched_views + augments]
    for key in set(batched) - {
            'data_preprocessor', 'train_dataloader', 'view_pipeline'
    }:
        assert cpu[key] == batched[key], key


@pytest.mark.parametrize('name', sorted(PAIRS))
def test_grass_config_is_its_baseline_plus_sampling(name):
    baseline_name, _ = PAIRS[name]
    grass = load(name).to_dict()
    baseline = load(baseline_name).to_dict()

    assert grass['model']['type'] == 'GraSS'
    assert grass['model']['algorithm'] == baseline['model']
    assert not stage_hooks(Config(baseline))
    only_grass = {'model', 'custom_hooks', 'id_warmup_epochs'}
    assert set(grass) - only_grass == set(baseline) - {'model'}
    for key in set(baseline) - {'model'}:
        assert grass[key] == baseline[key], key


@pytest.mark.parametrize('name', sorted(PAIRS))
def test_grass_configs_share_one_warmup(name):
    cfg = load(name)
    (hook, ) = cfg.custom_hooks
    assert hook.type == 'GradientGuidedSamplerHook'
    assert hook.warmup_epochs == cfg.id_warmup_epochs == ID_WARMUP_EPOCHS
    assert 'warmup_iters' not in hook


def test_warmup_is_set_in_one_file():
    """Of these configs and the bases, only _base_/grass_runtime.py sets it.

    (Small demo configs elsewhere may shorten the warm-up on purpose.)
    """
    files = [CONFIGS / name for name in ALL_CONFIGS]
    files += sorted((CONFIGS / '_base_').rglob('*.py'))
    writers = [
        str(path.relative_to(CONFIGS)) for path in files
        if "type='GradientGuidedSamplerHook'" in path.read_text()
    ]
    assert writers == ['_base_/grass_runtime.py']


def test_cfg_option_changes_the_warmup_of_the_built_hook():
    cfg = load('grass_r50_potsdam.py')
    cfg.merge_from_dict(parse_cfg_options('custom_hooks.0.warmup_epochs=50'))
    (hook_cfg, ) = cfg.custom_hooks
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        hook = HOOKS.build(hook_cfg)
    assert type(hook).__name__ == 'GradientGuidedSamplerHook'
    assert hook.warmup_epochs == 50 and hook.warmup_iters is None


def test_inheriting_config_extends_the_hooks(tmp_path):
    """The recipe in the comment of _base_/grass_runtime.py works."""
    child = tmp_path / 'grass_r50_potsdam_vis.py'
    child.write_text(
        f"_base_ = [{str(CONFIGS / 'grass_r50_potsdam.py')!r}]\n"
        'custom_hooks = _base_.custom_hooks + [\n'
        "    dict(type='GraSSVisualizationHook', interval=500)]\n")
    cfg = Config.fromfile(str(child))
    assert [hook.type for hook in cfg.custom_hooks
            ] == ['GradientGuidedSamplerHook', 'GraSSVisualizationHook']
    assert cfg.custom_hooks[0].warmup_epochs == ID_WARMUP_EPOCHS


@pytest.mark.parametrize('name', sorted(BASELINES))
def test_every_config_keeps_the_papers_schedule(name):
    reference = load('simclr_r50_potsdam.py')
    cfg = load(name)
    assert cfg.param_scheduler == reference.param_scheduler
    assert cfg.train_cfg == reference.train_cfg
    assert cfg.auto_scale_lr == reference.auto_scale_lr == dict(
        base_batch_size=256)
    batch = cfg.train_dataloader.batch_size * 8  # 8 GPUs
    assert batch == cfg.auto_scale_lr.base_batch_size


def test_mocov2_uses_mmpretrains_sgd():
    cfg = load('mocov2_r50_potsdam.py')
    assert cfg.optim_wrapper == dict(
        type='OptimWrapper',
        optimizer=dict(type='SGD', lr=0.03, momentum=0.9, weight_decay=1e-4))
    # MoCo enqueues whole (gathered) batches.
    assert cfg.model.queue_len % cfg.auto_scale_lr.base_batch_size == 0


def test_byol_uses_lars_without_decay_on_biases():
    cfg = load('byol_r50_potsdam.py')
    optimizer = cfg.optim_wrapper.optimizer
    assert (optimizer.type, optimizer.lr,
            optimizer.weight_decay) == ('LARS', 0.3, 1e-6)
    custom_keys = cfg.optim_wrapper.paramwise_cfg.custom_keys
    for key in ('bias', 'bn', 'downsample.1'):
        assert custom_keys[key] == dict(decay_mult=0, lars_exclude=True)

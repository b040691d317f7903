"""The demo configs with batched colour augmentations: the same recipe, the
photometric transforms moved from the view pipeline to the preprocessor."""
import copy
from pathlib import Path

import numpy as np
import pytest
import torch
from mmcv.transforms import Compose
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmpretrain.registry import MODELS

import grass_mm  # noqa: F401  (registers the preprocessor)
from grass_mm.analysis import config_photometric_augments

DEMO = Path(__file__).resolve().parents[2] / 'configs' / 'demo'
# batched variant -> the demo config it moves the augmentations of
VARIANTS = {
    'grass-batchaug_r18_1xb16-4e_dubai-aerial-demo.py':
    'grass_r18_1xb16-4e_dubai-aerial-demo.py',
    'simclr-batchaug_r18_1xb16-4e_dubai-aerial-demo.py':
    'simclr_r18_1xb16-4e_dubai-aerial-demo.py',
}
MOVED = {'data_preprocessor', 'train_dataloader', 'view_pipeline'}


def load(name: str) -> dict:
    return Config.fromfile(str(DEMO / name)).to_dict()


def view_pipeline(cfg: dict) -> list:
    (multi_view, _) = cfg['train_dataloader']['dataset']['pipeline']
    return multi_view['transforms'][0]


@pytest.mark.parametrize('name', sorted(VARIANTS))
def test_variant_moves_the_photometric_transforms_only(name):
    batched, base = load(name), load(VARIANTS[name])
    assert set(batched) == set(base)
    for key in set(base) - MOVED:
        assert batched[key] == base[key], key
    preprocessor = batched['data_preprocessor']
    assert preprocessor['type'] == 'PhotometricAugDataPreprocessor'
    assert view_pipeline(batched) + preprocessor['augments'] == \
        view_pipeline(base)
    assert [t['type'] for t in view_pipeline(batched)] == \
        ['RandomResizedCrop', 'RandomFlip']
    plain = dict(base['data_preprocessor'])
    assert {k: v for k, v in preprocessor.items()
            if k not in ('type', 'augments')} == \
        {k: v for k, v in plain.items() if k != 'type'}
    loader, base_loader = (
        copy.deepcopy(c['train_dataloader']) for c in (batched, base))
    loader['dataset'].pop('pipeline')
    base_loader['dataset'].pop('pipeline')
    assert loader == base_loader


@pytest.mark.parametrize('name', sorted(VARIANTS.values()))
def test_demo_colour_augments_on_the_workers_as_the_recipe_does(name):
    """The demo keeps the colour augmentations on its data workers: the
    same ones that the pretraining recipe batches in its preprocessor."""
    demo = Config.fromfile(str(DEMO / name))
    recipe = Config.fromfile(
        str(DEMO.parent / '_base_' / 'datasets' / 'potsdam_pretrain.py'))
    assert demo.data_preprocessor.type == 'SelfSupDataPreprocessor'
    assert 'augments' not in demo.data_preprocessor
    augments = config_photometric_augments(demo)
    assert augments == recipe.data_preprocessor.augments
    assert view_pipeline(demo.to_dict())[2:] == augments


def test_variant_trains_on_workers_crops_and_batched_colours():
    """The workers' pipeline and the model's preprocessor, as a runner
    builds them, turn uint8 images into augmented, normalised views."""
    cfg = Config.fromfile(
        str(DEMO / 'grass-batchaug_r18_1xb16-4e_dubai-aerial-demo.py'))
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        pipeline = Compose(cfg.train_dataloader.dataset.pipeline)
        model_cfg = copy.deepcopy(cfg.model)
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
        model = MODELS.build(model_cfg)
    assert type(model.data_preprocessor).__name__ == \
        'PhotometricAugDataPreprocessor'
    rng = np.random.default_rng(0)
    items = [
        pipeline(
            dict(
                img=rng.integers(0, 256, (160, 160, 3), dtype=np.uint8),
                img_shape=(160, 160))) for _ in range(4)
    ]
    batch = dict(
        inputs=[
            torch.stack([item['inputs'][v] for item in items])
            for v in range(2)
        ],
        data_samples=[item['data_samples'] for item in items])
    views = model.data_preprocessor(copy.deepcopy(batch), True)['inputs']
    plain = model.data_preprocessor(copy.deepcopy(batch), False)['inputs']
    assert [v.shape for v in views] == [(4, 3, 112, 112)] * 2
    assert not torch.equal(views[0], plain[0])
    assert views[0].abs().max() < 3  # normalised

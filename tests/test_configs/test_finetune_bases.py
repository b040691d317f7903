# Copyright (c) grass_mm contributors. All rights reserved.
"""grass_mm's fine-tuning bases are mmseg's, written out.

mmengine resolves ``mmseg::`` bases through the distribution name
``mmsegmentation``, which the maintained fork installs as
``onedl-mmsegmentation``, so grass_mm's configs carry the model, runtime and
schedule settings themselves. These tests load the installed mmseg's own
base files by path (which works on both stacks) and check that grass_mm's
equal them, up to the documented differences of the backbone.
"""
from pathlib import Path

import mmseg
import pytest
from mmengine.config import Config

REPO_ROOT = Path(__file__).resolve().parents[2]
OURS = REPO_ROOT / 'configs' / 'finetune' / '_base_'
MMSEG = Path(mmseg.__file__).parent / '.mim' / 'configs' / '_base_'


def plain(value):
    """A config as plain containers, without the ``_scope_`` keys."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if k != '_scope_'}
    if isinstance(value, (list, tuple)):
        return type(value)(plain(v) for v in value)
    return value


def load(path: Path) -> dict:
    return plain(Config.fromfile(str(path)).to_dict())


def test_the_installed_mmseg_ships_its_configs():
    assert (MMSEG / 'default_runtime.py').is_file(), MMSEG


@pytest.mark.parametrize('name', [
    'default_runtime.py', 'schedules/schedule_80k.py',
    'schedules/schedule_20k.py'
])
def test_runtime_and_schedules_equal_mmseg(name):
    assert load(OURS / name) == load(MMSEG / name)


@pytest.mark.parametrize(
    'name', ['models/upernet_r50.py', 'models/deeplabv3plus_r50-d8.py'])
def test_models_differ_from_mmseg_only_in_stem_and_initialisation(name):
    expected = load(MMSEG / name)
    expected['model']['pretrained'] = None
    expected['model']['backbone'].update(
        type='ResNet',
        deep_stem=False,
        init_cfg=dict(
            type='StrictPretrained', checkpoint=None, prefix='backbone.'))
    assert load(OURS / name) == expected


def test_no_shipped_config_inherits_through_mmseg_scope():
    offenders = [
        str(path.relative_to(REPO_ROOT))
        for path in (REPO_ROOT / 'configs').rglob('*.py')
        if "'mmseg::" in path.read_text() or '"mmseg::' in path.read_text()
    ]
    assert offenders == []

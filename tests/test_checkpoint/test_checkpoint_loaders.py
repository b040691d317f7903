# Copyright (c) grass_mm contributors. All rights reserved.
"""Every scheme mmengine's CheckpointLoader knows loads weights only.

(The http(s) paths, with a local server, are tested in
tests/test_tools/test_checkpoint_urls.py.)
"""
import json
import os

import mmpretrain  # noqa: F401  (packages that could register schemes)
import mmseg  # noqa: F401
import pytest
import torch
from mmengine.runner import CheckpointLoader

from grass_mm.checkpoint import (SAFE_CHECKPOINT_LOADERS,
                                 UnsafeCheckpointError,
                                 register_safe_checkpoint_loaders)

# mmengine 0.10's own prefixes.
MMENGINE_SCHEMES = [
    '', 'http://', 'https://', 'modelzoo://', 'torchvision://',
    'open-mmlab://', 'openmmlab://', 'mmcls://', r'(\S+\:)?s3://',
    r'(\S+\:)?petrel://', 'pavi://'
]


class _Calls:
    """Pickles as ``func(*args)``."""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def code_running_checkpoint(path, marker):
    """A checkpoint that creates ``marker`` when fully unpickled."""
    torch.save(
        dict(
            state_dict=dict(weight=torch.zeros(1)),
            meta=dict(payload=_Calls(os.system, f'touch {marker}'))), path)
    return path


def test_every_registered_scheme_is_grass_mm_s():
    """Also after mmseg and mmpretrain are imported; a scheme mmengine adds
    in a later release makes this fail."""
    assert set(MMENGINE_SCHEMES) == set(SAFE_CHECKPOINT_LOADERS)
    schemes = CheckpointLoader._schemes
    assert set(schemes) == set(MMENGINE_SCHEMES)
    for prefix, loader in schemes.items():
        assert loader is SAFE_CHECKPOINT_LOADERS[prefix], prefix


def test_registration_is_idempotent():
    register_safe_checkpoint_loaders()
    register_safe_checkpoint_loaders()
    assert dict(CheckpointLoader._schemes) == SAFE_CHECKPOINT_LOADERS


@pytest.mark.parametrize('path', [
    'work_dirs/epoch_1.pth', 'http://host/a.pth', 'https://host/a.pth',
    'torchvision://resnet50', 'open-mmlab://resnet50_v1c', 'mmcls://resnet50',
    's3://bucket/a.pth', 'open-mmlab:s3://bucket/a.pth', 'pavi://model/a.pth'
])
def test_paths_pick_grass_mm_loaders(path):
    loader = CheckpointLoader._get_checkpoint_loader(path)
    assert loader.__module__ == 'grass_mm.checkpoint.loaders'


def test_local_file_is_refused_even_when_torch_is_told_not_to(
        tmp_path, monkeypatch):
    # switches torch.load's default to weights_only=False
    monkeypatch.setenv('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '1')
    marker = tmp_path / 'code_was_executed'
    path = code_running_checkpoint(tmp_path / 'evil.pth', marker)
    with pytest.raises(
            UnsafeCheckpointError,
            match=f'Refused to load checkpoint {path}:'):
        CheckpointLoader.load_checkpoint(str(path))
    assert not marker.exists()


def test_local_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        CheckpointLoader.load_checkpoint(str(tmp_path / 'missing.pth'))


def test_openmmlab_local_entry_is_weights_only(tmp_path, monkeypatch):
    """``$MMENGINE_HOME/open_mmlab.json`` may map names to files there."""
    monkeypatch.setenv('MMENGINE_HOME', str(tmp_path))
    marker = tmp_path / 'code_was_executed'
    code_running_checkpoint(tmp_path / 'evil.pth', marker)
    torch.save(
        dict(state_dict=dict(weight=torch.ones(1))), tmp_path / 'good.pth')
    (tmp_path / 'open_mmlab.json').write_text(
        json.dumps(dict(evil='evil.pth', good='good.pth')))

    good = CheckpointLoader.load_checkpoint('open-mmlab://good')
    assert torch.equal(good['state_dict']['weight'], torch.ones(1))
    with pytest.raises(UnsafeCheckpointError, match='evil.pth'):
        CheckpointLoader.load_checkpoint('openmmlab://evil')
    assert not marker.exists()


def test_pavi_is_refused_naming_the_scheme():
    with pytest.raises(UnsafeCheckpointError, match="'pavi://' scheme"):
        CheckpointLoader.load_checkpoint('pavi://project/model.pth')

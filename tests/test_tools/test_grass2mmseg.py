# Copyright (c) grass_mm contributors. All rights reserved.
"""tools/model_converters/grass2mmseg.py keeps the backbone, or says why not.

(That the output initialises mmseg's segmentors is tested in
tests/test_models/test_checkpoint_transfer.py.)
"""
import sys
from pathlib import Path

import torch

from grass_mm.checkpoint import write_backbone_checkpoint

CONVERTER = (
    Path(__file__).resolve().parents[2] / 'tools' / 'model_converters' /
    'grass2mmseg.py')


def pretraining_checkpoint(path: Path) -> Path:
    """A checkpoint laid out as GraSS writes it, with a momentum copy too."""
    state_dict = {
        'backbone.conv1.weight': torch.randn(4, 3, 7, 7),
        'backbone.bn1.num_batches_tracked': torch.tensor(12),
        'backbone.layer1.0.conv1.weight': torch.randn(4, 4, 3, 3),
        'neck.mlp.0.weight': torch.randn(8, 4),
        'target_net.module.0.conv1.weight': torch.randn(4, 3, 7, 7),
    }
    torch.save(
        dict(state_dict=state_dict, meta=dict(epoch=350, iter=4550)), path)
    return path


def test_converter_writes_the_backbone_without_prefix(tools, tmp_path):
    source = pretraining_checkpoint(tmp_path / 'epoch_350.pth')
    out = tmp_path / 'converted' / 'backbone.pth'

    result = tools.run([sys.executable, CONVERTER, source, out], cwd=tmp_path)

    tools.assert_ok(result)
    assert 'wrote 3 backbone tensors' in result.stdout
    written = torch.load(out)
    original = torch.load(source)['state_dict']
    assert list(written['state_dict']) == [
        'conv1.weight', 'bn1.num_batches_tracked', 'layer1.0.conv1.weight'
    ]
    for key, value in written['state_dict'].items():
        assert torch.equal(value, original[f'backbone.{key}'])
    assert written['meta'] == dict(
        source='epoch_350.pth', prefix='backbone.', epoch=350, iter=4550)


def test_converter_refuses_a_checkpoint_without_backbone(tools, tmp_path):
    source = tmp_path / 'neck_only.pth'
    torch.save(dict(state_dict={'neck.fc.weight': torch.zeros(2, 2)}), source)
    out = tmp_path / 'backbone.pth'

    result = tools.run([sys.executable, CONVERTER, source, out], cwd=tmp_path)

    assert result.returncode != 0
    assert f'error: Checkpoint {source} has no backbone' in result.stderr
    assert "'backbone.'" in result.stderr and 'neck.' in result.stderr
    assert 'Traceback' not in result.stderr
    assert not out.exists()


def test_another_prefix_takes_another_module(tmp_path):
    """E.g. BYOL's target network, whose first module is a backbone copy."""
    source = pretraining_checkpoint(tmp_path / 'byol.pth')
    out = tmp_path / 'target.pth'

    count = write_backbone_checkpoint(
        str(source), str(out), prefix='target_net.module.0')

    written = torch.load(out)
    assert count == 1 and list(written['state_dict']) == ['conv1.weight']
    assert written['meta']['prefix'] == 'target_net.module.0'

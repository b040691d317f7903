# Copyright (c) grass_mm contributors. All rights reserved.
"""tools/model_converters/grass2torchvision.py: a GraSS backbone that
torchvision's (and timm's) ResNet load strictly and compute the same with.

The reference is independent of the converter: mmpretrain's ResNet holding
the checkpoint's weights, run on the same input.
"""
import importlib.util
import sys
from pathlib import Path

import pytest
import torch
import torchvision
from mmpretrain.registry import MODELS

from grass_mm.checkpoint import resnet_depth, to_torchvision_resnet

CONVERTER = (
    Path(__file__).resolve().parents[2] / 'tools' / 'model_converters' /
    'grass2torchvision.py')


def trained_like_backbone(depth: int, **kwargs) -> torch.nn.Module:
    """An mmpretrain ResNet with random weights and batch norm statistics."""
    torch.manual_seed(depth)
    backbone = MODELS.build(
        dict(dict(type='mmpretrain.ResNet', depth=depth), **kwargs))
    with torch.no_grad():
        for name, buffer in backbone.named_buffers():
            if name.endswith('running_mean'):
                buffer.normal_(0, 0.1)
            elif name.endswith('running_var'):
                buffer.uniform_(0.5, 2.0)
        for name, param in backbone.named_parameters():
            if '.bn' in name or name.startswith('bn'):
                param.normal_(1.0 if name.endswith('weight') else 0., 0.1)
    backbone.eval()
    return backbone


def grass_checkpoint(path: Path, backbone: torch.nn.Module) -> Path:
    """A checkpoint laid out as GraSS writes it: backbone, neck, meta."""
    state_dict = {f'backbone.{k}': v for k, v in backbone.state_dict().items()}
    state_dict['neck.mlp.0.weight'] = torch.randn(8, 4)
    torch.save(dict(state_dict=state_dict, meta=dict(epoch=4)), path)
    return path


def assert_same_features(model, backbone):
    """The pooled features of ``model`` equal the mmpretrain backbone's."""
    model.eval()
    images = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        expected = backbone(images)[-1].mean(dim=(2, 3))
        torch.testing.assert_close(
            model(images), expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize('depth', [18, 50])
def test_torchvision_loads_it_strictly_and_computes_the_same(
        tools, tmp_path, depth):
    backbone = trained_like_backbone(depth)
    source = grass_checkpoint(tmp_path / 'epoch_4.pth', backbone)
    out = tmp_path / 'export' / f'resnet{depth}.pth'

    result = tools.run([sys.executable, CONVERTER, source, out], cwd=tmp_path)

    tools.assert_ok(result)
    assert f'wrote resnet{depth}' in result.stdout
    assert 'model.fc = torch.nn.Identity()' in result.stdout
    state_dict = torch.load(out, weights_only=True)
    model = getattr(torchvision.models, f'resnet{depth}')(weights=None)
    with pytest.raises(RuntimeError, match='fc.weight'):
        model.load_state_dict(state_dict, strict=True)
    model.fc = torch.nn.Identity()
    model.load_state_dict(state_dict, strict=True)
    assert_same_features(model, backbone)


def test_depth_is_read_off_the_state_dict():
    for depth in (18, 34, 50, 101):
        state_dict = MODELS.build(dict(type='mmpretrain.ResNet',
                                       depth=depth)).state_dict()
        assert resnet_depth(state_dict) == depth


@pytest.mark.parametrize('kwargs, message', [
    (dict(type='mmpretrain.ResNetV1d', depth=18), 'deep stem'),
    (dict(type='mmpretrain.ResNet', depth=18, avg_down=True), 'avg_down'),
    (dict(type='mmpretrain.ResNeXt', depth=50, groups=32,
          width_per_group=4), 'ResNeXt'),
])
def test_layouts_torchvision_does_not_have_are_refused(kwargs, message):
    state_dict = MODELS.build(kwargs).state_dict()
    with pytest.raises(ValueError, match=message):
        to_torchvision_resnet(state_dict)


def test_incomplete_or_foreign_backbones_are_refused():
    state_dict = MODELS.build(dict(type='mmpretrain.ResNet',
                                   depth=50)).state_dict()
    truncated = {
        k: v
        for k, v in state_dict.items() if not k.startswith('layer3.5.')
    }
    with pytest.raises(ValueError, match=r'bottleneck blocks \[3, 4, 5, 3\]'):
        to_torchvision_resnet(truncated)
    with pytest.raises(ValueError, match='no place for: fc.weight'):
        to_torchvision_resnet(dict(state_dict, **{'fc.weight': torch.ones(1)}))
    with pytest.raises(ValueError, match='not a ResNet'):
        to_torchvision_resnet({'patch_embed.weight': torch.ones(1)})


def test_the_tool_names_the_file_and_writes_nothing(tools, tmp_path):
    backbone = trained_like_backbone(18, type='mmpretrain.ResNetV1d')
    source = grass_checkpoint(tmp_path / 'v1d.pth', backbone)
    out = tmp_path / 'resnet.pth'

    result = tools.run([sys.executable, CONVERTER, source, out], cwd=tmp_path)

    assert result.returncode != 0
    assert f'error: {source}: the backbone has a deep stem' in result.stderr
    assert 'Traceback' not in result.stderr
    assert not out.exists()


@pytest.mark.skipif(
    importlib.util.find_spec('timm') is None,
    reason='timm is an optional dependency')
def test_timm_loads_it_strictly_and_computes_the_same(tools, tmp_path):
    import timm
    backbone = trained_like_backbone(18)
    source = grass_checkpoint(tmp_path / 'epoch_4.pth', backbone)
    out = tmp_path / 'resnet18_timm.pth'

    result = tools.run([sys.executable, CONVERTER, source, out, '--timm'],
                       cwd=tmp_path)

    tools.assert_ok(result)
    model = timm.create_model('resnet18', pretrained=False, num_classes=0)
    model.load_state_dict(torch.load(out, weights_only=True), strict=True)
    assert_same_features(model, backbone)

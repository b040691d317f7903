# Copyright (c) grass_mm contributors. All rights reserved.
"""tools/model_converters/grass2torchvision.py: a GraSS backbone that
torchvision's (and timm's) ResNet load strictly and compute the same with,
and backbones whose settings torchvision's ResNet does not have refused.

The reference is independent of the converter: mmpretrain's ResNet holding
the checkpoint's weights, run on the same input.
"""
import importlib.util
import sys
from pathlib import Path

import pytest
import torch
import torchvision
from mmengine.config import Config
from mmpretrain.registry import MODELS

from grass_mm.checkpoint import (backbone_config, check_torchvision_settings,
                                 read_model_config, resnet_depth,
                                 to_torchvision_resnet)

ROOT = Path(__file__).resolve().parents[2]
CONVERTER = ROOT / 'tools' / 'model_converters' / 'grass2torchvision.py'


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


def pretraining_config(**backbone) -> Config:
    """A GraSS pretraining config with this backbone."""
    return Config(
        dict(
            default_scope='mmpretrain',
            model=dict(
                type='GraSS',
                ratio=0.5,
                algorithm=dict(
                    type='NTXentSimCLR',
                    backbone=dict(dict(type='ResNet'), **backbone),
                    neck=dict(type='NonLinearNeck', in_channels=512)))))


def grass_checkpoint(path: Path,
                     backbone: torch.nn.Module,
                     config: Config = None) -> Path:
    """A checkpoint laid out as GraSS writes it: backbone, neck, meta; the
    meta records ``config`` as mmengine's Runner does (its text)."""
    state_dict = {f'backbone.{k}': v for k, v in backbone.state_dict().items()}
    state_dict['neck.mlp.0.weight'] = torch.randn(8, 4)
    meta = dict(epoch=4)
    if config is not None:
        meta['cfg'] = config.pretty_text
    torch.save(dict(state_dict=state_dict, meta=meta), path)
    return path


def assert_same_features(model, backbone):
    """The pooled features of ``model`` equal the mmpretrain backbone's."""
    model.eval()
    images = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        expected = backbone(images)[-1].mean(dim=(2, 3))
        torch.testing.assert_close(
            model(images), expected, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize('depth, settings_from', [(18, 'checkpoint'),
                                                  (50, 'checkpoint'),
                                                  (50, '--config')])
def test_torchvision_loads_it_strictly_and_computes_the_same(
        tools, tmp_path, depth, settings_from):
    backbone = trained_like_backbone(depth)
    config = pretraining_config(depth=depth, norm_cfg=dict(type='SyncBN'))
    out = tmp_path / 'export' / f'resnet{depth}.pth'
    command = [sys.executable, CONVERTER]
    if settings_from == '--config':
        config.dump(tmp_path / 'grass.py')
        command += ['--config', tmp_path / 'grass.py']
        config = None
    source = grass_checkpoint(tmp_path / 'epoch_4.pth', backbone, config)

    result = tools.run(command + [source, out], cwd=tmp_path)

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
    source = grass_checkpoint(tmp_path / 'v1d.pth', backbone,
                              pretraining_config(type='ResNetV1d', depth=18))
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
    source = grass_checkpoint(tmp_path / 'epoch_4.pth', backbone,
                              pretraining_config(depth=18))
    out = tmp_path / 'resnet18_timm.pth'

    result = tools.run([sys.executable, CONVERTER, source, out, '--timm'],
                       cwd=tmp_path)

    tools.assert_ok(result)
    model = timm.create_model('resnet18', pretrained=False, num_classes=0)
    model.load_state_dict(torch.load(out, weights_only=True), strict=True)
    assert_same_features(model, backbone)


@pytest.mark.parametrize('settings_from', ['checkpoint', '--config'])
def test_a_caffe_style_backbone_is_refused_by_name(tools, tmp_path,
                                                   settings_from):
    # style='caffe' has the names and shapes of style='pytorch': only the
    # config tells them apart
    backbone = trained_like_backbone(50, style='caffe')
    config = pretraining_config(depth=50, style='caffe')
    out = tmp_path / 'resnet50.pth'
    command = [sys.executable, CONVERTER]
    if settings_from == '--config':
        config.dump(tmp_path / 'grass_caffe.py')
        command += ['--config', tmp_path / 'grass_caffe.py']
        config = None
    source = grass_checkpoint(tmp_path / 'caffe.pth', backbone, config)

    result = tools.run(command + [source, out], cwd=tmp_path)

    assert result.returncode != 0
    assert "`style='caffe'`" in result.stderr
    assert "resnet50 is `style='pytorch'`" in result.stderr
    where = 'grass_caffe.py' if config is None else f"{source}: the config"
    assert where in result.stderr
    assert 'Traceback' not in result.stderr
    assert not out.exists()


def test_without_a_recorded_config_the_tool_asks_for_one(tools, tmp_path):
    source = grass_checkpoint(tmp_path / 'bare.pth', trained_like_backbone(18))
    out = tmp_path / 'resnet18.pth'

    result = tools.run([sys.executable, CONVERTER, source, out], cwd=tmp_path)

    assert result.returncode != 0
    assert f"error: {source}: it records no config (meta['cfg'])" in (
        result.stderr)
    assert '--config' in result.stderr
    assert not out.exists()


@pytest.mark.parametrize('settings, message', [
    (dict(style='caffe'), "`style='caffe'`"),
    (dict(deep_stem=True), '`deep_stem=True`'),
    (dict(avg_down=True), '`avg_down=True`'),
    (dict(strides=(1, 2, 2, 1)), r'`strides=\(1, 2, 2, 1\)`'),
    (dict(dilations=[1, 1, 1, 2]), r'`dilations=\[1, 1, 1, 2\]`'),
    (dict(base_channels=32), '`base_channels=32`'),
    (dict(num_stages=3), '`num_stages=3`'),
    (dict(type='ResNeXt', groups=32), "`type='ResNeXt'`"),
    (dict(type='mmseg.ResNet'), "`type='mmseg.ResNet'`"),
    (dict(groups=32), '`groups`: not a setting'),
    (dict(depth=101), '`depth=101` in the config'),
    (dict(norm_cfg=dict(type='GN', num_groups=8)), '`norm_cfg='),
    (dict(norm_cfg=dict(type='BN', eps=1e-3)), '`norm_cfg='),
    (dict(expansion=2), '`expansion=2`'),
])
def test_settings_torchvision_does_not_have_are_refused(settings, message):
    backbone = dict(dict(type='ResNet', depth=50), **settings)
    with pytest.raises(ValueError, match=message):
        check_torchvision_settings(backbone, 50)


@pytest.mark.parametrize('path',
                         ['grass_r50_potsdam.py', 'byol_r50_potsdam.py'])
def test_the_shipped_pretraining_configs_are_torchvision_resnets(path):
    # their recorded text, read without running it, gives their model
    config = Config.fromfile(ROOT / 'configs' / path)
    model = read_model_config(config.pretty_text)
    assert model == config.to_dict()['model']
    check_torchvision_settings(backbone_config(model), 50)


def test_a_recorded_config_is_read_not_run(tmp_path):
    flag = tmp_path / 'ran'
    text = f"model = dict(backbone=__import__('pathlib').Path({str(flag)!r})" \
        '.touch())\n'
    with pytest.raises(ValueError, match='more than plain data'):
        read_model_config(text)
    assert not flag.exists()
    assert read_model_config('x = 1\n') is None
    with pytest.raises(ValueError, match='neither `model.backbone` nor'):
        backbone_config(dict(type='GraSS'))


def test_the_forward_check_uses_the_configs_architecture():
    tool_spec = importlib.util.spec_from_file_location('grass2tv', CONVERTER)
    tool = importlib.util.module_from_spec(tool_spec)
    tool_spec.loader.exec_module(tool)
    backbone = trained_like_backbone(50, style='caffe')
    state_dict = backbone.state_dict()
    model = torchvision.models.resnet50(weights=None)
    model.fc = torch.nn.Identity()
    model.load_state_dict(state_dict, strict=True)

    caffe = tool.check_forward(model, state_dict,
                               dict(type='ResNet', depth=50, style='caffe'))
    pytorch = tool.check_forward(model, state_dict,
                                 dict(type='ResNet', depth=50))

    assert caffe > 100 * tool.RELATIVE_TOLERANCE
    assert pytorch <= tool.RELATIVE_TOLERANCE

# Copyright (c) grass_mm contributors. All rights reserved.
"""mmseg's evaluation protocol is the default of the Potsdam converter.

mmseg's documented protocol: 512 x 512 windows every 512 pixels, the last
row and column flush with the tile edge (144 per 6000 x 6000 tile, 3,456
training and 2,016 validation patches), on the eroded labels. The tests pin
those counts, check the converter's defaults on tiny archives whose tile
size tells the protocol apart from overlapping windows, and run
``tools/test.py`` on a converted folder to see that it evaluates exactly
the validation patches.
"""
import json
import os
import pickle
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from PIL import Image

import grass_mm  # noqa: F401  (registers the datasets and init)
from grass_mm.datasets import tile_windows, window_starts
from grass_mm.datasets.converters import (POTSDAM_SPLITS, ConversionError,
                                          convert_potsdam)
from .factories import DATASET_CONFIGS, REPO_ROOT, make_potsdam, run_tool

FINETUNE_RUNTIME = REPO_ROOT / 'configs' / 'finetune' / '_base_' / (
    'default_runtime.py')

SIZE, CLIP = 45, 16  # 3 x 3 windows every 16 px; 5 x 5 every 8 px


def test_mmseg_protocol_patch_counts_on_real_potsdam_tiles():
    per_tile = len(tile_windows(6000, 6000, 512, 512))
    assert window_starts(6000, 512, 512)[-2:] == [5120, 5488]  # flush
    assert per_tile == 144
    assert per_tile * len(POTSDAM_SPLITS['train']) == 3456
    assert per_tile * len(POTSDAM_SPLITS['val']) == 2016
    # the overlapping grid of before (stride 256) counted pixels up to 4 times
    old = len(tile_windows(6000, 6000, 512, 256))
    assert (old, old * len(POTSDAM_SPLITS['val'])) == (529, 7406)


@pytest.fixture(scope='module')
def both_labels(tmp_path_factory):
    """Tiny Potsdam archives with both label versions."""
    root = tmp_path_factory.mktemp('potsdam_both')
    return root, make_potsdam(root, size=SIZE, labels=('full', 'eroded'))


@pytest.fixture(scope='module')
def default_out(both_labels, tmp_path_factory):
    """The tool with its defaults but the clip size."""
    archives, tiles = both_labels
    out = tmp_path_factory.mktemp('protocol') / 'potsdam'
    proc = run_tool('potsdam', archives, '-o', out, '--clip-size', CLIP)
    assert proc.returncode == 0, proc.stderr
    return out, tiles, proc


def names(folder):
    return sorted(os.listdir(folder))


def test_defaults_are_mmseg_protocol_with_eroded_labels(default_out):
    out, tiles, proc = default_out
    assert "{'train': 216, 'val': 126} patches" in proc.stdout  # 9 per tile
    assert 'eroded labels from 5_Labels_all_noBoundary.zip' in proc.stdout
    assert 'stride train 16, val 16' in proc.stdout
    stamp = json.loads((out / '.grass_mm_conversion.json').read_text())
    assert stamp['labels'] == 'eroded'
    assert stamp['strides'] == dict(train=CLIP, val=CLIP)
    assert [a[0] for a in stamp['archives']
            ] == ['2_Ortho_RGB.zip', '5_Labels_all_noBoundary.zip']
    for split, ids in POTSDAM_SPLITS.items():
        assert names(out / 'ann_dir' / split) == sorted(
            f'{t}_{x0}_{y0}_{x1}_{y1}.png' for t in ids
            for y0, x0, y1, x1 in tile_windows(SIZE, SIZE, CLIP, CLIP))
    label = np.asarray(
        Image.open(out / 'ann_dir' / 'val' / '7_13_29_29_45_45.png'))
    np.testing.assert_array_equal(label, tiles['7_13']['eroded_ids'][29:45,
                                                                     29:45])
    assert not np.array_equal(label, tiles['7_13']['ids'][29:45, 29:45])
    # black is the eroded boundary, meant to be ignored: no warning
    assert 'outside the palette' not in proc.stdout
    assert 'note: full labels' not in proc.stdout


def test_stride_densifies_training_only(both_labels, tmp_path):
    archives, _ = both_labels
    summary = convert_potsdam(
        str(archives),
        str(tmp_path / 'out'),
        clip_size=CLIP,
        stride=8,
        percents=(100, ))
    assert summary['patches'] == dict(train=24 * 25, val=14 * 9)


def test_labels_option(both_labels, tmp_path):
    archives, tiles = both_labels
    out = tmp_path / 'out'
    summary = convert_potsdam(
        str(archives),
        str(out),
        labels='full',
        clip_size=CLIP,
        percents=(100, ))
    assert (summary['labels'],
            summary['label_archive']) == ('full', '5_Labels_all.zip')
    label = np.asarray(
        Image.open(out / 'ann_dir' / 'train' / '2_10_0_0_16_16.png'))
    np.testing.assert_array_equal(label, tiles['2_10']['ids'][:16, :16])
    only_full = tmp_path / 'only_full'
    only_full.mkdir()
    for name in ('2_Ortho_RGB.zip', '5_Labels_all.zip'):
        os.link(archives / name, only_full / name)
    with pytest.raises(
            ConversionError,
            match='missing archive.*'
            '5_Labels_all_noBoundary.zip'):
        convert_potsdam(
            str(only_full),
            str(tmp_path / 'x'),
            labels='eroded',
            clip_size=CLIP)
    with pytest.raises(
            ConversionError,
            match="labels must be one of auto, "
            "eroded, full, got 'boundary'"):
        convert_potsdam(
            str(archives),
            str(tmp_path / 'x'),
            labels='boundary',
            clip_size=CLIP)
    proc = run_tool('potsdam', archives, '--labels', 'none')
    assert proc.returncode == 2 and "invalid choice: 'none'" in proc.stderr


def test_finetune_configs_say_which_labels():
    for name in ('potsdam_finetune.py', 'vaihingen_finetune.py'):
        text = (DATASET_CONFIGS / name).read_text()
        assert 'eroded' in text and 'every 512 pixels' in text, name


TINY_MODEL = """\
_base_ = [{base!r}, {runtime!r}]
custom_imports = dict(imports=['grass_mm'], allow_failed_imports=False)
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=dict(
        type='SegDataPreProcessor', mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375], bgr_to_rgb=True, pad_val=0,
        seg_pad_val=255),
    backbone=dict(type='ResNet', depth=18, stem_channels=8, base_channels=8,
                  out_indices=(3, ), norm_cfg=norm_cfg),
    decode_head=dict(
        type='FCNHead', in_channels=64, channels=8, num_convs=1,
        concat_input=False, num_classes=6, norm_cfg=norm_cfg,
        loss_decode=dict(type='CrossEntropyLoss', loss_weight=1.0)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
val_dataloader = dict(num_workers=0, persistent_workers=False,
                      dataset=dict(data_root={data_root!r}))
test_dataloader = val_dataloader
train_cfg = dict(type='IterBasedTrainLoop', max_iters=1)
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.01))
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
"""


def test_test_tool_evaluates_exactly_the_validation_patches(
        default_out, tmp_path):
    out, _, _ = default_out
    config = tmp_path / 'fcn_tiny_potsdam.py'
    config.write_text(
        TINY_MODEL.format(
            base=str(DATASET_CONFIGS / 'potsdam_finetune.py'),
            runtime=str(FINETUNE_RUNTIME),
            data_root=str(out)))
    from mmseg.registry import MODELS
    with DefaultScope.overwrite_default_scope('mmseg'):
        model = MODELS.build(Config.fromfile(str(config)).model)
    checkpoint = tmp_path / 'tiny.pth'
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), checkpoint)
    predictions = tmp_path / 'predictions.pkl'
    proc = subprocess.run([
        sys.executable,
        str(REPO_ROOT / 'tools' / 'test.py'),
        str(config),
        str(checkpoint), '--work-dir',
        str(tmp_path / 'work'), '--out',
        str(predictions)
    ],
                          cwd=tmp_path,
                          capture_output=True,
                          text=True,
                          timeout=600,
                          env=dict(os.environ, CUDA_VISIBLE_DEVICES=''))
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert proc.stdout.strip().splitlines()[-1].startswith('mIoU: ')
    with open(predictions, 'rb') as f:
        results = pickle.load(f)
    evaluated = sorted(os.path.basename(r['img_path']) for r in results)
    assert len(evaluated) == 14 * 9 == 126
    assert evaluated == names(out / 'img_dir' / 'val')

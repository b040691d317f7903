# Copyright (c) grass_mm contributors. All rights reserved.
"""tools/probe_checkpoint.py on a tiny SimCLR config and an mmseg set."""
import json
import os
import sys

import mmengine
import torch
from mmengine.config import Config

import grass_mm
from grass_mm.apis import load_pretraining_model
from grass_mm.utils import check_versions

PROBE_TOOL = 'tools/probe_checkpoint.py'


def write_split(seg_config, names=('0', '1')):
    root = Config.fromfile(str(seg_config)).train_dataloader.dataset.data_root
    splits = f'{root}/splits'
    os.makedirs(splits, exist_ok=True)
    with open(f'{splits}/train_50pct.txt', 'w') as f:
        f.write('\n'.join(names) + '\n')


def probe(tools, cwd, config, checkpoint, *extra):
    return tools.run([
        sys.executable, tools.repo_root / PROBE_TOOL, config, checkpoint,
        *extra
    ],
                     cwd=cwd)


def test_probes_random_init_and_a_checkpoint(tools, simclr_config, seg_config,
                                             tmp_path):
    write_split(seg_config)
    out = tmp_path / 'probe.json'
    result = probe(tools, tmp_path, simclr_config, 'none', '--data-config',
                   seg_config, '--label-fraction', '50', '--out', out)
    tools.assert_ok(result)
    assert 'fitted on' in result.stdout and '2 images' in result.stdout
    assert 'probe mIoU: ' in result.stdout
    report = json.loads(out.read_text())
    assert 0 <= report['mIoU'] <= 100
    assert report['pixels'] > 0
    assert report['label_fraction'] == 50
    # everything the score depends on, and where it ran
    setup = report['setup']
    assert setup['stride'] == 8 and setup['ridge'] == 0.01
    assert setup['feature_stages'] == [0, 1, 2, 3]  # ResNet-18's 4 stages
    assert setup['label_fraction'] == 50
    data_root = Config.fromfile(
        str(seg_config)).val_dataloader.dataset.data_root
    assert setup['val_set'] == dict(
        type='BaseSegDataset',
        data_root=data_root,
        ann_file=None,
        img_path='img_dir/val',
        images=2)
    assert setup['train_set']['ann_file'] == 'splits/train_50pct.txt'
    assert setup['train_set']['images'] == 2
    assert setup['stack'] == check_versions()
    versions = setup['versions']
    assert versions['grass_mm'] == grass_mm.__version__
    assert versions['torch'] == torch.__version__
    assert mmengine.__version__ in versions['mmengine']
    assert set(versions) >= {'mmcv', 'mmpretrain', 'mmseg'}

    # a checkpoint whose backbone is zero: its features say nothing, so the
    # probe falls to the class frequencies (one class everywhere)
    model = load_pretraining_model(Config.fromfile(str(simclr_config)), None)
    state = {
        k: (torch.zeros_like(v)
            if k.startswith('backbone.') and v.is_floating_point() else v)
        for k, v in model.state_dict().items()
    }
    checkpoint = tmp_path / 'zero.pth'
    torch.save(dict(state_dict=state), checkpoint)
    out_zero = tmp_path / 'zero.json'
    tools.assert_ok(
        probe(tools, tmp_path, simclr_config, checkpoint, '--data-config',
              seg_config, '--label-fraction', '50', '--out', out_zero))
    zero = json.loads(out_zero.read_text())
    assert zero['mIoU'] < report['mIoU']
    assert zero['setup'] == setup


def test_errors_name_what_is_missing(tools, simclr_config, seg_config,
                                     tmp_path):
    write_split(seg_config)
    result = probe(tools, tmp_path, simclr_config, 'none')
    assert result.returncode != 0
    assert 'no SegmentationProbeHook' in result.stderr
    assert '--data-config' in result.stderr

    result = probe(tools, tmp_path, simclr_config, tmp_path / 'missing.pth',
                   '--data-config', seg_config, '--label-fraction', '50')
    assert result.returncode != 0
    assert 'missing.pth' in result.stderr

# Copyright (c) grass_mm contributors. All rights reserved.
"""Tiny data sets and configs for end-to-end runs of the tools on a CPU.

Each helper writes files under a given directory and returns their paths;
the configs are plain mmengine python configs, written out so a failing run
can be reproduced by hand with ``tools/train.py``.
"""
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Optional, Sequence

import numpy as np
import pytest
from PIL import Image

REPO_ROOT = Path(__file__).resolve().parents[2]
TRAIN_TOOL = REPO_ROOT / 'tools' / 'train.py'
TEST_TOOL = REPO_ROOT / 'tools' / 'test.py'

IMAGE_SIZE = 32


def write_image_folder(root: Path, num_images: int = 8) -> Path:
    """Write an unlabelled folder of random RGB PNGs."""
    rng = np.random.default_rng(0)
    root.mkdir(parents=True, exist_ok=True)
    for i in range(num_images):
        pixels = rng.integers(0, 256, (IMAGE_SIZE, IMAGE_SIZE, 3), np.uint8)
        Image.fromarray(pixels).save(root / f'{i:03d}.png')
    return root


def write_seg_dataset(root: Path,
                      splits: Optional[Dict[str, int]] = None,
                      num_classes: int = 3) -> Path:
    """Write an mmseg ``img_dir/{split}`` + ``ann_dir/{split}`` data set.

    Labels are horizontal bands, one class each, so they can be learnt.
    """
    splits = splits or dict(train=4, val=2)
    rng = np.random.default_rng(0)
    band = IMAGE_SIZE // num_classes + 1
    labels = (np.arange(IMAGE_SIZE) // band).astype(np.uint8)
    label_map = np.repeat(labels[:, None], IMAGE_SIZE, axis=1)
    for split, count in splits.items():
        (root / 'img_dir' / split).mkdir(parents=True, exist_ok=True)
        (root / 'ann_dir' / split).mkdir(parents=True, exist_ok=True)
        for i in range(count):
            noise = rng.integers(0, 40, (IMAGE_SIZE, IMAGE_SIZE, 3), np.uint8)
            image = noise + (label_map[..., None] * 100).astype(np.uint8)
            Image.fromarray(image).save(root / 'img_dir' / split / f'{i}.png')
            Image.fromarray(label_map).save(root / 'ann_dir' / split /
                                            f'{i}.png')
    return root


SIMCLR_CONFIG = """\
_base_ = 'mmpretrain::simclr/simclr_resnet50_16xb256-coslr-200e_in1k.py'
custom_imports = dict(imports=['grass_mm'], allow_failed_imports=False)
default_scope = 'mmpretrain'

# model settings
model = dict(
    backbone=dict(depth=18, norm_cfg=dict(type='BN')),
    neck=dict(in_channels=512, hid_channels=32, out_channels=16))

# dataset settings
view_pipeline = [
    dict(type='RandomResizedCrop', scale={size}, backend='pillow'),
    dict(type='RandomFlip', prob=0.5),
]
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='MultiView', num_views=2, transforms=[view_pipeline]),
    dict(type='PackInputs'),
]
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        _delete_=True,
        type='CustomDataset',
        data_root={data_root!r},
        with_label=False,
        pipeline=train_pipeline))

# optimizer
optim_wrapper = dict(optimizer=dict(lr=0.1))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=2, by_epoch=True, begin=0, end=2)
]

# runtime settings
train_cfg = dict(max_epochs=2)
default_hooks = dict(
    logger=dict(interval=1), checkpoint=dict(interval=1, max_keep_ckpts=3))
randomness = dict(seed=0)
"""

SEG_CONFIG = """\
default_scope = 'mmseg'
custom_imports = dict(imports=['grass_mm'], allow_failed_imports=False)

# model settings
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=dict(
        type='SegDataPreProcessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_val=0,
        seg_pad_val=255,
        size=({size}, {size})),
    backbone=dict(
        type='ResNetV1c', depth=18, out_indices=(3, ), norm_cfg=norm_cfg),
    decode_head=dict(
        type='FCNHead',
        in_channels=512,
        channels=16,
        num_convs=1,
        concat_input=False,
        num_classes={num_classes},
        norm_cfg=norm_cfg,
        loss_decode=dict(type='CrossEntropyLoss', loss_weight=1.0)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))

# dataset settings
metainfo = dict(
    classes=('background', 'field', 'road'),
    palette=[[0, 0, 0], [0, 255, 0], [255, 0, 0]])
pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='PackSegInputs'),
]

train_dataset = dict(
    type='BaseSegDataset',
    data_root={data_root!r},
    metainfo=metainfo,
    img_suffix='.png',
    seg_map_suffix='.png',
    data_prefix=dict(img_path='img_dir/train', seg_map_path='ann_dir/train'),
    pipeline=pipeline)
val_dataset = dict(
    type='BaseSegDataset',
    data_root={data_root!r},
    metainfo=metainfo,
    img_suffix='.png',
    seg_map_suffix='.png',
    data_prefix=dict(img_path='img_dir/val', seg_map_path='ann_dir/val'),
    pipeline=pipeline)
train_dataloader = dict(
    batch_size=2,
    num_workers=0,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=train_dataset)
val_dataloader = dict(
    batch_size=1,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=val_dataset)
test_dataloader = val_dataloader
val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator

# optimizer
optim_wrapper = dict(
    type='OptimWrapper', optimizer=dict(type='SGD', lr=0.01, momentum=0.9))
param_scheduler = [
    dict(type='PolyLR', power=0.9, begin=0, end=4, by_epoch=False)
]

# runtime settings
train_cfg = dict(type='IterBasedTrainLoop', max_iters=4, val_interval=4)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=1, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(
        type='CheckpointHook', by_epoch=False, interval=4, save_best='mIoU'),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))
visualizer = dict(
    type='SegLocalVisualizer',
    vis_backends=[dict(type='LocalVisBackend')],
    name='visualizer')
log_processor = dict(by_epoch=False)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0)
"""


def write_simclr_config(directory: Path) -> Path:
    """Write a tiny SimCLR pretraining config and its image folder."""
    data_root = write_image_folder(directory / 'images')
    path = directory / 'simclr_resnet18_tiny.py'
    path.write_text(
        SIMCLR_CONFIG.format(size=IMAGE_SIZE, data_root=str(data_root)))
    return path


def write_seg_config(directory: Path) -> Path:
    """Write a tiny mmseg fine-tuning config and its data set."""
    data_root = write_seg_dataset(directory / 'seg_data')
    path = directory / 'fcn_resnet18_tiny.py'
    path.write_text(
        SEG_CONFIG.format(
            size=IMAGE_SIZE, num_classes=3, data_root=str(data_root)))
    return path


class ToolRunner:
    """Runs the repository's tools as subprocesses on the CPU."""

    repo_root = REPO_ROOT

    def run(self,
            command: Sequence[str],
            cwd: Path,
            env: Optional[Dict[str, str]] = None,
            timeout: float = 300) -> subprocess.CompletedProcess:
        """Run a command with no GPU visible; output captured as text."""
        full_env = dict(os.environ, CUDA_VISIBLE_DEVICES='', **(env or {}))
        return subprocess.run([str(part) for part in command],
                              cwd=cwd,
                              env=full_env,
                              capture_output=True,
                              text=True,
                              timeout=timeout)

    def train(self, *args: Any, cwd: Path) -> subprocess.CompletedProcess:
        """``python tools/train.py ARGS`` with this interpreter."""
        return self.run([sys.executable, TRAIN_TOOL, *args], cwd=cwd)

    def test(self, *args: Any, cwd: Path) -> subprocess.CompletedProcess:
        """``python tools/test.py ARGS`` with this interpreter."""
        return self.run([sys.executable, TEST_TOOL, *args], cwd=cwd)

    @staticmethod
    def assert_ok(result: subprocess.CompletedProcess) -> None:
        """Fail with the command's output when it did not succeed."""
        assert result.returncode == 0, (
            f'exit code {result.returncode}\n--- stdout\n'
            f'{result.stdout[-4000:]}\n--- stderr\n{result.stderr[-4000:]}')

    @staticmethod
    def read_log(work_dir: Path) -> str:
        """Text of every run log under an mmengine work dir."""
        logs = sorted(work_dir.glob('*/*.log'))
        assert logs, f'no log under {work_dir}'
        return '\n'.join(path.read_text() for path in logs)


@pytest.fixture(scope='session')
def tools() -> ToolRunner:
    """Runs tools/train.py, tools/test.py and the shell launchers."""
    return ToolRunner()


@pytest.fixture
def simclr_config(tmp_path: Path) -> Path:
    """A tiny SimCLR pretraining config with its image folder."""
    return write_simclr_config(tmp_path)


@pytest.fixture
def seg_config(tmp_path: Path) -> Path:
    """A tiny mmseg fine-tuning config with its data set."""
    return write_seg_config(tmp_path)


@pytest.fixture(scope='module')
def seg_run(tmp_path_factory: pytest.TempPathFactory,
            tools: ToolRunner) -> Dict[str, Path]:
    """A tiny mmseg model trained for 4 iterations by tools/train.py."""
    root = tmp_path_factory.mktemp('seg')
    config = write_seg_config(root)
    work_dir = root / 'work_dir'
    tools.assert_ok(tools.train(config, '--work-dir', work_dir, cwd=root))
    assert (work_dir / 'iter_4.pth').is_file()
    return dict(root=root, config=config, work_dir=work_dir)

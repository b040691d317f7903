"""Tiny GraSS configs, images, label maps and runs for the visualisation tests.

One real training run (3 iterations, ID warm-up of 1, the visualisation hook
drawing every iteration) is shared by the hook, curve and tool tests: it
gives a work directory with ``vis_data/`` and a real checkpoint.
"""
import os.path as osp
import subprocess
import sys
from pathlib import Path
from typing import Dict

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.runner import Runner
from PIL import Image

import grass_mm  # noqa: F401

REPO_ROOT = Path(__file__).resolve().parents[2]
IMAGE_SIZE = 64  # side of the training views

TINY_GRASS_CONFIG = """\
custom_imports = dict(imports=['grass_mm'], allow_failed_imports=False)
default_scope = 'mmpretrain'

# model settings
data_preprocessor = dict(
    type='SelfSupDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)
model = dict(
    type='GraSS',
    ratio=0.5,
    algorithm=dict(
        type='NTXentSimCLR',
        backbone=dict(type='ResNet', depth=18, norm_cfg=dict(type='BN')),
        neck=dict(type='NonLinearNeck', in_channels=512, hid_channels=32,
                  out_channels=16, num_layers=2, with_avg_pool=True,
                  norm_cfg=dict(type='BN1d')),
        head=dict(type='NTXentHead', temperature=0.5)))

# dataset settings
view_pipeline = [
    dict(type='RandomResizedCrop', scale={size}, backend='pillow'),
    dict(type='RandomFlip', prob=0.5),
]
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='CustomDataset',
        data_prefix={image_dir!r},
        with_label=False,
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='MultiView', num_views=2, transforms=[view_pipeline]),
            dict(type='PackInputs'),
        ]))

# optimizer
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.01))

# runtime settings
train_cfg = dict(type='IterBasedTrainLoop', max_iters=3)
custom_hooks = [
    dict(type='GradientGuidedSamplerHook', warmup_iters=1),
    dict(type='GraSSVisualizationHook', interval=1, max_views=3),
]
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=1),
    checkpoint=dict(type='CheckpointHook', interval=3, by_epoch=False))
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='UniversalVisualizer', vis_backends=vis_backends)
log_processor = dict(by_epoch=False)
randomness = dict(seed=0)
"""


def write_images(root: Path, num_images: int = 8, shape=(80, 96)) -> Path:
    """RGB PNGs: noise with a flat square, so views have some structure."""
    rng = np.random.default_rng(0)
    root.mkdir(parents=True, exist_ok=True)
    for i in range(num_images):
        pixels = rng.integers(0, 256, (*shape, 3), dtype=np.uint8)
        top = rng.integers(0, shape[0] // 2)
        left = rng.integers(0, shape[1] // 2)
        pixels[top:top + shape[0] // 2, left:left + shape[1] // 2] = (
            rng.integers(0, 256, 3, dtype=np.uint8))
        Image.fromarray(pixels).save(root / f'{i:02d}.png')
    return root


def write_grass_config(directory: Path) -> Path:
    """The tiny GraSS config and its image folder."""
    image_dir = write_images(directory / 'images')
    path = directory / 'grass_resnet18_tiny.py'
    path.write_text(
        TINY_GRASS_CONFIG.format(size=IMAGE_SIZE, image_dir=str(image_dir)))
    return path


# Label map of the segmentation set: 4 rows unlabelled (255), then 16 rows of
# class 0, 8 of class 1 and 4 of class 2. Whole view: purity 16 / 28 = 4 / 7,
# 3 classes; resizing it by 2 with nearest and mirroring keep that.
SEG_SIZE = 64
LABEL_ROWS = [255] * 4 + [0] * 16 + [1] * 8 + [2] * 4


def write_seg_dataset(root: Path, num_images: int = 5) -> Dict[str, Path]:
    """Images and label maps, mmseg style, with the label map above."""
    label = np.repeat(
        np.repeat(np.array(LABEL_ROWS, np.uint8), 2)[:, None],
        SEG_SIZE,
        axis=1)
    img_dir, ann_dir = root / 'img_dir', root / 'ann_dir'
    img_dir.mkdir(parents=True)
    ann_dir.mkdir(parents=True)
    rng = np.random.default_rng(1)
    for i in range(num_images):
        noise = rng.integers(0, 60, (SEG_SIZE, SEG_SIZE, 3), dtype=np.uint8)
        image = noise + (label[..., None] % 4 * 60).astype(np.uint8)
        Image.fromarray(image).save(img_dir / f'{i}.png')
        Image.fromarray(label).save(ann_dir / f'{i}.png')
    return dict(img_dir=img_dir, ann_dir=ann_dir)


@pytest.fixture(scope='session')
def grass_run(tmp_path_factory) -> Dict[str, Path]:
    """A 3-iteration GraSS run with the visualisation hook at interval 1."""
    root = tmp_path_factory.mktemp('grass_run')
    config = write_grass_config(root)
    cfg = Config.fromfile(str(config))
    cfg.work_dir = str(root / 'work_dir')
    runner = Runner.from_cfg(cfg)
    runner.train()
    checkpoint = root / 'work_dir' / 'iter_3.pth'
    assert checkpoint.is_file()
    return dict(
        root=root,
        config=config,
        work_dir=root / 'work_dir',
        log_dir=Path(runner.log_dir),
        checkpoint=checkpoint,
        runner=runner)


@pytest.fixture(scope='session')
def seg_dataset(tmp_path_factory) -> Dict[str, Path]:
    """Five labelled images with a known label map."""
    return write_seg_dataset(tmp_path_factory.mktemp('seg'))


def png(path) -> np.ndarray:
    """A PNG as an RGB array."""
    assert osp.isfile(path), f'{path} was not written'
    return np.asarray(Image.open(path).convert('RGB'))


def assert_not_blank(image: np.ndarray, min_colours: int = 20) -> None:
    """Several distinct colours and some spread: something was drawn."""
    assert image.ndim == 3 and image.shape[2] == 3
    colours = np.unique(image.reshape(-1, 3), axis=0)
    assert len(colours) >= min_colours, f'only {len(colours)} colours'
    assert image.std() > 10


def run_tool(name, *args, cwd) -> str:
    """Run ``tools/NAME`` with this checkout's grass_mm, on the CPU; fail
    with its output unless it exits 0. Returns its standard output."""
    result = subprocess.run(
        [sys.executable,
         str(REPO_ROOT / 'tools' / name), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={
            'CUDA_VISIBLE_DEVICES': '',
            'PATH': '/usr/bin:/bin',
            # the tools import this checkout's grass_mm, as the tests do
            'PYTHONPATH': str(REPO_ROOT)
        })
    assert result.returncode == 0, (
        f'exit code {result.returncode}\n{result.stdout[-3000:]}\n'
        f'{result.stderr[-3000:]}')
    return result.stdout

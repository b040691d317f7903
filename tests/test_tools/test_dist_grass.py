"""GraSS pretraining under tools/dist_train.sh: 2 CPU processes (gloo)
through the GS stage, and a resume from the middle of GS training."""
import sys

import numpy as np
import torch
from PIL import Image

from grass_mm.checkpoint import register_checkpoint_safe_globals

register_checkpoint_safe_globals()

# configs/grass_r50_potsdam.py with tiny overrides: ResNet-18, BN, 64 x 64
# views, 3 epochs (1 of ID warm-up) of 2 iterations on 2 processes.
GRASS_CONFIG = """\
_base_ = {base!r}

model = dict(
    algorithm=dict(
        backbone=dict(depth=18, norm_cfg=dict(type='BN')),
        neck=dict(in_channels=512, hid_channels=32, out_channels=16,
                  norm_cfg=dict(type='BN1d'))))
view_pipeline = [
    dict(type='RandomResizedCrop', scale=64, backend='pillow'),
    dict(type='RandomFlip', prob=0.5),
]
train_dataloader = dict(
    batch_size=2,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        data_root={data_root!r},
        data_prefix='',
        patch_size=None,
        stride=None,
        pipeline=[
            dict(type='MultiView', num_views=2, transforms=[view_pipeline]),
            dict(type='PackInputs')
        ]))
max_epochs = 3
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=max_epochs, by_epoch=True,
         begin=0, end=max_epochs)
]
custom_hooks = [dict(type='GradientGuidedSamplerHook', warmup_epochs=1)]
default_hooks = dict(
    logger=dict(interval=1), checkpoint=dict(interval=1, max_keep_ckpts=5))
randomness = dict(seed=0)
"""


def test_two_process_grass_through_gs_and_resume_mid_gs(
        tools, tmp_path, free_port):
    images = tmp_path / 'images'
    images.mkdir()
    rng = np.random.default_rng(0)
    for i in range(8):
        pixels = rng.integers(0, 256, (80, 80, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(images / f'{i}.png')
    config = tmp_path / 'grass_r18_tiny.py'
    config.write_text(
        GRASS_CONFIG.format(
            base=str(tools.repo_root / 'configs' / 'grass_r50_potsdam.py'),
            data_root=str(images)))
    work_dir = tmp_path / 'work_dir'

    def dist_train(*args):
        result = tools.run([
            'bash', tools.repo_root / 'tools' / 'dist_train.sh', config, 2,
            '--work-dir', work_dir, *args
        ],
                           cwd=tmp_path,
                           env=dict(
                               PYTHON=sys.executable, PORT=str(free_port())))
        tools.assert_ok(result)

    dist_train()
    log = tools.read_log(work_dir)
    assert 'GPU number: 2' in log or 'world_size: 2' in log.lower()
    assert 'GraSS: GS training from epoch 2, iteration 3' in log
    assert 'gs_box_area' in log
    assert (work_dir / 'epoch_3.pth').is_file()

    # resume from epoch 2 (inside GS training) to a longer schedule
    for stale in work_dir.glob('2*'):
        stale.rename(tmp_path / f'first_run_{stale.name}')
    dist_train('--resume', work_dir / 'epoch_2.pth', '--cfg-options',
               'train_cfg.max_epochs=4', 'param_scheduler.0.T_max=4',
               'param_scheduler.0.end=4')
    resumed_log = tools.read_log(work_dir)
    assert 'resumed epoch: 2, iter: 4' in resumed_log
    assert 'GraSS: GS training from epoch 3, iteration 5' in resumed_log
    assert 'ID warm-up from' not in resumed_log
    assert 'Epoch(train) [3][1/2]' in resumed_log
    checkpoint = torch.load(work_dir / 'epoch_4.pth', weights_only=True)
    assert (checkpoint['meta']['epoch'], checkpoint['meta']['iter']) == (4, 8)
    assert any(key.startswith('backbone.') for key in checkpoint['state_dict'])

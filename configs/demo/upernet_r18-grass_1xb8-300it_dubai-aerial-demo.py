# The demo's fine-tuning (tools/demo.sh): UPerNet fine-tuned from the demo's
# GraSS checkpoint, configs/finetune/upernet_r50-grass_1xb8-20k_dubai-aerial
# made small enough for 2 CPU cores in a few minutes: ResNet-18, batch norm
# instead of SyncBN, 128 x 128 crops, 300 iterations.
_base_ = '../finetune/upernet_r50-grass_1xb8-20k_dubai-aerial-256x256.py'

# model settings
crop_size = (128, 128)
norm_cfg = dict(type='BN', requires_grad=True)
pretrained = 'work_dirs/demo/pretrain/epoch_4.pth'
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(
        depth=18, norm_cfg=norm_cfg, init_cfg=dict(checkpoint=pretrained)),
    decode_head=dict(
        in_channels=[64, 128, 256, 512], channels=128, norm_cfg=norm_cfg),
    auxiliary_head=dict(in_channels=256, channels=64, norm_cfg=norm_cfg))

# dataset settings: 128 x 128 crops of the 256 x 256 patches
train_dataloader = dict(
    dataset=dict(pipeline=[
        dict(type='LoadImageFromFile'),
        dict(type='LoadAnnotations', reduce_zero_label=True),
        dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
        dict(type='RandomFlip', prob=0.5),
        dict(type='PackSegInputs')
    ]))

# optimizer: mmseg's poly schedule over 300 iterations
max_iters = 300
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=1e-4,
        power=0.9,
        begin=0,
        end=max_iters,
        by_epoch=False)
]

# runtime settings
default_hooks = dict(
    logger=dict(interval=25),
    checkpoint=dict(by_epoch=False, interval=max_iters))

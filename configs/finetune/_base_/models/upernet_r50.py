# UPerNet with a ResNet-50 that takes an mmpretrain (GraSS, SimCLR, MoCo,
# BYOL) backbone as it is (https://arxiv.org/abs/2306.15868, Sec. IV).
# The settings are those of mmseg's `_base_/models/upernet_r50.py`
# (tests/test_configs/test_finetune_bases.py checks them against the
# installed mmseg), written out here so that the config loads on both
# supported stacks: mmengine cannot resolve `mmseg::` bases when mmseg is
# installed as onedl-mmsegmentation. The differences from mmseg's file:
# - mmseg's default ResNetV1c has a deep stem (three 3x3 convolutions);
#   mmpretrain's ResNet has the plain 7x7 one, so the backbone is mmseg's
#   ResNet with deep_stem=False, whose weights have the same names and
#   shapes;
# - mmseg's ImageNet initialisation (`pretrained='open-mmlab://resnet50_v1c'`)
#   is replaced by a strict load of the pretraining checkpoint.
norm_cfg = dict(type='SyncBN', requires_grad=True)
data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=data_preprocessor,
    pretrained=None,
    backbone=dict(
        type='ResNet',
        depth=50,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        dilations=(1, 1, 1, 1),
        strides=(1, 2, 2, 2),
        deep_stem=False,
        norm_cfg=norm_cfg,
        norm_eval=False,
        style='pytorch',
        contract_dilation=True,
        # StrictPretrained (grass_mm) fails unless every backbone weight of
        # the checkpoint loads; mmengine's type='Pretrained' takes the same
        # arguments but only logs the weights it could not load. Each
        # fine-tuning config sets the checkpoint.
        init_cfg=dict(
            type='StrictPretrained', checkpoint=None, prefix='backbone.')),
    decode_head=dict(
        type='UPerHead',
        in_channels=[256, 512, 1024, 2048],
        in_index=[0, 1, 2, 3],
        pool_scales=(1, 2, 3, 6),
        channels=512,
        dropout_ratio=0.1,
        num_classes=19,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    auxiliary_head=dict(
        type='FCNHead',
        in_channels=1024,
        in_index=2,
        channels=256,
        num_convs=1,
        concat_input=False,
        dropout_ratio=0.1,
        num_classes=19,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=0.4)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))

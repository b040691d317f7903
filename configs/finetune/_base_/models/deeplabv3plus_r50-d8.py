# DeepLabV3+ (output stride 8) with a ResNet-50 that takes an mmpretrain
# (GraSS, SimCLR, MoCo, BYOL) backbone as it is
# (https://arxiv.org/abs/2306.15868, Sec. IV).
# The decoder is UPerNet's sibling: this file inherits
# ./upernet_r50.py (its data preprocessor, the strictly loaded plain-stem
# ResNet-50 and the auxiliary FCN head) and changes what mmseg's
# `_base_/models/deeplabv3plus_r50-d8.py` changes: dilated last stages
# (the dilation changes no weight shape) and the separable ASPP head.
# tests/test_configs/test_finetune_bases.py checks the result against the
# installed mmseg's file.
_base_ = './upernet_r50.py'

model = dict(
    backbone=dict(dilations=(1, 1, 2, 4), strides=(1, 2, 1, 1)),
    decode_head=dict(
        _delete_=True,
        type='DepthwiseSeparableASPPHead',
        in_channels=2048,
        in_index=3,
        channels=512,
        dilations=(1, 12, 24, 36),
        c1_in_channels=256,
        c1_channels=48,
        dropout_ratio=0.1,
        num_classes=19,
        norm_cfg=_base_.norm_cfg,
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)))

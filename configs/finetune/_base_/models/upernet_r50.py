# mmseg's UPerNet with a ResNet-50 that takes an mmpretrain (GraSS, SimCLR,
# MoCo, BYOL) backbone as it is (https://arxiv.org/abs/2306.15868, Sec. IV).
# mmseg's default ResNetV1c has a deep stem (three 3x3 convolutions);
# mmpretrain's ResNet has the plain 7x7 one, so the backbone here is mmseg's
# ResNet with deep_stem=False, whose weights have the same names and shapes.
# mmseg's ImageNet initialisation (`pretrained='open-mmlab://resnet50_v1c'`)
# is replaced by a strict load of the pretraining checkpoint.
_base_ = 'mmseg::_base_/models/upernet_r50.py'

model = dict(
    pretrained=None,
    backbone=dict(
        type='ResNet',
        deep_stem=False,
        style='pytorch',
        # StrictPretrained (grass_mm) fails unless every backbone weight of
        # the checkpoint loads; mmengine's type='Pretrained' takes the same
        # arguments but only logs the weights it could not load. Each
        # fine-tuning config sets the checkpoint.
        init_cfg=dict(
            type='StrictPretrained', checkpoint=None, prefix='backbone.')))

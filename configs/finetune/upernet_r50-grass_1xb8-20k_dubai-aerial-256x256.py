# UPerNet with a ResNet-50 fine-tuned on the embedded Dubai aerial imagery
# from the GraSS checkpoint of configs/grass_r50_dubai-aerial.py
# (https://arxiv.org/abs/2306.15868, Sec. IV): 1 GPU x 8 crops of 256 x 256,
# 20k iterations, mmseg's SGD schedule.
# Another checkpoint: --cfg-options model.backbone.init_cfg.checkpoint=CKPT
_base_ = [
    './_base_/models/upernet_r50.py',
    '../_base_/datasets/dubai-aerial_finetune.py',
    './_base_/default_runtime.py',
    './_base_/schedules/schedule_20k.py',
]
custom_imports = dict(imports=['grass_mm'], allow_failed_imports=False)

# model settings
pretrained = 'work_dirs/grass_r50_dubai-aerial/epoch_350.pth'
num_classes = 5
model = dict(
    data_preprocessor=dict(size=_base_.crop_size),
    backbone=dict(init_cfg=dict(checkpoint=pretrained)),
    decode_head=dict(num_classes=num_classes),
    auxiliary_head=dict(num_classes=num_classes))

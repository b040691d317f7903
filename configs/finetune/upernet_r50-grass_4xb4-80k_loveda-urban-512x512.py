# UPerNet with a ResNet-50 fine-tuned on LoveDA Urban from the GraSS
# checkpoint of configs/grass_r50_loveda-urban.py
# (https://arxiv.org/abs/2306.15868, Sec. IV): 4 GPUs x 4 crops of 512 x 512,
# 80k iterations, mmseg's SGD schedule.
# Train with `tools/dist_train.sh THIS_CONFIG 4`. To start from another
# checkpoint (e.g. the SimCLR baseline's, work_dirs/simclr_r50_loveda-
# urban/epoch_350.pth, or any mmpretrain ResNet-50 checkpoint) or to train on
# a label fraction (1, 5, 10, 20, 50 or 100 %), add
#   --cfg-options model.backbone.init_cfg.checkpoint=CHECKPOINT
#   --cfg-options train_dataloader.dataset.ann_file=splits/train_10pct.txt
_base_ = [
    './_base_/models/upernet_r50.py',
    '../_base_/datasets/loveda-urban_finetune.py',
    './_base_/default_runtime.py',
    './_base_/schedules/schedule_80k.py',
]
custom_imports = dict(imports=['grass_mm'], allow_failed_imports=False)

# model settings
pretrained = 'work_dirs/grass_r50_loveda-urban/epoch_350.pth'
num_classes = 7
model = dict(
    data_preprocessor=dict(size=_base_.crop_size),
    backbone=dict(init_cfg=dict(checkpoint=pretrained)),
    decode_head=dict(num_classes=num_classes),
    auxiliary_head=dict(num_classes=num_classes))

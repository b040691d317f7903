# MoCo v2 (https://arxiv.org/abs/2003.04297) with mmpretrain's settings
# (mmpretrain::mocov2/mocov2_resnet50_8xb32-coslr-200e_in1k.py): ResNet-50
# with BN (MoCo shuffles batch norm across GPUs instead of syncing it),
# MLP 2048-2048-128, temperature 0.2, momentum encoder updated with
# momentum 0.001 (i.e. 0.999 kept).
# Deviation: a queue of 2048 keys instead of mmpretrain's 65536. Potsdam's
# pretraining set has 3456 patches (LoveDA's a few thousand), so 65536 keys
# would hold about 19 older keys of every image, which the loss then pushes
# away from that image's query as negatives. 2048 (8 batches of 256) spans
# less than one epoch. It must stay a multiple of the total batch size.
mocov2 = dict(
    type='MoCo',
    queue_len=2048,
    feat_dim=128,
    momentum=0.001,
    backbone=dict(
        type='ResNet',
        depth=50,
        norm_cfg=dict(type='BN'),
        zero_init_residual=False),
    neck=dict(
        type='MoCoV2Neck',
        in_channels=2048,
        hid_channels=2048,
        out_channels=128,
        with_avg_pool=True),
    head=dict(
        type='ContrastiveHead',
        loss=dict(type='CrossEntropyLoss'),
        temperature=0.2))
model = mocov2

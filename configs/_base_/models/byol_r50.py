# BYOL (https://arxiv.org/abs/2006.07733) with mmpretrain's settings
# (mmpretrain::byol/byol_resnet50_16xb256-coslr-200e_in1k.py): ResNet-50
# with SyncBN, projector and predictor MLPs 4096-256, cosine similarity
# loss, target network updated with base momentum 0.01 (annealed to 0 with
# a cosine over training).
byol = dict(
    type='BYOL',
    base_momentum=0.01,
    backbone=dict(
        type='ResNet',
        depth=50,
        norm_cfg=dict(type='SyncBN'),
        zero_init_residual=False),
    neck=dict(
        type='NonLinearNeck',
        in_channels=2048,
        hid_channels=4096,
        out_channels=256,
        num_layers=2,
        with_bias=True,
        with_last_bn=False,
        with_avg_pool=True),
    head=dict(
        type='LatentPredictHead',
        predictor=dict(
            type='NonLinearNeck',
            in_channels=256,
            hid_channels=4096,
            out_channels=256,
            num_layers=2,
            with_bias=True,
            with_last_bn=False,
            with_avg_pool=False),
        loss=dict(type='CosineSimilarityLoss')))
model = byol

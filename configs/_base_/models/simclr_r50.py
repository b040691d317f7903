# SimCLR with the NT-Xent head, the contrastive learner of GraSS
# (https://arxiv.org/abs/2306.15868): ResNet-50, MLP 2048-2048-128, t = 0.5.
simclr = dict(
    type='NTXentSimCLR',
    backbone=dict(
        type='ResNet',
        depth=50,
        norm_cfg=dict(type='SyncBN'),
        zero_init_residual=True),
    neck=dict(
        type='NonLinearNeck',
        in_channels=2048,
        hid_channels=2048,
        out_channels=128,
        num_layers=2,
        with_avg_pool=True),
    head=dict(type='NTXentHead', temperature=0.5))
model = simclr

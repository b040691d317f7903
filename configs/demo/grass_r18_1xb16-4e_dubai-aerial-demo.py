# The demo's GraSS pretraining (tools/demo.sh):
# configs/grass_r50_dubai-aerial.py made small enough for 2 CPU cores in a
# few minutes: ResNet-18, batch norm instead of SyncBN, 112 x 112 views,
# 4 epochs (1 of ID warm-up) over windows taken every 512 pixels, with the
# embedding health and the linear segmentation probe switched on.
_base_ = [
    '../grass_r50_dubai-aerial.py', '../_base_/probes/dubai-aerial_probe.py'
]

# model settings
model = dict(
    algorithm=dict(
        backbone=dict(depth=18, norm_cfg=dict(type='BN')),
        neck=dict(
            in_channels=512, hid_channels=512, norm_cfg=dict(type='BN1d'))))

# the colour augmentations on the data workers, beside the training process
# on a CPU machine, as the seeded study's records were made (the -batchaug
# variant moves them into the data preprocessor)
data_preprocessor = dict(
    _delete_=True,
    type='SelfSupDataPreprocessor',
    mean=_base_.data_preprocessor.mean,
    std=_base_.data_preprocessor.std,
    to_rgb=_base_.data_preprocessor.to_rgb)

# dataset settings: the paper's view augmentations at 112 x 112
view_pipeline = [dict(_base_.view_pipeline[0], scale=112)
                 ] + _base_.view_pipeline[1:] + _base_.photometric_augments
train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    dataset=dict(
        stride=512,
        pipeline=[
            dict(type='MultiView', num_views=2, transforms=[view_pipeline]),
            dict(type='PackInputs')
        ]))

# optimizer: 4 epochs, LARS warm-up over the first, cosine to 0 after
max_epochs = 4
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=0.1,
        by_epoch=True,
        begin=0,
        end=1,
        convert_to_iter_based=True),
    dict(
        type='CosineAnnealingLR',
        T_max=max_epochs - 1,
        eta_min=0.0,
        by_epoch=True,
        begin=1,
        end=max_epochs,
        convert_to_iter_based=True),
]

# runtime settings: the sampler, its panels, the health of the embeddings
# every step and the segmentation probe before training and at the end
custom_hooks = [
    dict(type='GradientGuidedSamplerHook', warmup_epochs=1),
    dict(type='GraSSVisualizationHook', interval=20, max_views=4),
    dict(type='EmbeddingHealthHook', interval=1),
    dict(_base_.probe_hook, probe_at_start=True),
]
default_hooks = dict(
    logger=dict(interval=10), checkpoint=dict(interval=1, max_keep_ckpts=1))

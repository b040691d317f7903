# The paper's optimisation (https://arxiv.org/abs/2306.15868): LARS with
# momentum 0.9 and weight decay 1e-6 (none on batch norm, decay on biases),
# batch 256, 350 epochs, linear warm-up over the first 10% of the epochs,
# then cosine annealing with warm restarts.
max_epochs = 350
lr_warmup_epochs = 35
# Restart periods of the cosine schedule (epochs, summing to 315): not stated
# in the paper; three equal cycles are our default.
restart_periods = [105, 105, 105]

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='LARS', lr=0.3, momentum=0.9, weight_decay=1e-6),
    paramwise_cfg=dict(
        custom_keys={
            'bn': dict(decay_mult=0, lars_exclude=True),
            # batch norm of the ResNet shortcut
            'downsample.1': dict(decay_mult=0, lars_exclude=True),
        }))

param_scheduler = [
    dict(
        type='LinearLR',
        start_factor=1e-4,
        by_epoch=True,
        begin=0,
        end=lr_warmup_epochs,
        convert_to_iter_based=True),
    dict(
        type='CosineRestartLR',
        periods=restart_periods,
        restart_weights=[1.0] * len(restart_periods),
        eta_min=0.0,
        by_epoch=True,
        begin=lr_warmup_epochs,
        end=max_epochs,
        convert_to_iter_based=True),
]

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)
auto_scale_lr = dict(base_batch_size=256)

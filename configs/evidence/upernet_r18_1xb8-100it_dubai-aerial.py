# Fine-tuning of the study in docs/evidence.md: the demo's UPerNet
# (ResNet-18, 128 x 128 crops, batch 8) for 100 iterations, evaluated once,
# by tools/test.py, on the validation patches.
_base_ = '../demo/upernet_r18-grass_1xb8-300it_dubai-aerial-demo.py'

# optimizer: mmseg's poly schedule over 100 iterations
max_iters = 100
# no validation while training: tools/test.py evaluates the last checkpoint
train_cfg = dict(
    max_iters=max_iters, val_interval=max_iters, val_begin=max_iters + 1)
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=1e-4,
        power=0.9,
        begin=0,
        end=max_iters,
        by_epoch=False)
]

# runtime settings
default_hooks = dict(checkpoint=dict(interval=max_iters))

# GraSS of the seeded study in docs/evidence.md: the demo's recipe
# (ResNet-18, 112 x 112 views, batch 16, 4 epochs on the embedded Dubai
# imagery) with 2 epochs of ID warm-up then 2 of gradient guided sampling,
# and a checkpoint after every epoch for the purity analysis over the
# schedule. One seed of the study (4 methods, 2 label fractions) takes about
# 30 to 60 minutes on 2 CPU cores (docs/evidence.md).
_base_ = '../demo/grass_r18_1xb16-4e_dubai-aerial-demo.py'

# runtime settings: no visualisation hook
warmup_epochs = 2
custom_hooks = [
    dict(type='GradientGuidedSamplerHook', warmup_epochs=warmup_epochs)
]
default_hooks = dict(checkpoint=dict(interval=1, max_keep_ckpts=-1))

# Runtime of every GraSS pretraining config (https://arxiv.org/abs/2306.15868):
# the shared runtime plus GradientGuidedSamplerHook, which runs the two
# stages: ID warm-up (the wrapped algorithm's own steps) for
# `id_warmup_epochs` epochs, then gradient guided sampling.
#
# The paper does not state how its 350 epochs split between the two stages;
# 100 epochs of ID warm-up is our default, set here and nowhere else.
# To change it for one run:
#   python tools/train.py configs/grass_r50_potsdam.py \
#       --cfg-options custom_hooks.0.warmup_epochs=50
# (`--cfg-options id_warmup_epochs=50` would not do: it changes the variable
# after the hook below has been written from it.) In a config that inherits
# this file, set the list again, e.g.
#   custom_hooks = [
#       dict(type='GradientGuidedSamplerHook', warmup_epochs=50),
#       dict(type='GraSSVisualizationHook', interval=500),
#   ]
# or extend it: custom_hooks = _base_.custom_hooks + [dict(...)].
_base_ = './default_runtime.py'

id_warmup_epochs = 100
custom_hooks = [
    dict(type='GradientGuidedSamplerHook', warmup_epochs=id_warmup_epochs)
]

# The baseline of the study in docs/evidence.md: the wrapped SimCLR of
# grass_r18_1xb16-4e_dubai-aerial.py trained alone (the same data, views,
# schedule and runtime, no gradient guided sampling).
_base_ = './grass_r18_1xb16-4e_dubai-aerial.py'

# model settings
model = dict(_delete_=True, **_base_.model.algorithm)

# runtime settings
custom_hooks = []

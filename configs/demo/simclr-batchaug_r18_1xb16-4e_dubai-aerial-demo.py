# The SimCLR baseline of grass-batchaug_r18_1xb16-4e_dubai-aerial-demo.py:
# the wrapped SimCLR trained alone on the same data and batched colour
# augmentations, as simclr_r18_1xb16-4e_dubai-aerial-demo.py is for the demo.
_base_ = './grass-batchaug_r18_1xb16-4e_dubai-aerial-demo.py'

# model settings
model = dict(_delete_=True, **_base_.model.algorithm)

# runtime settings
custom_hooks = []

# The SimCLR baseline of the demo: grass_r18_1xb16-4e_dubai-aerial-demo.py
# without gradient guided sampling (the wrapped SimCLR trained alone, the
# same data, views, schedule and runtime), for tools/run_comparison.py.
_base_ = './grass_r18_1xb16-4e_dubai-aerial-demo.py'

# model settings
model = dict(_delete_=True, **_base_.model.algorithm)

# runtime settings
custom_hooks = []

# GraSS around BYOL (https://arxiv.org/abs/2306.15868, beyond the paper,
# which wraps SimCLR). The ID warm-up length is set in ../grass_runtime.py.
_base_ = './byol_r50.py'

model = dict(_delete_=True, type='GraSS', ratio=0.5, algorithm={{_base_.byol}})

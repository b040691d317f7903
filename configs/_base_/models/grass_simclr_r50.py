# GraSS around SimCLR (https://arxiv.org/abs/2306.15868), the paper's
# setting; the ID warm-up length is set in ../grass_runtime.py.
_base_ = './simclr_r50.py'

model = dict(
    _delete_=True, type='GraSS', ratio=0.5, algorithm={{_base_.simclr}})

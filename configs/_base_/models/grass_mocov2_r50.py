# GraSS around MoCo v2 (https://arxiv.org/abs/2306.15868, beyond the paper,
# which wraps SimCLR): each view's loss activation map comes from the guide
# pass in which it is the query. The ID warm-up length is set in
# ../grass_runtime.py.
_base_ = './mocov2_r50.py'

model = dict(
    _delete_=True, type='GraSS', ratio=0.5, algorithm={{_base_.mocov2}})

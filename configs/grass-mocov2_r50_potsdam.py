# GraSS around MoCo v2 on ISPRS Potsdam (https://arxiv.org/abs/2306.15868):
# mocov2_r50_potsdam.py (its recipe and deviations) plus gradient guided
# sampling after the ID warm-up of _base_/grass_runtime.py.
#   tools/dist_train.sh configs/grass-mocov2_r50_potsdam.py 8
_base_ = [
    '_base_/models/grass_mocov2_r50.py',
    '_base_/datasets/potsdam_pretrain.py',
    '_base_/schedules/lars_coslr-restart_350e.py',
    '_base_/grass_runtime.py',
]

# optimizer
# As in mocov2_r50_potsdam.py (tests/test_configs checks that the two agree).
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.03, momentum=0.9, weight_decay=1e-4))

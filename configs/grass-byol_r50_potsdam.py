# GraSS around BYOL on ISPRS Potsdam (https://arxiv.org/abs/2306.15868):
# byol_r50_potsdam.py (its recipe and deviations) plus gradient guided
# sampling after the ID warm-up of _base_/grass_runtime.py.
#   tools/dist_train.sh configs/grass-byol_r50_potsdam.py 8
_base_ = [
    '_base_/models/grass_byol_r50.py',
    '_base_/datasets/potsdam_pretrain.py',
    '_base_/schedules/lars_coslr-restart_350e.py',
    '_base_/grass_runtime.py',
]

# optimizer
# As in byol_r50_potsdam.py (tests/test_configs checks that the two agree).
optim_wrapper = dict(
    paramwise_cfg=dict(
        custom_keys={'bias': dict(decay_mult=0, lars_exclude=True)}))

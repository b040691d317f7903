# BYOL baseline on ISPRS Potsdam, with the recipe of grass_r50_potsdam.py
# (https://arxiv.org/abs/2306.15868) where it is not the algorithm's own:
# same data and two-view augmentations, batch 256 (8 GPUs x 32), 350 epochs,
# linear warm-up then cosine annealing with warm restarts.
# Deviations from mmpretrain's BYOL: the paper's SimCLR augmentations for
# both views (mmpretrain's are asymmetric, with solarisation and blur
# probabilities 1.0 / 0.1), and the schedule above instead of a 10-epoch
# warm-up and plain cosine annealing over 200 epochs.
#   tools/dist_train.sh configs/byol_r50_potsdam.py 8
_base_ = [
    '_base_/models/byol_r50.py',
    '_base_/datasets/potsdam_pretrain.py',
    '_base_/schedules/lars_coslr-restart_350e.py',
    '_base_/default_runtime.py',
]

# optimizer
# BYOL's own, as mmpretrain sets it: LARS with the schedule's lr 0.3 for
# batch 256 (mmpretrain's 4.8 for batch 4096, scaled linearly), momentum 0.9,
# weight decay 1e-6, and biases, like batch norm, without weight decay or
# LARS adaptation.
optim_wrapper = dict(
    paramwise_cfg=dict(
        custom_keys={'bias': dict(decay_mult=0, lars_exclude=True)}))

# MoCo v2 baseline on ISPRS Potsdam, with the recipe of grass_r50_potsdam.py
# (https://arxiv.org/abs/2306.15868) where it is not the algorithm's own:
# same data and two-view augmentations, batch 256 (8 GPUs x 32), 350 epochs,
# linear warm-up then cosine annealing with warm restarts.
# Deviations from mmpretrain's MoCo v2: the paper's SimCLR augmentations
# (mmpretrain's crop from 20% of the image, weaker colour jitter), and the
# schedule above instead of plain cosine annealing over 200 epochs; the
# queue length is set in _base_/models/mocov2_r50.py.
#   tools/dist_train.sh configs/mocov2_r50_potsdam.py 8
_base_ = [
    '_base_/models/mocov2_r50.py',
    '_base_/datasets/potsdam_pretrain.py',
    '_base_/schedules/lars_coslr-restart_350e.py',
    '_base_/default_runtime.py',
]

# optimizer
# MoCo v2's own: SGD, lr 0.03 for batch 256, weight decay 1e-4 on every
# parameter (mmpretrain's setting), instead of the schedule's LARS.
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.03, momentum=0.9, weight_decay=1e-4))

# GraSS pretraining of a ResNet-50 on LoveDA Rural: 8 GPUs x 32 images, LARS,
# 350 epochs (https://arxiv.org/abs/2306.15868). The ID warm-up length is
# set in _base_/grass_runtime.py; the SimCLR baseline without gradient
# guided sampling is simclr_r50_loveda-rural.py.
#   tools/dist_train.sh configs/grass_r50_loveda-rural.py 8
_base_ = [
    '_base_/models/grass_simclr_r50.py',
    '_base_/datasets/loveda-rural_pretrain.py',
    '_base_/schedules/lars_coslr-restart_350e.py',
    '_base_/grass_runtime.py',
]

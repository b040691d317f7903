# SimCLR baseline for GraSS on LoveDA Urban: grass_r50_loveda-urban.py without
# gradient guided sampling (same model, data, schedule and runtime, no
# GradientGuidedSamplerHook), so the paper's comparison
# (https://arxiv.org/abs/2306.15868) is one config swap.
#   tools/dist_train.sh configs/simclr_r50_loveda-urban.py 8
_base_ = [
    '_base_/models/simclr_r50.py',
    '_base_/datasets/loveda-urban_pretrain.py',
    '_base_/schedules/lars_coslr-restart_350e.py',
    '_base_/default_runtime.py',
]

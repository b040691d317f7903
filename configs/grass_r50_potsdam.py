# GraSS pretraining of a ResNet-50 on ISPRS Potsdam: 8 GPUs x 32 images,
# LARS, 350 epochs (https://arxiv.org/abs/2306.15868).
#   tools/dist_train.sh configs/grass_r50_potsdam.py 8
_base_ = [
    '_base_/models/grass_simclr_r50.py',
    '_base_/datasets/potsdam_pretrain.py',
    '_base_/schedules/lars_coslr-restart_350e.py',
    '_base_/default_runtime.py',
]

# GraSS: ID warm-up epochs before gradient guided sampling starts. The paper
# does not state the split of its 350 epochs; 100 is our default.
id_warmup_epochs = 100
custom_hooks = [
    dict(type='GradientGuidedSamplerHook', warmup_epochs=id_warmup_epochs)
]

# The runtime of mmseg's `_base_/default_runtime.py` (mmseg scope, local
# visualisation, iteration-based logs), written out so that fine-tuning
# configs load on both supported stacks (mmengine cannot resolve `mmseg::`
# bases when mmseg is installed as onedl-mmsegmentation).
# tests/test_configs/test_finetune_bases.py checks it against the installed
# mmseg's file.
default_scope = 'mmseg'
env_cfg = dict(
    cudnn_benchmark=True,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),
)
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(
    type='SegLocalVisualizer', vis_backends=vis_backends, name='visualizer')
log_processor = dict(by_epoch=False)
log_level = 'INFO'
load_from = None
resume = False

tta_model = dict(type='SegTTAModel')

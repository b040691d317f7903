# mmseg's 20k-iteration schedule (`_base_/schedules/schedule_20k.py`): the
# 80k schedule with the poly decay, validation and checkpoints scaled to 20k
# iterations. tests/test_configs/test_finetune_bases.py checks it against the
# installed mmseg's file.
_base_ = './schedule_80k.py'

param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=1e-4,
        power=0.9,
        begin=0,
        end=20000,
        by_epoch=False)
]
train_cfg = dict(max_iters=20000, val_interval=2000)
default_hooks = dict(checkpoint=dict(interval=2000))

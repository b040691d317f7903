# Unlabelled LoveDA Urban training imagery for pretraining, with the views,
# preprocessing and loader of potsdam_pretrain.py
# (https://arxiv.org/abs/2306.15868, Sec. IV-A). pretrain/ is written by
#   python tools/dataset_converters/loveda.py ARCHIVE_DIR --domain urban
# Each 1024 x 1024 image gives four 512 x 512 windows.
_base_ = './potsdam_pretrain.py'

data_root = 'data/loveda-urban/'
train_dataloader = dict(dataset=dict(data_root=data_root))

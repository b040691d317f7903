# LoveDA Rural fine-tuning (https://arxiv.org/abs/2306.15868, Sec. IV): the
# Rural domain only, with the pipelines, loaders and label fractions of
# loveda-urban_finetune.py. Written by
#   python tools/dataset_converters/loveda.py ARCHIVE_DIR --domain rural
_base_ = './loveda-urban_finetune.py'

dataset_type = 'LoveDARuralDataset'
data_root = 'data/loveda-rural/'
train_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = val_dataloader

# ISPRS Vaihingen fine-tuning (https://arxiv.org/abs/2306.15868, Sec. IV):
# 512 x 512 IR-R-G patches every 256 pixels of the train/val areas, six
# classes, label 0 (boundary or unknown colour) ignored; the pipelines, loaders
# and label fractions of potsdam_finetune.py. Written by
#   python tools/dataset_converters/vaihingen.py ARCHIVE_DIR -o data/vaihingen
_base_ = './potsdam_finetune.py'

dataset_type = 'ISPRSDataset'
data_root = 'data/vaihingen/'
train_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = val_dataloader

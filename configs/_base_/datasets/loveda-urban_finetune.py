# LoveDA Urban fine-tuning (https://arxiv.org/abs/2306.15868, Sec. IV): the
# Urban domain only, 1024 x 1024 images, seven classes, label 0 (no-data)
# ignored; the loaders and label fractions of potsdam_finetune.py with
# mmseg's LoveDA resizing. Written by
#   python tools/dataset_converters/loveda.py ARCHIVE_DIR --domain urban
_base_ = './potsdam_finetune.py'

# LoveDAUrbanDataset is registered by grass_mm.
custom_imports = dict(imports=['grass_mm'], allow_failed_imports=False)
dataset_type = 'LoveDAUrbanDataset'
data_root = 'data/loveda-urban/'
crop_size = (512, 512)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(
        type='RandomResize',
        scale=(2048, 512),
        ratio_range=(0.5, 2.0),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(1024, 1024), keep_ratio=True),
    # labels are loaded after the resize: metrics use the original size
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='PackSegInputs')
]
train_dataloader = dict(
    dataset=dict(
        type=dataset_type, data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        type=dataset_type, data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader

# Dubai aerial imagery (demo/dubai_aerial, CC0) for fine-tuning: 256 x 256
# patches of 56 training and 16 validation images, five classes, black
# borders and "unlabeled" grey ignored. Written by
#   python tools/dataset_converters/dubai_aerial.py demo/dubai_aerial \
#       -o data/dubai-aerial
# The loaders and label fractions of potsdam_finetune.py with 256 x 256 crops.
_base_ = './potsdam_finetune.py'

# DubaiAerialDataset is registered by grass_mm.
custom_imports = dict(imports=['grass_mm'], allow_failed_imports=False)
dataset_type = 'DubaiAerialDataset'
data_root = 'data/dubai-aerial/'
crop_size = (256, 256)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(
        type='RandomResize',
        scale=(256, 256),
        ratio_range=(0.5, 2.0),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='PackSegInputs')
]
train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    dataset=dict(
        type=dataset_type, data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=2,
    dataset=dict(
        type=dataset_type, data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader

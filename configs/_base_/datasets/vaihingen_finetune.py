# ISPRS Vaihingen fine-tuning (https://arxiv.org/abs/2306.15868, Sec. IV):
# 512 x 512 IR-R-G patches every 256 pixels of the train/val areas, six
# classes, label 0 (boundary or unknown colour) ignored. Written by
#   python tools/dataset_converters/vaihingen.py ARCHIVE_DIR -o data/vaihingen
#
# Label fraction: the converter writes splits/train_{p}pct.txt for
# p in 1, 5, 10, 20, 50, 100, nested (1 % inside 5 % inside 10 % ...) and
# fixed by --seed, so every method fine-tunes on the same images. The value
# below is read when this file is loaded; to pick another fraction, set the
# split file itself in the inheriting config,
#   train_dataloader = dict(dataset=dict(ann_file='splits/train_10pct.txt'))
# or on the command line with
#   --cfg-options train_dataloader.dataset.ann_file=splits/train_10pct.txt
dataset_type = 'ISPRSDataset'
data_root = 'data/vaihingen/'
label_fraction = 100
crop_size = (512, 512)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(
        type='RandomResize',
        scale=(512, 512),
        ratio_range=(0.5, 2.0),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=(512, 512), keep_ratio=True),
    # labels are loaded after the resize: metrics use the original size
    dict(type='LoadAnnotations', reduce_zero_label=True),
    dict(type='PackSegInputs')
]
train_dataloader = dict(
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=f'splits/train_{label_fraction}pct.txt',
        data_prefix=dict(
            img_path='img_dir/train', seg_map_path='ann_dir/train'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='img_dir/val', seg_map_path='ann_dir/val'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader

val_evaluator = dict(type='IoUMetric', iou_metrics=['mIoU'])
test_evaluator = val_evaluator

# ISPRS Potsdam fine-tuning (https://arxiv.org/abs/2306.15868, Sec. IV) on
# mmseg's protocol, so numbers compare with mmseg's model zoo (DeepLabV3+ R50,
# 78.33 mIoU) and the papers that use it: 512 x 512 patches every 512 pixels
# of the official train/val tiles, the last row and column flush with the
# tile edge (144 per tile; 3,456 train and 2,016 val patches), on the ERODED
# labels (5_Labels_all_noBoundary.zip; the black boundary is label 0 and
# ignored, like unknown colours). Six classes. Written by
#   python tools/dataset_converters/potsdam.py ARCHIVE_DIR -o data/potsdam
# which records the labels used ("labels": "eroded" or "full") in
# data/potsdam/.grass_mm_conversion.json; numbers on the full labels
# (--labels full) are not comparable with mmseg's. --stride S makes the
# training patches denser; validation patches never overlap beyond the
# edge-flush last row and column.
#
# Label fraction: the converter writes splits/train_{p}pct.txt for
# p in 1, 5, 10, 20, 50, 100, nested (1 % inside 5 % inside 10 % ...) and
# fixed by --seed, so every method fine-tunes on the same images. The value
# below is read when this file is loaded; to pick another fraction, set the
# split file itself in the inheriting config,
#   train_dataloader = dict(dataset=dict(ann_file='splits/train_10pct.txt'))
# or on the command line with
#   --cfg-options train_dataloader.dataset.ann_file=splits/train_10pct.txt
dataset_type = 'PotsdamDataset'
data_root = 'data/potsdam/'
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

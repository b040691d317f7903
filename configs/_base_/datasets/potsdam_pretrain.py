# Unlabelled ISPRS Potsdam training imagery for pretraining, two views per
# patch with the SimCLR augmentations of the paper
# (https://arxiv.org/abs/2306.15868, Sec. IV-A).
# pretrain/ holds the 24 whole training tiles, written by
#   python tools/dataset_converters/potsdam.py ARCHIVE_DIR -o data/potsdam
# and 512 x 512 windows are read from them directly (144 per tile).
# The patch size is our choice (the fine-tuning crop size).
dataset_type = 'RSIPatchDataset'
data_root = 'data/potsdam/'
patch_size = 512
# The views: the random resized crop and the flip on the data workers
# (uint8, cheap), the colour augmentations on whole batches on the training
# device, by the model's data preprocessor, with the keys and meanings of
# mmpretrain's transforms and each view's parameters drawn from the same
# distributions (docs/benchmarks.md, "Batched colour augmentations").
# To run them on the workers instead, as mmpretrain's SimCLR does, append
# `photometric_augments` to `view_pipeline` and use SelfSupDataPreprocessor
# (configs/demo/grass_r18_1xb16-4e_dubai-aerial-demo.py does).
view_pipeline = [
    dict(type='RandomResizedCrop', scale=224, backend='pillow'),
    dict(type='RandomFlip', prob=0.5),
]
photometric_augments = [
    dict(
        type='RandomApply',
        transforms=[
            dict(
                type='ColorJitter',
                brightness=0.8,
                contrast=0.8,
                saturation=0.8,
                hue=0.2)
        ],
        prob=0.8),
    dict(
        type='RandomGrayscale',
        prob=0.2,
        keep_channels=True,
        channel_weights=(0.114, 0.587, 0.2989)),
    dict(
        type='GaussianBlur',
        magnitude_range=(0.1, 2.0),
        magnitude_std='inf',
        prob=0.5),
]
data_preprocessor = dict(
    type='PhotometricAugDataPreprocessor',
    augments=photometric_augments,
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    to_rgb=True)

# RSIPatchDataset puts the patch into `img` itself: no loading transform.
train_pipeline = [
    dict(type='MultiView', num_views=2, transforms=[view_pipeline]),
    dict(type='PackInputs')
]

train_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix='pretrain/',
        patch_size=patch_size,
        stride=patch_size,
        bands=(0, 1, 2),  # R, G, B of the file (also of 4-band RGBIR tiles)
        skip_bad_files=False,
        pipeline=train_pipeline))

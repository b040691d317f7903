# The linear segmentation probe (SegmentationProbeHook) on the embedded
# Dubai aerial imagery, converted by
#   python tools/dataset_converters/dubai_aerial.py demo/dubai_aerial \
#       -o data/dubai-aerial
# fitted on the 10% label split (150 patches) and scored on the 428
# validation patches. A pretraining config inherits it and appends
# `probe_hook` to its custom_hooks.
probe_data = dict(
    type='DubaiAerialDataset',
    data_root='data/dubai-aerial/',
    data_prefix=dict(img_path='img_dir/train', seg_map_path='ann_dir/train'))
probe_hook = dict(
    type='SegmentationProbeHook',
    interval=10,
    train_dataset=dict(probe_data, ann_file='splits/train_10pct.txt'),
    val_dataset=dict(
        probe_data,
        data_prefix=dict(img_path='img_dir/val', seg_map_path='ann_dir/val')))

# The demo's GraSS pretraining with the views' colour augmentations batched
# on the training device: grass_r18_1xb16-4e_dubai-aerial-demo.py with the
# photometric end of its view pipeline (colour jitter, grey scale, blur)
# moved, unchanged, from the data workers to the model's data preprocessor
# (PhotometricAugDataPreprocessor). The workers only crop and flip.
_base_ = './grass_r18_1xb16-4e_dubai-aerial-demo.py'

# model settings: the same normalisation, plus the augmentations, drawn per
# image from a stream seeded with randomness.seed and the rank
data_preprocessor = dict(
    type='PhotometricAugDataPreprocessor', augments=_base_.view_pipeline[2:])

# dataset settings: crop and flip on the workers
view_pipeline = _base_.view_pipeline[:2]
train_dataloader = dict(
    dataset=dict(pipeline=[
        dict(type='MultiView', num_views=2, transforms=[view_pipeline]),
        dict(type='PackInputs')
    ]))

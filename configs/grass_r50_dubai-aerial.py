# GraSS pretraining of a ResNet-50 on the embedded Dubai aerial imagery
# (demo/dubai_aerial, converted by tools/dataset_converters/dubai_aerial.py):
# the Potsdam recipe with 256 x 256 windows of the training images.
_base_ = './grass_r50_potsdam.py'

# dataset settings
train_dataloader = dict(
    dataset=dict(data_root='data/dubai-aerial/', patch_size=256, stride=256))

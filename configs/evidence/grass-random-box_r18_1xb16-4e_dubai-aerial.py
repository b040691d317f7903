# Control of the study in docs/evidence.md: GraSS whose boxes are placed at
# random, with the size of the gradient guided box of the same view and step.
_base_ = './grass_r18_1xb16-4e_dubai-aerial.py'

# model settings
model = dict(box_rule='random')

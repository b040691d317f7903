# Control of the study in docs/evidence.md: GraSS whose boxes are chosen
# from the negated loss activation map (its least activated region).
_base_ = './grass_r18_1xb16-4e_dubai-aerial.py'

# model settings
model = dict(box_rule='opposite')

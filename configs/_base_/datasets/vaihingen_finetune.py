# ISPRS Vaihingen fine-tuning (https://arxiv.org/abs/2306.15868, Sec. IV) on
# mmseg's protocol: 512 x 512 IR-R-G patches every 512 pixels of the
# train/val areas (irregular sizes; the last row and column flush with each
# area's edge), on the ERODED labels
# (ISPRS_semantic_labeling_Vaihingen_ground_truth_eroded_COMPLETE.zip; the
# black boundary is label 0 and ignored, like unknown colours); six
# classes; the pipelines, loaders and label fractions of potsdam_finetune.py.
# Written by
#   python tools/dataset_converters/vaihingen.py ARCHIVE_DIR -o data/vaihingen
# which records the labels used in data/vaihingen/.grass_mm_conversion.json
# (--labels full for the labels with boundaries: not comparable with mmseg).
_base_ = './potsdam_finetune.py'

dataset_type = 'ISPRSDataset'
data_root = 'data/vaihingen/'
train_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = val_dataloader

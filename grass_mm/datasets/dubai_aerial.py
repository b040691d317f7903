# Copyright (c) grass_mm contributors. All rights reserved.
"""Dubai aerial imagery: the small real dataset the demo embeds."""
from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS


@DATASETS.register_module()
class DubaiAerialDataset(BaseSegDataset):
    """Aerial imagery of Dubai with five land-cover classes.

    72 RGB images of the Mohammed Bin Rashid Space Centre, annotated by
    Humans in the Loop and published as "Semantic segmentation of aerial
    imagery" under CC0; shipped in ``demo/dubai_aerial/`` as the embedded
    data of the `GraSS <https://arxiv.org/abs/2306.15868>`_ demo.
    ``tools/dataset_converters/dubai_aerial.py`` maps the mask colours of
    ``METAINFO['palette']`` to ids 1-5 and everything else to 0: the black
    border pixels (0.56%) and the "unlabeled" grey (155, 155, 155; 0.51%),
    which names no ground object. With ``reduce_zero_label=True`` (the
    default) 0 becomes 255 and is ignored, and the classes become 0-4.

    Args:
        img_suffix (str): Suffix of images. Defaults to '.png'.
        seg_map_suffix (str): Suffix of label maps. Defaults to '.png'.
        reduce_zero_label (bool): Ignore label 0. Defaults to True.
        **kwargs: Other arguments of :class:`mmseg.datasets.BaseSegDataset`.

    Example:
        >>> train_dataloader = dict(
        ...     dataset=dict(
        ...         type='DubaiAerialDataset',
        ...         data_root='data/dubai-aerial/',
        ...         data_prefix=dict(img_path='img_dir/train',
        ...                          seg_map_path='ann_dir/train'),
        ...         pipeline=train_pipeline))
    """

    METAINFO = dict(
        classes=('building', 'land', 'road', 'vegetation', 'water'),
        palette=[[60, 16, 152], [132, 41, 246], [110, 193, 228],
                 [254, 221, 58], [226, 169, 41]])

    def __init__(self,
                 img_suffix: str = '.png',
                 seg_map_suffix: str = '.png',
                 reduce_zero_label: bool = True,
                 **kwargs) -> None:
        super().__init__(
            img_suffix=img_suffix,
            seg_map_suffix=seg_map_suffix,
            reduce_zero_label=reduce_zero_label,
            **kwargs)

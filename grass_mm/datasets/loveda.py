# Copyright (c) grass_mm contributors. All rights reserved.
"""The two LoveDA domains as separate fine-tuning datasets.

mmseg's converter merges LoveDA's Urban and Rural images into one folder;
`GraSS <https://arxiv.org/abs/2306.15868>`_ pretrains and evaluates on each
domain on its own. ``tools/dataset_converters/loveda.py --domain urban``
(``rural``) writes one domain to ``data/loveda-urban/`` (``loveda-rural``),
and these classes name it in configs and logs. Classes and palette are
mmseg's :class:`~mmseg.datasets.LoveDADataset` ones, the single source the
converter also checks masks against.
"""
from typing import List

from mmseg.datasets import LoveDADataset
from mmseg.registry import DATASETS


class _LoveDADomainDataset(LoveDADataset):
    """A LoveDA domain; refuses an empty image folder or split file."""

    DOMAIN = ''

    def load_data_list(self) -> List[dict]:
        """Load the images and masks, failing if there are none.

        Returns:
            list[dict]: Data infos of the domain's images.
        """
        data_list = super().load_data_list()
        if not data_list:
            source = self.ann_file or self.data_prefix.get('img_path')
            raise FileNotFoundError(
                f'{type(self).__name__}: no {self.img_suffix} images found '
                f'through {source}; run tools/dataset_converters/loveda.py '
                f'--domain {self.DOMAIN} first')
        return data_list


@DATASETS.register_module()
class LoveDAUrbanDataset(_LoveDADomainDataset):
    """LoveDA, Urban domain only.

    Masks hold 0 for no-data and 1-7 for the seven classes; with
    ``reduce_zero_label=True`` (the default) no-data becomes 255 and is
    ignored, and the classes become 0-6.

    Args:
        img_suffix (str): Suffix of images. Defaults to '.png'.
        seg_map_suffix (str): Suffix of masks. Defaults to '.png'.
        reduce_zero_label (bool): Ignore label 0 (no-data). Defaults to
            True.
        **kwargs: Other arguments of :class:`mmseg.datasets.BaseSegDataset`.

    Example:
        >>> train_dataloader = dict(
        ...     dataset=dict(
        ...         type='LoveDAUrbanDataset',
        ...         data_root='data/loveda-urban/',
        ...         data_prefix=dict(img_path='img_dir/train',
        ...                          seg_map_path='ann_dir/train'),
        ...         ann_file='splits/train_10pct.txt',
        ...         pipeline=train_pipeline))
    """

    DOMAIN = 'urban'
    METAINFO = dict(LoveDADataset.METAINFO, domain='Urban')


@DATASETS.register_module()
class LoveDARuralDataset(_LoveDADomainDataset):
    """LoveDA, Rural domain only; labels and arguments as
    :class:`LoveDAUrbanDataset`.

    Example:
        >>> train_dataloader = dict(
        ...     dataset=dict(
        ...         type='LoveDARuralDataset',
        ...         data_root='data/loveda-rural/',
        ...         data_prefix=dict(img_path='img_dir/train',
        ...                          seg_map_path='ann_dir/train'),
        ...         pipeline=train_pipeline))
    """

    DOMAIN = 'rural'
    METAINFO = dict(LoveDADataset.METAINFO, domain='Rural')

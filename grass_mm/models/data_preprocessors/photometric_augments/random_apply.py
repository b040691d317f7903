# Copyright (c) grass_mm contributors. All rights reserved.
"""mmcv's ``RandomApply`` and the builder of the batched augmentations from
mmpretrain transform configs."""
from typing import List, Sequence

import torch
from torch import Tensor

from .base import BatchedAugment, Params
from .color_jitter import ColorJitter
from .magnitude_augments import GaussianBlur, Solarize
from .random_grayscale import RandomGrayscale


class RandomApply(BatchedAugment):
    """mmcv's ``RandomApply``: its transforms, in turn, with probability
    ``prob`` per image."""
    KEYS = ('transforms', 'prob')

    def __init__(self,
                 where: str,
                 transforms: Sequence[dict] = (),
                 prob: float = 0.5) -> None:
        super().__init__(where, prob)
        if isinstance(transforms, dict):
            transforms = [transforms]
        if not transforms:
            raise ValueError(f'{where}: `transforms` is empty')
        self.transforms = [
            build_augment(cfg, f'{where}.transforms[{i}]')
            for i, cfg in enumerate(transforms)
        ]

    def draw(self, num: int, generator: torch.Generator) -> Params:
        return dict(
            transforms=[t.sample(num, generator) for t in self.transforms])

    def transform(self, img: Tensor, params: Params, channel_order: str,
                  quantize: bool) -> Tensor:
        for augment, own in zip(self.transforms, params['transforms']):
            img = augment(img, own, channel_order, quantize)
        return img


AUGMENTS = {
    cls.__name__: cls
    for cls in (ColorJitter, RandomGrayscale, GaussianBlur, Solarize,
                RandomApply)
}


def build_augment(cfg: dict, where: str) -> BatchedAugment:
    """Build one augmentation from an mmpretrain transform config.

    Args:
        cfg (dict): The transform's config, e.g. ``dict(type='ColorJitter',
            brightness=0.8)``.
        where (str): Where the config sits, for error messages.

    Returns:
        BatchedAugment: The augmentation.

    Raises:
        ValueError: For an unknown ``type`` or key, or a bad value; the
            message names the key.
    """
    cfg = dict(cfg)
    kind = str(cfg.pop('type', None)).split('.')[-1]
    if kind not in AUGMENTS:
        raise ValueError(f'{where}: unknown `type` {kind!r}; supported: '
                         f'{sorted(AUGMENTS)}')
    where = f'{where} ({kind})'
    unknown = sorted(set(cfg) - set(AUGMENTS[kind].KEYS))
    if unknown:
        raise ValueError(f'{where}: unknown key(s) {unknown}; '
                         f'{kind} takes {list(AUGMENTS[kind].KEYS)}')
    return AUGMENTS[kind](where, **cfg)


def build_augments(cfgs: Sequence[dict],
                   where: str = 'augments') -> List[BatchedAugment]:
    """Build a list of augmentations, in order (see :func:`build_augment`).
    """
    return [build_augment(cfg, f'{where}[{i}]') for i, cfg in enumerate(cfgs)]

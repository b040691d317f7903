# Copyright (c) grass_mm contributors. All rights reserved.
"""How a data preprocessor normalised its images.

The analyses, drawings and the segmentation probe of `GraSS
<https://arxiv.org/abs/2306.15868>`_ read images the way the pretrained
model saw them: normalised with its data preprocessor's mean and std, in
its channel order.
"""
from typing import NamedTuple, Optional, Sequence

from torch import nn


class Normalization(NamedTuple):
    """How a data preprocessor normalised its views.

    Attributes:
        mean (tuple[float, ...], optional): Per-channel mean, None when the
            preprocessor does not normalise.
        std (tuple[float, ...], optional): Per-channel standard deviation.
        rgb (bool): Whether the normalised tensors hold RGB channels (else
            BGR, the order images are loaded in).
    """
    mean: Optional[Sequence[float]]
    std: Optional[Sequence[float]]
    rgb: bool


def preprocessor_normalization(data_preprocessor: nn.Module) -> Normalization:
    """Read the normalisation of an mmengine image data preprocessor.

    Works for ``ImgDataPreprocessor`` and its subclasses, mmpretrain's
    ``SelfSupDataPreprocessor`` included. Images are assumed to be loaded
    in BGR order (``LoadImageFromFile``'s default), so the tensors are RGB
    exactly when the preprocessor swaps channels (``to_rgb`` or
    ``bgr_to_rgb``).

    Args:
        data_preprocessor (nn.Module): The model's data preprocessor.

    Returns:
        Normalization: Its mean, std and channel order.
    """
    rgb = bool(getattr(data_preprocessor, '_channel_conversion', False))
    if not getattr(data_preprocessor, '_enable_normalize', False):
        return Normalization(None, None, rgb)
    mean = data_preprocessor.mean.flatten().tolist()
    std = data_preprocessor.std.flatten().tolist()
    return Normalization(tuple(mean), tuple(std), rgb)

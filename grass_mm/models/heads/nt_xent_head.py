# Copyright (c) grass_mm contributors. All rights reserved.
"""Contrastive head of GraSS (https://arxiv.org/abs/2306.15868)."""
from typing import Optional, Union

from mmengine.model import BaseModule
from mmpretrain.registry import MODELS
from torch import Tensor

from ..losses import nt_xent_loss


@MODELS.register_module()
class NTXentHead(BaseModule):
    """NT-Xent contrastive head of GraSS.

    GraSS (https://arxiv.org/abs/2306.15868) contrasts the projections of two
    views of each image with SimCLR's NT-Xent loss
    (https://arxiv.org/abs/2002.05709): the other view of the same image is
    the positive, every other projection of the global batch a negative. The
    math lives in :func:`grass_mm.models.losses.nt_xent_loss`.

    Args:
        temperature (float): Softmax temperature, must be > 0.
            Defaults to 0.5.
        gather (bool): Whether to gather the projections of all processes so
            that they serve as negatives. Defaults to True.
        init_cfg (dict or list[dict], optional): Initialisation config.
            Defaults to None.

    Example:
        >>> # in a config
        >>> model = dict(
        ...     head=dict(type='NTXentHead', temperature=0.5))
    """

    def __init__(self,
                 temperature: float = 0.5,
                 gather: bool = True,
                 init_cfg: Optional[Union[dict, list]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if temperature <= 0:
            raise ValueError(f'temperature must be > 0, got {temperature}')
        self.temperature = temperature
        self.gather = gather

    def loss(self, z1: Tensor, z2: Tensor) -> Tensor:
        """Compute the NT-Xent loss of two batches of projections.

        Args:
            z1 (Tensor): Projections of the first views, shape ``(N, D)``.
            z2 (Tensor): Projections of the second views of the same images,
                shape ``(N, D)``.

        Returns:
            Tensor: The scalar loss, in float32 (or float64 for float64
            inputs).
        """
        return nt_xent_loss(
            z1, z2, temperature=self.temperature, gather=self.gather)

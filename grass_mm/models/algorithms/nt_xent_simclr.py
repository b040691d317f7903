# Copyright (c) grass_mm contributors. All rights reserved.
from typing import Dict, List, Tuple

import torch
from mmpretrain.models import SimCLR
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from torch import Tensor


@MODELS.register_module()
class NTXentSimCLR(SimCLR):
    """SimCLR trained with an NT-Xent head over the global batch.

    `A Simple Framework for Contrastive Learning of Visual Representations
    <https://arxiv.org/abs/2002.05709>`_, the contrastive learner of GraSS
    (`arXiv:2306.15868 <https://arxiv.org/abs/2306.15868>`_). Unlike
    mmpretrain's ``SimCLR``, which hands positive and negative similarities
    to a generic head, the loss is the head's own NT-Xent of the two views'
    projections (:class:`NTXentHead`), so the gradients of the negatives
    gathered from other processes are exact. Both views go through the
    backbone as one batch.

    Takes the same arguments as mmpretrain's ``SimCLR``; ``head`` must have a
    ``loss(z1, z2)`` method such as ``NTXentHead``.

    Example:
        >>> model = dict(
        ...     type='NTXentSimCLR',
        ...     backbone=dict(type='ResNet', depth=50),
        ...     neck=dict(type='NonLinearNeck', in_channels=2048,
        ...               hid_channels=2048, out_channels=128, num_layers=2,
        ...               with_avg_pool=True),
        ...     head=dict(type='NTXentHead', temperature=0.5))
    """

    def loss(self, inputs: List[Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, Tensor]:
        """Compute the NT-Xent loss of two views.

        Args:
            inputs (list[Tensor]): The two views, each of shape
                (N, C, H, W).
            data_samples (list[DataSample]): Unused, kept for the interface.

        Returns:
            dict[str, Tensor]: ``{'loss': loss}``.
        """
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            raise ValueError('NTXentSimCLR expects a list of two views, got '
                             f'{type(inputs).__name__}')
        features = self.backbone(torch.cat(inputs))
        return dict(loss=self.loss_from_features(features))

    def loss_from_features(self, features: Tuple[Tensor, ...]) -> Tensor:
        """NT-Xent loss of backbone features of both views, view-major."""
        z1, z2 = self.neck(features)[0].chunk(2)
        return self.head.loss(z1, z2)

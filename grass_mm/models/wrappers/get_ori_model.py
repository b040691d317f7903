# Copyright (c) grass_mm contributors. All rights reserved.
"""The model inside a model wrapper."""
from mmengine.model import is_model_wrapper
from torch import nn


def get_ori_model(model: nn.Module) -> nn.Module:
    """The model inside a wrapper such as ``MMDistributedDataParallel``.

    The hooks of `GraSS <https://arxiv.org/abs/2306.15868>`_ read and set
    the algorithm's own attributes (its stage, its sampler's statistics),
    which a wrapper does not forward.

    Args:
        model (nn.Module): ``runner.model``, wrapped or not.

    Returns:
        nn.Module: ``model.module`` for a registered model wrapper, else
        ``model`` itself.
    """
    return model.module if is_model_wrapper(model) else model

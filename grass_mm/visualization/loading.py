# Copyright (c) grass_mm contributors. All rights reserved.
"""Build a GraSS model from a config and a checkpoint, for offline analysis."""
from mmengine.config import Config
from torch import nn

from ..utils.pretraining_model import load_pretraining_model


def load_grass_model(cfg: Config,
                     checkpoint: str,
                     device: str = 'cpu') -> nn.Module:
    """Build the `GraSS <https://arxiv.org/abs/2306.15868>`_ model of a config.

    :func:`~grass_mm.utils.load_pretraining_model` for a model with a
    sampler: the config's default scope, SyncBN as BN, every weight of the
    checkpoint loaded strictly (a partly loaded sampler would show nothing
    meaningful), eval mode.

    Args:
        cfg (Config): A GraSS pretraining config.
        checkpoint (str): A checkpoint of that model (``state_dict`` with
            the wrapped algorithm's keys, as GraSS saves them).
        device (str): Where the model runs. Defaults to ``'cpu'``.

    Returns:
        nn.Module: The model, in eval mode on ``device``.

    Raises:
        TypeError: When the config's model is not a sampler like GraSS.
        UnsafeCheckpointError: When the checkpoint holds a pickled object
            outside grass_mm's allow-list.
    """
    model_type = cfg.model.get('type')
    model = load_pretraining_model(cfg, checkpoint, device)
    if not hasattr(model, 'sample'):
        raise TypeError(f'{model_type} has no sampler: the config must '
                        'build a GraSS model')
    return model

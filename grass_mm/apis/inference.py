# Copyright (c) grass_mm contributors. All rights reserved.
"""Build a pretraining model from its config and a checkpoint, outside a
Runner: for the analyses, drawings and the probe of
`GraSS <https://arxiv.org/abs/2306.15868>`_ checkpoints (as
``mmseg.apis.init_model`` does for segmentors)."""
import copy
from typing import Optional

from mmengine.config import Config
from mmengine.model import revert_sync_batchnorm
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint
from mmpretrain.registry import MODELS
from torch import nn

from ..checkpoint import explain_unsafe_checkpoint


def load_pretraining_model(cfg: Config,
                           checkpoint: Optional[str],
                           device: str = 'cpu') -> nn.Module:
    """Build ``cfg.model`` and load every weight of ``checkpoint`` into it.

    Sets the config's default scope (``mmpretrain`` when it names none),
    builds ``cfg.model`` with the config's top-level ``data_preprocessor``
    when the model has none (as mmengine's Runner does), turns SyncBN into
    BN (one process), loads the checkpoint strictly (a partly loaded model
    would be measured as if it were the checkpoint) and puts the model in
    eval mode, so batch norm uses its running statistics.

    Args:
        cfg (Config): A pretraining config (GraSS or any mmpretrain
            self-supervised algorithm).
        checkpoint (str, optional): A checkpoint of that model (GraSS saves
            the wrapped algorithm's keys). None keeps the config's own
            initialisation (``init_weights``): the randomly initialised
            baseline.
        device (str): Where the model runs. Defaults to ``'cpu'``.

    Returns:
        nn.Module: The model, in eval mode on ``device``.

    Raises:
        UnsafeCheckpointError: When the checkpoint holds a pickled object
            outside grass_mm's allow-list.
    """
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    model_cfg = copy.deepcopy(cfg.model)
    if cfg.get('data_preprocessor') is not None:
        model_cfg.setdefault('data_preprocessor',
                             copy.deepcopy(cfg.data_preprocessor))
    model = revert_sync_batchnorm(MODELS.build(model_cfg))
    if checkpoint is None:
        model.init_weights()
    else:
        with explain_unsafe_checkpoint(checkpoint):
            load_checkpoint(model, checkpoint, map_location='cpu', strict=True)
    return model.to(device).eval()


def load_grass_model(cfg: Config,
                     checkpoint: str,
                     device: str = 'cpu') -> nn.Module:
    """Build the `GraSS <https://arxiv.org/abs/2306.15868>`_ model of a config.

    :func:`load_pretraining_model` for a model with a
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

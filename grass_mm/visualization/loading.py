# Copyright (c) grass_mm contributors. All rights reserved.
"""Build a GraSS model from a config and a checkpoint, for offline analysis."""
import copy

from mmengine.config import Config
from mmengine.model import revert_sync_batchnorm
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint
from mmpretrain.registry import MODELS
from torch import nn

from ..utils import explain_unsafe_checkpoint


def load_grass_model(cfg: Config,
                     checkpoint: str,
                     device: str = 'cpu') -> nn.Module:
    """Build the `GraSS <https://arxiv.org/abs/2306.15868>`_ model of a config.

    Sets the config's default scope (``mmpretrain`` when it names none),
    builds ``cfg.model`` with the config's top-level ``data_preprocessor``
    when the model has none (as mmengine's Runner does), turns SyncBN into
    BN (one process), loads every weight of ``checkpoint`` (strictly: a
    partly loaded sampler would show nothing meaningful) and puts the model
    in eval mode, so batch norm uses its running statistics.

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
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    model_cfg = copy.deepcopy(cfg.model)
    if cfg.get('data_preprocessor') is not None:
        model_cfg.setdefault('data_preprocessor',
                             copy.deepcopy(cfg.data_preprocessor))
    model = MODELS.build(model_cfg)
    if not hasattr(model, 'sample'):
        raise TypeError(f'{cfg.model.get("type")} has no sampler: the config '
                        'must build a GraSS model')
    model = revert_sync_batchnorm(model)
    with explain_unsafe_checkpoint(checkpoint):
        load_checkpoint(model, checkpoint, map_location='cpu', strict=True)
    return model.to(device).eval()

# Copyright (c) grass_mm contributors. All rights reserved.
"""Take the backbone out of a pretraining checkpoint.

A `GraSS <https://arxiv.org/abs/2306.15868>`_ checkpoint has the layout of
the algorithm it wraps (``backbone.``, ``neck.``, ``head.``, and for MoCo
or BYOL a momentum copy of the encoder). Fine-tuning needs the entries
under ``backbone.`` only, without that prefix, which is what mmseg's
``ResNet`` (``deep_stem=False``) expects.
"""
import os.path as osp
from collections import OrderedDict
from typing import Mapping, Optional

from mmengine.runner import CheckpointLoader, save_checkpoint
from torch import Tensor

__all__ = [
    'extract_backbone', 'load_backbone_state_dict', 'write_backbone_checkpoint'
]

# How many top-level names an error message lists.
_MAX_LISTED = 10


def _top_level_names(state_dict: Mapping[str, Tensor]) -> str:
    """The distinct first components of the keys, e.g. ``backbone., neck.``."""
    names = sorted({key.split('.', 1)[0] + '.' for key in state_dict})
    if not names:
        return 'none, the state dict is empty'
    listed = ', '.join(names[:_MAX_LISTED])
    more = len(names) - _MAX_LISTED
    return f'{listed} and {more} more' if more > 0 else listed


def extract_backbone(state_dict: Mapping[str, Tensor],
                     prefix: str = 'backbone.') -> 'OrderedDict[str, Tensor]':
    """The entries of a state dict under ``prefix``, with the prefix removed.

    Args:
        state_dict (Mapping[str, Tensor]): A model's state dict, e.g. the
            ``state_dict`` of a GraSS checkpoint.
        prefix (str): The backbone's prefix; a missing final dot is added.
            Defaults to 'backbone.'.

    Returns:
        OrderedDict[str, Tensor]: The backbone's entries, in their order,
        the tensors themselves (not copies).

    Raises:
        ValueError: When ``prefix`` is empty or no key starts with it.
    """
    if not prefix:
        raise ValueError('extract_backbone: `prefix` must not be empty')
    if not prefix.endswith('.'):
        prefix += '.'
    backbone = OrderedDict((key[len(prefix):], value)
                           for key, value in state_dict.items()
                           if key.startswith(prefix))
    if not backbone:
        raise ValueError(
            f'no entry starts with {prefix!r} (the entries start with: '
            f'{_top_level_names(state_dict)}). A backbone-only checkpoint, '
            'such as one written by tools/model_converters/grass2mmseg.py, '
            'is loaded without a prefix.')
    return backbone


def _load(checkpoint: str, map_location: str) -> Mapping:
    """Read a checkpoint file, which must hold a dict."""
    loaded = CheckpointLoader.load_checkpoint(
        checkpoint, map_location=map_location)
    if not isinstance(loaded, Mapping):
        raise ValueError(f'Checkpoint {checkpoint} holds a '
                         f'{type(loaded).__name__}, not a state dict')
    return loaded


def _backbone_of(loaded: Mapping, checkpoint: str,
                 prefix: Optional[str]) -> 'OrderedDict[str, Tensor]':
    """The backbone entries of a loaded checkpoint; errors name the file."""
    state_dict = loaded.get('state_dict', loaded)
    if prefix is None:
        return OrderedDict(state_dict)
    try:
        return extract_backbone(state_dict, prefix)
    except ValueError as error:
        raise ValueError(
            f'Checkpoint {checkpoint} has no backbone: {error}') from None


def load_backbone_state_dict(
        checkpoint: str,
        prefix: Optional[str] = 'backbone.',
        map_location: str = 'cpu') -> 'OrderedDict[str, Tensor]':
    """Load a checkpoint file and return its backbone entries.

    Args:
        checkpoint (str): Path or URL of the checkpoint, anything mmengine's
            ``CheckpointLoader`` reads. Either an mmengine checkpoint (a dict
            with ``state_dict``) or a bare state dict.
        prefix (str, optional): The backbone's prefix in the checkpoint, or
            None to take the whole state dict (a backbone-only checkpoint).
            Defaults to 'backbone.'.
        map_location (str): Where the tensors are loaded. Defaults to 'cpu'.

    Returns:
        OrderedDict[str, Tensor]: The backbone's entries without the prefix.

    Raises:
        ValueError: When the file holds no state dict or nothing under
            ``prefix``; the message names the file.
        UnsafeCheckpointError: When it holds a pickled object outside
            grass_mm's allow-list; every scheme (local, http(s),
            ``open-mmlab://``, ...) loads weights only once ``grass_mm`` is
            imported.
    """
    return _backbone_of(_load(checkpoint, map_location), checkpoint, prefix)


def write_backbone_checkpoint(checkpoint: str,
                              out_file: str,
                              prefix: str = 'backbone.') -> int:
    """Write the backbone of a pretraining checkpoint as its own checkpoint.

    The file holds ``{'state_dict': ..., 'meta': ...}`` with the backbone's
    keys without ``prefix``, so mmseg loads it with
    ``init_cfg=dict(type='Pretrained', checkpoint=out_file)`` and no
    prefix. ``meta`` names the source file and keeps its ``epoch`` and
    ``iter``.

    Args:
        checkpoint (str): The pretraining checkpoint.
        out_file (str): Where to write; parent folders are created.
        prefix (str): The backbone's prefix in ``checkpoint``. Defaults to
            'backbone.'.

    Returns:
        int: The number of tensors written.

    Raises:
        ValueError: When ``checkpoint`` has no entry under ``prefix``; the
            message names the file.
    """
    loaded = _load(checkpoint, 'cpu')
    backbone = _backbone_of(loaded, checkpoint, prefix)
    meta = dict(source=osp.basename(checkpoint), prefix=prefix)
    source_meta = loaded.get('meta')
    if isinstance(source_meta, Mapping):
        for key in ('epoch', 'iter'):
            if key in source_meta:
                meta[key] = int(source_meta[key])
    save_checkpoint(dict(state_dict=backbone, meta=meta), out_file)
    return len(backbone)

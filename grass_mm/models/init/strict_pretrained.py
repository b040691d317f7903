# Copyright (c) grass_mm contributors. All rights reserved.
"""Initialise a module from a checkpoint that must fit it exactly.

mmengine's ``Pretrained`` initialiser loads with ``strict=False`` and only
logs the keys that did not match, so a backbone of the wrong type (mmseg's
default ``ResNetV1c`` has a deep stem, mmpretrain's ``ResNet`` a 7x7 one)
fine-tunes from a partly random initialisation while the run looks normal.
``StrictPretrained`` refuses that.
"""
from typing import List, Mapping, NamedTuple, Optional, Tuple

from mmengine.logging import print_log
from mmengine.model.weight_init import update_init_info
from mmengine.registry import WEIGHT_INITIALIZERS
from torch import Tensor, nn

from ...checkpoint import load_backbone_state_dict

__all__ = [
    'CheckpointMismatchError', 'StateDictMismatch', 'StrictPretrainedInit',
    'find_state_dict_mismatch'
]

# How many keys of each kind an error message lists.
_MAX_LISTED = 20

# A counter of batch norm layers, not a weight; torch fills it in when a
# checkpoint lacks it, and older checkpoints do.
_IGNORED_SUFFIX = 'num_batches_tracked'


class CheckpointMismatchError(RuntimeError):
    """A checkpoint does not fit the module it should initialise."""


class StateDictMismatch(NamedTuple):
    """How a checkpoint's state dict differs from a module's.

    Attributes:
        missing (list[str]): The module's keys the checkpoint lacks.
        unexpected (list[str]): The checkpoint's keys the module lacks.
        shapes (list[tuple]): ``(key, checkpoint shape, module shape)`` for
            the keys whose shapes differ.
    """
    missing: List[str]
    unexpected: List[str]
    shapes: List[Tuple[str, tuple, tuple]]

    def __bool__(self) -> bool:
        return bool(self.missing or self.unexpected or self.shapes)


def find_state_dict_mismatch(expected: Mapping[str, Tensor],
                             given: Mapping[str, Tensor]) -> StateDictMismatch:
    """Compare a checkpoint's state dict with the one a module expects.

    ``num_batches_tracked`` entries that the checkpoint lacks are not
    counted as missing.

    Args:
        expected (Mapping[str, Tensor]): The module's ``state_dict()``.
        given (Mapping[str, Tensor]): The checkpoint's entries.

    Returns:
        StateDictMismatch: Missing, unexpected and reshaped keys, sorted;
        false when the two match.
    """
    missing = sorted(
        key for key in expected
        if key not in given and not key.endswith(_IGNORED_SUFFIX))
    unexpected = sorted(key for key in given if key not in expected)
    shapes = sorted((key, tuple(given[key].shape), tuple(value.shape))
                    for key, value in expected.items()
                    if key in given and given[key].shape != value.shape)
    return StateDictMismatch(missing, unexpected, shapes)


def _listed(items: List[str],
            limit: int = _MAX_LISTED,
            separator: str = ', ') -> str:
    shown = separator.join(items[:limit])
    more = len(items) - limit
    return f'{shown} and {more} more' if more > 0 else shown


def _hint(mismatch: StateDictMismatch, num_given: int) -> str:
    """The most likely cause of a mismatch, in words."""
    missing_stem = any(key.startswith('stem.') for key in mismatch.missing)
    unexpected_stem = any(
        key.startswith('stem.') for key in mismatch.unexpected)
    if missing_stem and 'conv1.weight' in mismatch.unexpected:
        return ('The backbone has a deep stem (three 3x3 convolutions, as '
                "mmseg's ResNetV1c) but the checkpoint has a 7x7 stem, as "
                "mmpretrain's ResNet: use type='ResNet' (mmseg) with "
                'deep_stem=False for mmpretrain checkpoints.')
    if unexpected_stem and 'conv1.weight' in mismatch.missing:
        return ('The checkpoint comes from a deep-stem backbone (e.g. '
                'ResNetV1c) but the backbone has a 7x7 stem: use '
                "type='ResNetV1c' (or deep_stem=True), or a checkpoint of a "
                'plain ResNet.')
    if len(mismatch.unexpected) == num_given:
        return ('No key of the checkpoint is in the backbone: check '
                "`prefix` ('backbone.' for a pretraining checkpoint, None "
                'for a backbone-only one).')
    if not mismatch.unexpected and not mismatch.shapes:
        return ('The checkpoint lacks weights of the backbone: is the file '
                'complete, and is the backbone as deep as the pretrained '
                'one?')
    return ('The backbone and the checkpoint must have the same '
            'architecture (type, depth, stem, widths).')


def _describe(mismatch: StateDictMismatch) -> str:
    lines = []
    if mismatch.missing:
        lines.append(f'missing from the checkpoint ({len(mismatch.missing)})'
                     f': {_listed(mismatch.missing)}')
    if mismatch.unexpected:
        lines.append(f'not in the backbone ({len(mismatch.unexpected)}): '
                     f'{_listed(mismatch.unexpected)}')
    if mismatch.shapes:
        shapes = [
            f'{key} {list(given)} in the checkpoint, {list(wanted)} in the '
            'backbone' for key, given, wanted in mismatch.shapes
        ]
        lines.append(f'other shape ({len(shapes)}): '
                     f'{_listed(shapes, _MAX_LISTED // 4, "; ")}')
    return '\n'.join(lines)


@WEIGHT_INITIALIZERS.register_module(name='StrictPretrained')
class StrictPretrainedInit:
    """Load a pretrained checkpoint into a module; any mismatch is an error.

    A drop-in for mmengine's ``Pretrained`` initialiser (same arguments) for
    fine-tuning from a `GraSS <https://arxiv.org/abs/2306.15868>`_ (or any
    mmpretrain) checkpoint. Before anything is loaded, the checkpoint's
    entries under ``prefix`` are compared with the module's state dict:
    every weight and buffer of the module must be in the checkpoint with
    the same shape, and the checkpoint must hold nothing else under
    ``prefix``. Otherwise :class:`CheckpointMismatchError` lists the
    missing, unexpected and reshaped keys with the likely cause, on every
    process. ``num_batches_tracked`` counters may be absent.

    mmengine runs ``Pretrained`` after a module's other initialisers and
    its children's; this initialiser runs in the module's own turn, before
    the children's ``init_weights``. For mmseg's ``ResNet`` the two are the
    same: given an ``init_cfg``, its blocks have no initialisers of their
    own.

    Args:
        checkpoint (str): Path or URL of the checkpoint.
        prefix (str, optional): The module's prefix in the checkpoint, e.g.
            ``'backbone.'``; None for a checkpoint of the module alone.
            Defaults to None.
        map_location (str): Where the tensors are loaded. Defaults to 'cpu'.

    Example:
        >>> pretrained = 'work_dirs/grass_r50_potsdam/epoch_350.pth'
        >>> model = dict(
        ...     backbone=dict(
        ...         type='ResNet',
        ...         depth=50,
        ...         deep_stem=False,
        ...         init_cfg=dict(
        ...             type='StrictPretrained',
        ...             checkpoint=pretrained,
        ...             prefix='backbone.')))
    """

    def __init__(self,
                 checkpoint: str,
                 prefix: Optional[str] = None,
                 map_location: str = 'cpu') -> None:
        if not checkpoint:
            raise ValueError('StrictPretrained: `checkpoint` must name a '
                             f'checkpoint file, got {checkpoint!r}')
        self.checkpoint = checkpoint
        self.prefix = prefix
        self.map_location = map_location

    def __call__(self, module: nn.Module) -> None:
        """Check the checkpoint against ``module``, then load it strictly.

        Raises:
            CheckpointMismatchError: When keys or shapes differ.
            ValueError: When the checkpoint has nothing under ``prefix``.
            UnsafeCheckpointError: When the checkpoint (a file or a URL)
                holds a pickled object outside grass_mm's allow-list.
        """
        print_log(
            f'load {self.prefix or "all"} in {type(module).__name__} from '
            f'{self.checkpoint} (strict)',
            logger='current')
        state_dict = load_backbone_state_dict(self.checkpoint, self.prefix,
                                              self.map_location)
        mismatch = find_state_dict_mismatch(module.state_dict(), state_dict)
        if mismatch:
            hint = _hint(mismatch, len(state_dict))
            raise CheckpointMismatchError(
                f'Checkpoint {self.checkpoint} (prefix {self.prefix!r}) does '
                f'not fit {type(module).__name__}:\n{_describe(mismatch)}\n'
                f"{hint} (type='Pretrained' would have loaded the matching "
                'entries only and logged the rest.)')
        module.load_state_dict(state_dict, strict=True)
        if hasattr(module, '_params_init_info'):
            update_init_info(module, init_info=self._get_init_info())

    def _get_init_info(self) -> str:
        return (f'{type(self).__name__}: load {self.prefix or "all"} from '
                f'{self.checkpoint}')

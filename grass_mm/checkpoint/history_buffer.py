# Copyright (c) grass_mm contributors. All rights reserved.
"""Rebuild mmengine's ``HistoryBuffer`` from a checkpoint without side effects.

mmengine's message hub stores its logged scalars as ``HistoryBuffer``
objects, and ``HistoryBuffer.__setstate__`` merges the statistics methods a
pickle carries into the class-level ``_statistics_methods`` table that every
buffer of the process shares. Allow-listing the class as it is would let a
checkpoint made only of allow-listed objects rewrite that table (``mean``
computed as ``max``, falsified training logs) and widen what a restricted
``getattr`` resolves. The allow-list therefore names
:class:`HistoryBufferRebuild` under the class's pickle name: it checks the
state against a table frozen when this module is imported and gives back a
plain ``HistoryBuffer`` without touching any class attribute.
"""
import pickle
from types import MappingProxyType
from typing import Any, Callable, Dict, Mapping

import numpy as np
from mmengine.logging import HistoryBuffer

__all__ = [
    'HISTORY_BUFFER_STATISTICS', 'HistoryBufferRebuild',
    'check_history_buffer_state', 'history_buffer_getattr'
]

# The statistics methods ``HistoryBuffer`` registers on itself, taken from
# the class body (not from its mutable ``_statistics_methods`` table) when
# this module is imported. ``HistoryBuffer.__getstate__`` stores them, and
# pickle writes each as ``getattr(HistoryBuffer, name)``.
HISTORY_BUFFER_STATISTICS: Mapping[str, Callable] = MappingProxyType({
    name:
    vars(HistoryBuffer)[name]
    for name in ('min', 'max', 'current', 'mean')
})

# The instance attributes of a HistoryBuffer and the type each must have.
_STATE_TYPES = MappingProxyType({
    '_log_history': np.ndarray,
    '_count_history': np.ndarray,
    'max_length': int,
})


def _refuse(message: str) -> pickle.UnpicklingError:
    return pickle.UnpicklingError(
        f'{message}; grass_mm only rebuilds HistoryBuffers as mmengine '
        'saves them')


def history_buffer_getattr(owner: Any, name: str) -> Callable:
    """Stand-in for ``getattr`` that only resolves ``HistoryBuffer`` methods.

    Checkpoints call the builtin ``getattr`` to restore the statistics
    methods of each ``HistoryBuffer``. Allow-listing the builtin itself would
    let a checkpoint reach any attribute of any object it can build, so this
    function is registered under the builtin's name instead. What it
    resolves is :data:`HISTORY_BUFFER_STATISTICS`, fixed at import: nothing
    a checkpoint does can widen it.

    Args:
        owner (Any): The object whose attribute is read; must be
            ``HistoryBuffer`` (which the allow-list resolves to
            :class:`HistoryBufferRebuild`).
        name (str): The attribute; one of ``min``, ``max``, ``current`` and
            ``mean``.

    Returns:
        Callable: The method, as defined in ``HistoryBuffer``'s class body.

    Raises:
        pickle.UnpicklingError: For any other object or attribute.
    """
    if ((owner is not HistoryBuffer and owner is not HistoryBufferRebuild)
            or not isinstance(name, str)
            or name not in HISTORY_BUFFER_STATISTICS):
        raise pickle.UnpicklingError(
            f'getattr({owner!r}, {name!r}) is outside grass_mm\'s allow-list; '
            'only the HistoryBuffer statistics methods '
            f'{", ".join(HISTORY_BUFFER_STATISTICS)} may be looked up')
    return HISTORY_BUFFER_STATISTICS[name]


def check_history_buffer_state(state: Any) -> Dict[str, Any]:
    """Check the pickled state of a ``HistoryBuffer``.

    A pure function. The state must hold exactly the attributes mmengine
    writes, with their types, and its ``statistics_methods`` (if any) must
    map each name to ``HistoryBuffer``'s own method of that name.

    Args:
        state (Any): What the pickle holds for the buffer's ``__setstate__``.

    Returns:
        dict: The instance attributes to set, without
        ``statistics_methods``.

    Raises:
        pickle.UnpicklingError: When anything differs.
    """
    if type(state) is not dict:
        raise _refuse(f'HistoryBuffer state is a {type(state).__name__}, '
                      'not a dict')
    attributes = dict(state)
    methods = attributes.pop('statistics_methods', {})
    if type(methods) is not dict:
        raise _refuse('HistoryBuffer statistics_methods is a '
                      f'{type(methods).__name__}, not a dict')
    for name, method in methods.items():
        if HISTORY_BUFFER_STATISTICS.get(name) is not method:
            raise _refuse(f'HistoryBuffer state would register {method!r} '
                          f'as statistics method {name!r}')
    if set(attributes) != set(_STATE_TYPES):
        raise _refuse('HistoryBuffer state has the attributes '
                      f'{sorted(attributes)}, not {sorted(_STATE_TYPES)}')
    for name, value in attributes.items():
        if not isinstance(value, _STATE_TYPES[name]):
            raise _refuse(f'HistoryBuffer attribute {name} is a '
                          f'{type(value).__name__}, not a '
                          f'{_STATE_TYPES[name].__name__}')
    return attributes


class HistoryBufferRebuild(HistoryBuffer):
    """What the allow-list builds for a pickled ``HistoryBuffer``.

    Registered with ``torch.serialization.add_safe_globals`` under the name
    ``mmengine.logging.history_buffer.HistoryBuffer``. Its ``__setstate__``
    checks the state with :func:`check_history_buffer_state`, sets the
    instance attributes, and turns the object into a plain
    ``HistoryBuffer``. Unlike ``HistoryBuffer.__setstate__`` it never
    merges the pickled statistics methods into the class-level table; it
    only adds the four default methods when missing, as every
    ``HistoryBuffer()`` does.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Reached when a pickle calls the class instead of creating the
        # object with NEWOBJ, which is how mmengine's checkpoints do it.
        # The result is a plain buffer, which torch's weights-only loader
        # then refuses to fill with a pickled state.
        super().__init__(*args, **kwargs)
        self.__class__ = HistoryBuffer

    def __setstate__(self, state: Any) -> None:
        """Check ``state`` and become the ``HistoryBuffer`` it describes.

        Args:
            state (Any): The pickled state.

        Raises:
            pickle.UnpicklingError: When the state is not one mmengine
                writes.
        """
        attributes = check_history_buffer_state(state)
        self._set_default_statistics()
        self.__dict__.update(attributes)
        self.__class__ = HistoryBuffer

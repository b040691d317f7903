# Copyright (c) grass_mm contributors. All rights reserved.
"""Load mmengine checkpoints with ``torch.load(..., weights_only=True)``.

Since torch 2.6, ``torch.load`` only unpickles tensors, containers and an
allow-list of globals by default, and mmengine 0.10's checkpoints fail with
``Unsupported global: mmengine.logging.history_buffer.HistoryBuffer``: their
message hub stores history buffers, numpy arrays and numpy scalars. Instead of
turning ``weights_only`` off, which would let a checkpoint run any code, we add
exactly the globals mmengine's own checkpoints need to torch's allow-list.
Everything else is still refused, and :func:`explain_unsafe_checkpoint` turns
that refusal into an error that names the file.
"""
import os
import pickle
from contextlib import contextmanager
from typing import Any, Callable, Iterator, List, Optional, Tuple, Union

import numpy as np
import torch
from mmengine.logging import HistoryBuffer
from mmengine.utils import digit_version

# Methods ``HistoryBuffer`` registers on itself. ``HistoryBuffer.__getstate__``
# stores them, and pickle writes a method of a class as
# ``getattr(HistoryBuffer, 'min')``.
_HISTORY_BUFFER_METHODS = ('min', 'max', 'current', 'mean')

SafeGlobal = Union[Callable, Tuple[Callable, str]]


class UnsafeCheckpointError(RuntimeError):
    """A checkpoint holds an object outside grass_mm's allow-list."""


def history_buffer_getattr(owner: Any, name: str) -> Callable:
    """Stand-in for ``getattr`` that only resolves ``HistoryBuffer`` methods.

    Checkpoints call the builtin ``getattr`` to restore the statistics
    methods of each ``HistoryBuffer``. Allow-listing the builtin itself would
    let a checkpoint reach any attribute of any object it can build, so this
    function is registered under the builtin's name instead.

    Args:
        owner (Any): The object whose attribute is read; must be
            ``HistoryBuffer``.
        name (str): The attribute; must be one of its statistics methods.

    Returns:
        Callable: The method.

    Raises:
        pickle.UnpicklingError: For any other object or attribute.
    """
    allowed = set(_HISTORY_BUFFER_METHODS) | set(
        HistoryBuffer._statistics_methods)
    if owner is not HistoryBuffer or name not in allowed:
        raise pickle.UnpicklingError(
            f'getattr({owner!r}, {name!r}) is outside grass_mm\'s allow-list; '
            'only HistoryBuffer statistics methods may be looked up')
    return getattr(owner, name)


def _numpy_multiarray() -> Any:
    """``numpy._core.multiarray`` (numpy 2) or ``numpy.core.multiarray``."""
    try:
        from numpy._core import multiarray
    except ImportError:  # numpy 1.x
        from numpy.core import multiarray
    return multiarray


def checkpoint_safe_globals() -> List[SafeGlobal]:
    """The globals mmengine 0.10's checkpoints need, for ``add_safe_globals``.

    Found by saving checkpoints with a real Runner (pretraining with
    mmpretrain, fine-tuning with mmseg, epoch- and iteration-based loops,
    ``save_best``) and loading them with ``weights_only=True`` until they
    loaded.

    Returns:
        list: Classes and functions, and ``(function, name)`` pairs for those
        that must be matched under another name than their own.
    """
    multiarray = _numpy_multiarray()
    safe_globals: List[SafeGlobal] = [
        # The message hub's ``log_scalars`` are HistoryBuffers.
        HistoryBuffer,
        # HistoryBuffer keeps its history as numpy arrays: an array is
        # rebuilt by ``_reconstruct(ndarray, shape, dtype)`` and filled by
        # ``ndarray.__setstate__``.
        multiarray._reconstruct,
        np.ndarray,
        # Every array and numpy scalar pickles its ``numpy.dtype``; the dtype
        # instance is then restored by ``__setstate__`` of its concrete class
        # (``numpy.dtypes.Float64DType`` etc.). Logged values are float64,
        # logged counts int64, and mmseg's ``IoUMetric`` returns float32
        # scores, kept as ``best_score`` by ``CheckpointHook(save_best=...)``.
        np.dtype,
        type(np.dtype(np.float64)),
        type(np.dtype(np.int64)),
        type(np.dtype(np.float32)),
        # numpy scalars, e.g. the ``eta`` in the message hub's runtime info,
        # are rebuilt by ``multiarray.scalar(dtype, bytes)``.
        multiarray.scalar,
    ]
    if digit_version(torch.__version__) >= digit_version('2.6.0'):
        # ``(object, name)`` pairs are understood from torch 2.6 on, the
        # release that made ``weights_only=True`` the default.
        safe_globals.append((history_buffer_getattr, 'builtins.getattr'))
        if multiarray.__name__ == 'numpy._core.multiarray':
            # Checkpoints written under numpy 1.x name these functions by
            # their old module, ``numpy.core.multiarray``.
            safe_globals += [
                (multiarray._reconstruct,
                 'numpy.core.multiarray._reconstruct'),
                (multiarray.scalar, 'numpy.core.multiarray.scalar'),
            ]
    return safe_globals


def register_checkpoint_safe_globals() -> None:
    """Allow-list the globals mmengine's checkpoints need in ``torch.load``.

    Idempotent (torch keeps the allow-list as a set) and a no-op on torch
    versions without ``torch.serialization.add_safe_globals`` (< 2.4), which
    load checkpoints with the full unpickler anyway.
    """
    add_safe_globals = getattr(torch.serialization, 'add_safe_globals', None)
    if add_safe_globals is None:
        return
    add_safe_globals(checkpoint_safe_globals())


def _is_weights_only_refusal(error: pickle.UnpicklingError) -> bool:
    return 'Weights only load failed' in str(error)


def _file_being_loaded(error: BaseException) -> Optional[str]:
    """The path ``torch.load`` was reading when it raised ``error``."""
    traceback = error.__traceback__
    path = None
    while traceback is not None:
        code = traceback.tb_frame.f_code
        if (code.co_name == 'load'
                and code.co_filename == torch.serialization.__file__):
            candidate = traceback.tb_frame.f_locals.get('f')
            if isinstance(candidate, (str, os.PathLike)):
                path = os.fspath(candidate)
        traceback = traceback.tb_next
    return path


@contextmanager
def explain_unsafe_checkpoint(
        checkpoint: Optional[str] = None) -> Iterator[None]:
    """Turn torch's refusal of a checkpoint into an error naming the file.

    Example:
        >>> with explain_unsafe_checkpoint('work_dirs/x/epoch_1.pth'):
        ...     runner.test()

    Args:
        checkpoint (str, optional): The checkpoint the code inside is expected
            to load, used when the file torch was reading cannot be found
            from the traceback. Defaults to None.

    Raises:
        UnsafeCheckpointError: When ``torch.load`` refused a global of the
            checkpoint; other unpickling errors are re-raised unchanged.
    """
    try:
        yield
    except pickle.UnpicklingError as error:
        if not _is_weights_only_refusal(error):
            raise
        path = _file_being_loaded(error) or checkpoint or 'a checkpoint'
        raise UnsafeCheckpointError(
            f'Refused to load checkpoint {path}: it contains a pickled object '
            "outside grass_mm's allow-list of checkpoint globals, so it was "
            'not loaded and nothing in it was executed. Only load '
            'checkpoints from sources you trust. torch said:\n'
            f'{error}') from error

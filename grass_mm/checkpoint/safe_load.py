# Copyright (c) grass_mm contributors. All rights reserved.
"""Load mmengine checkpoints with ``torch.load(..., weights_only=True)``.

``torch.load(weights_only=True)`` only unpickles tensors, containers and an
allow-list of globals, and mmengine 0.10's checkpoints fail with
``Unsupported global: mmengine.logging.history_buffer.HistoryBuffer``: their
message hub stores history buffers, numpy arrays and numpy scalars. Instead of
turning ``weights_only`` off, which would let a checkpoint run any code, we add
exactly the globals mmengine's own checkpoints need to torch's allow-list,
two of them as side-effect-free stand-ins
(:mod:`grass_mm.checkpoint.history_buffer`). Everything else is refused:
:func:`load_weights_only` is the one way grass_mm's checkpoint loaders
(:mod:`grass_mm.checkpoint.loaders`) unpickle a file, and its refusals
are errors that name the file.
"""
import os
import pickle
from contextlib import contextmanager
from typing import IO, Any, Callable, Iterator, List, Optional, Tuple, Union

import numpy as np
import torch

from .history_buffer import HistoryBufferRebuild, history_buffer_getattr

SafeGlobal = Union[Callable, Tuple[Callable, str]]
MapLocation = Union[None, str, torch.device, dict, Callable]

# The pickle names grass_mm resolves to stand-ins of its own, and the
# stand-ins. No other entry of torch's allow-list may claim these names.
_HISTORY_BUFFER = 'mmengine.logging.history_buffer.HistoryBuffer'
_GETATTR = 'builtins.getattr'
_STAND_INS = {
    _HISTORY_BUFFER: HistoryBufferRebuild,
    _GETATTR: history_buffer_getattr,
}


class UnsafeCheckpointError(RuntimeError):
    """A checkpoint holds an object outside grass_mm's allow-list."""


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
        list: Classes and functions, and ``(object, name)`` pairs for those
        matched under another name than their own.
    """
    multiarray = _numpy_multiarray()
    safe_globals: List[SafeGlobal] = [
        # The message hub's ``log_scalars`` are HistoryBuffers, rebuilt
        # without touching HistoryBuffer's class-level statistics table;
        # their statistics methods are pickled as
        # ``getattr(HistoryBuffer, 'mean')``.
        *[(stand_in, name) for name, stand_in in _STAND_INS.items()],
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
    if multiarray.__name__ == 'numpy._core.multiarray':
        # Checkpoints written under numpy 1.x name these functions by their
        # old module, ``numpy.core.multiarray``.
        safe_globals += [
            (multiarray._reconstruct, 'numpy.core.multiarray._reconstruct'),
            (multiarray.scalar, 'numpy.core.multiarray.scalar'),
        ]
    return safe_globals


def register_checkpoint_safe_globals() -> None:
    """Allow-list the globals mmengine's checkpoints need in ``torch.load``.

    Idempotent: torch keeps the allow-list as a set.
    """
    torch.serialization.add_safe_globals(checkpoint_safe_globals())


def _entry_name(entry: SafeGlobal) -> Tuple[Any, str]:
    """``(object, name)`` of an allow-list entry, as torch matches it."""
    if isinstance(entry, tuple):
        return entry[0], entry[1]
    module = getattr(entry, '__module__', None)
    qualname = getattr(entry, '__qualname__', None)
    return entry, f'{module}.{qualname}'


def check_allow_list() -> None:
    """Make sure torch's allow-list resolves grass_mm's names to its own.

    Registers the allow-list again (so clearing torch's list does not
    silently break loading) and checks that no other entry, e.g. the real
    ``HistoryBuffer`` or the builtin ``getattr`` added by other code, claims
    a name grass_mm resolves to a stand-in: torch would pick one of the two
    arbitrarily.

    Raises:
        UnsafeCheckpointError: When another entry claims such a name.
    """
    register_checkpoint_safe_globals()
    for entry in torch.serialization.get_safe_globals():
        value, name = _entry_name(entry)
        stand_in = _STAND_INS.get(name)
        if stand_in is not None and value is not stand_in:
            raise UnsafeCheckpointError(
                f'torch\'s allow-list of checkpoint globals holds {value!r} '
                f'under the name {name}, which grass_mm resolves to '
                f'{stand_in.__module__}.{stand_in.__qualname__}; grass_mm '
                'loads no checkpoint until it is removed '
                '(torch.serialization.clear_safe_globals(), then import '
                'grass_mm again or call register_checkpoint_safe_globals())')


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


def unsafe_checkpoint_error(
        checkpoint: str,
        error: pickle.UnpicklingError) -> UnsafeCheckpointError:
    """The error grass_mm raises for a checkpoint torch refused.

    Args:
        checkpoint (str): The checkpoint, in words (a path, or a URL and
            where it was downloaded to).
        error (pickle.UnpicklingError): torch's refusal, quoted.

    Returns:
        UnsafeCheckpointError: The error to raise.
    """
    return UnsafeCheckpointError(
        f'Refused to load checkpoint {checkpoint}: it contains a pickled '
        "object outside grass_mm's allow-list of checkpoint globals, so it "
        'was not loaded and nothing in it was executed. Only load '
        f'checkpoints from sources you trust. torch said:\n{error}')


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
        raise unsafe_checkpoint_error(path, error) from error


@contextmanager
def name_refusals(checkpoint: str) -> Iterator[None]:
    """Raise torch's weights-only refusals inside as grass_mm's error.

    Args:
        checkpoint (str): How the error names the checkpoint.

    Raises:
        UnsafeCheckpointError: When ``torch.load`` refused a global; other
            unpickling errors are re-raised unchanged.
    """
    try:
        yield
    except pickle.UnpicklingError as error:
        if not _is_weights_only_refusal(error):
            raise
        raise unsafe_checkpoint_error(checkpoint, error) from error


def load_weights_only(file: Union[str, os.PathLike, IO[bytes]],
                      map_location: MapLocation = None,
                      checkpoint: Optional[str] = None) -> Any:
    """``torch.load(file, weights_only=True)`` through grass_mm's allow-list.

    ``weights_only=True`` is passed explicitly, so neither torch's default
    nor ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD`` can turn the restricted
    unpickler off.

    Args:
        file (str | os.PathLike | IO[bytes]): The file, or a buffer holding
            it.
        map_location (str | torch.device | dict | Callable, optional): Same
            as for ``torch.load``. Defaults to None.
        checkpoint (str, optional): How errors name the checkpoint. Defaults
            to ``file`` itself when it is a path.

    Returns:
        Any: The unpickled checkpoint.

    Raises:
        UnsafeCheckpointError: When the checkpoint holds a global outside
            the allow-list, or the allow-list itself was tampered with
            (see :func:`check_allow_list`).
    """
    check_allow_list()
    if checkpoint is None and isinstance(file, (str, os.PathLike)):
        checkpoint = os.fspath(file)
    with name_refusals(checkpoint or 'a checkpoint'):
        return torch.load(file, map_location=map_location, weights_only=True)

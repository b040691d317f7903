# Copyright (c) grass_mm contributors. All rights reserved.
"""A checkpoint made of allow-listed objects cannot change HistoryBuffer."""
import io
import pickle

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer

from grass_mm.checkpoint import (UnsafeCheckpointError, load_weights_only,
                                 register_checkpoint_safe_globals)
from grass_mm.checkpoint.history_buffer import (HISTORY_BUFFER_STATISTICS,
                                                check_history_buffer_state,
                                                history_buffer_getattr)


def mmengine_state(**changes):
    """The state mmengine pickles for ``HistoryBuffer([1., 5.], [1, 1])``,
    with some entries changed."""
    state = dict(
        max_length=1000000,
        _log_history=np.array([1.0, 5.0]),
        _count_history=np.array([1, 1]),
        statistics_methods=dict(HISTORY_BUFFER_STATISTICS))
    state.update(changes)
    return state


# States that would poison the class-level table or are not mmengine's.
POISONED = {
    'mean as max':
    mmengine_state(statistics_methods=dict(mean=HistoryBuffer.max)),
    'widened getattr':
    mmengine_state(
        statistics_methods={
            '__init__': HistoryBuffer.min,
            'register_statistics': HistoryBuffer.min,
            '__class__': HistoryBuffer.min,
        }),
    'extra attribute':
    mmengine_state(_statistics_methods=dict(mean=HistoryBuffer.max)),
    'missing attribute': {
        key: value
        for key, value in mmengine_state().items() if key != 'max_length'
    },
    'wrong type':
    mmengine_state(max_length='10'),
    'methods not a dict':
    mmengine_state(statistics_methods=[]),
}


def pickled_as_history_buffer(state):
    """A buffer that pickles as mmengine's do (``NEWOBJ`` of the class, then
    ``BUILD``), but with ``state``."""
    buffer = HistoryBuffer()
    buffer.__getstate__ = lambda: state
    return buffer


class _CallsWithState:
    """Pickles as ``func(*args)`` then ``BUILD`` with ``state``."""

    def __init__(self, func, args, state):
        self.func, self.args, self.state = func, args, state

    def __reduce__(self):
        return self.func, self.args, self.state


def saved(obj) -> io.BytesIO:
    buffer = io.BytesIO()
    torch.save(dict(message_hub=dict(log_scalars={'train/loss': obj})), buffer)
    buffer.seek(0)
    return buffer


def assert_statistics_intact():
    assert HistoryBuffer([1, 5], [1, 1]).statistics('mean') == 3
    assert HistoryBuffer._statistics_methods == dict(HISTORY_BUFFER_STATISTICS)


@pytest.fixture(autouse=True)
def allow_list():
    register_checkpoint_safe_globals()
    HistoryBuffer()  # the class table holds the defaults, as in a run
    yield
    assert_statistics_intact()


def test_round_trip_gives_a_plain_history_buffer():
    original = HistoryBuffer([1.0, 5.0], [1, 1])
    loaded = load_weights_only(saved(original))
    buffer = loaded['message_hub']['log_scalars']['train/loss']
    assert type(buffer) is HistoryBuffer
    np.testing.assert_array_equal(buffer.data[0], [1.0, 5.0])
    np.testing.assert_array_equal(buffer.data[1], [1, 1])
    assert buffer.statistics('mean') == 3
    assert 'statistics_methods' not in vars(buffer)


def test_poisoning_payload_is_live_without_grass_mm():
    """The full unpickler (what mmengine's http loader ran) lets the state
    rewrite the class table: the payload the tests below refuse is real."""
    try:
        pickle.loads(
            pickle.dumps(pickled_as_history_buffer(POISONED['mean as max'])))
        assert HistoryBuffer([1, 5], [1, 1]).statistics('mean') == 5
    finally:
        HistoryBuffer._statistics_methods.clear()
        HistoryBuffer._statistics_methods.update(HISTORY_BUFFER_STATISTICS)


@pytest.mark.parametrize('form', ['newobj', 'reduce'])
@pytest.mark.parametrize('kind', sorted(POISONED))
def test_poisoned_state_is_refused_and_changes_nothing(form, kind):
    state = POISONED[kind]
    if form == 'newobj':
        payload = pickled_as_history_buffer(state)
    else:
        payload = _CallsWithState(HistoryBuffer, (), state)
    with pytest.raises(
            UnsafeCheckpointError, match='nothing in it was executed'):
        load_weights_only(saved(payload))
    assert_statistics_intact()


def test_state_check_accepts_mmengine_state_and_drops_methods():
    attributes = check_history_buffer_state(mmengine_state())
    assert sorted(attributes) == [
        '_count_history', '_log_history', 'max_length'
    ]
    without_methods = mmengine_state()
    del without_methods['statistics_methods']
    assert sorted(
        check_history_buffer_state(without_methods)) == sorted(attributes)


@pytest.mark.parametrize('kind', sorted(POISONED))
def test_state_check_refuses(kind):
    with pytest.raises(pickle.UnpicklingError, match='HistoryBuffer'):
        check_history_buffer_state(POISONED[kind])


@pytest.mark.parametrize(
    'name', ['__init__', 'register_statistics', '__class__', 'update'])
def test_getattr_is_frozen_at_import(name):
    """Even with the class table widened by other means, getattr resolves
    only the four methods, to the functions of the class body."""
    HistoryBuffer._statistics_methods[name] = HistoryBuffer.min
    try:
        with pytest.raises(pickle.UnpicklingError, match=repr(name)):
            history_buffer_getattr(HistoryBuffer, name)
    finally:
        del HistoryBuffer._statistics_methods[name]
    HistoryBuffer._statistics_methods['mean'] = HistoryBuffer.max
    try:
        assert history_buffer_getattr(HistoryBuffer,
                                      'mean') is vars(HistoryBuffer)['mean']
    finally:
        HistoryBuffer._statistics_methods['mean'] = HistoryBuffer.mean


def test_getattr_refuses_other_owners():
    with pytest.raises(pickle.UnpicklingError):
        history_buffer_getattr(np.ndarray, 'mean')


@pytest.mark.parametrize(
    'entry', [HistoryBuffer, getattr, (HistoryBuffer.max, 'builtins.getattr')],
    ids=['HistoryBuffer', 'getattr', 'renamed'])
def test_a_competing_allow_list_entry_stops_loading(entry):
    """torch resolves a name claimed twice arbitrarily: refuse to load."""
    saved_globals = torch.serialization.get_safe_globals()
    torch.serialization.add_safe_globals([entry])
    try:
        with pytest.raises(UnsafeCheckpointError, match='under the name'):
            load_weights_only(saved(HistoryBuffer([1.0], [1])))
    finally:
        torch.serialization.clear_safe_globals()
        torch.serialization.add_safe_globals(saved_globals)

# Copyright (c) grass_mm contributors. All rights reserved.
"""The allow-list of checkpoint globals: enough for mmengine, nothing more."""
import io
import pickle

import numpy as np
import pytest
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import HistoryBuffer
from mmengine.model import BaseModel
from mmengine.registry import DefaultScope
from mmengine.runner import Runner
from torch import nn
from torch.utils.data import Dataset

from grass_mm.checkpoint import (UnsafeCheckpointError,
                                 checkpoint_safe_globals,
                                 explain_unsafe_checkpoint,
                                 register_checkpoint_safe_globals)


class _ToyModel(BaseModel):

    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 1)

    def forward(self, inputs, mode='tensor'):
        outputs = self.linear(torch.stack(inputs))
        if mode == 'loss':
            return dict(loss=outputs.pow(2).mean())
        return list(outputs)


class _ToyDataset(Dataset):

    def __len__(self):
        return 4

    def __getitem__(self, index):
        return dict(inputs=torch.full((2, ), float(index)))


class _Float32Metric(BaseMetric):
    """Returns a numpy float32 score, as mmseg's IoUMetric does."""

    def process(self, data_batch, data_samples):
        self.results.append(len(data_samples))

    def compute_metrics(self, results):
        return dict(score=np.float32(sum(results)))


@pytest.fixture(scope='module')
def mmengine_checkpoint(tmp_path_factory):
    """A checkpoint written by a real Runner: message hub, numpy values and a
    ``save_best`` score."""
    work_dir = tmp_path_factory.mktemp('toy_run')
    loader = dict(
        dataset=_ToyDataset(),
        sampler=dict(type='DefaultSampler', shuffle=False),
        batch_size=2)
    # the block drops the Runner's default scope (mmengine's) afterwards,
    # so that it does not become the current scope of later tests
    with DefaultScope.overwrite_default_scope('mmengine'):
        runner = Runner(
            model=_ToyModel(),
            work_dir=str(work_dir),
            experiment_name='checkpoint_allow_list',
            train_dataloader=loader,
            val_dataloader=loader,
            val_evaluator=[_Float32Metric()],
            val_cfg=dict(),
            optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1)),
            param_scheduler=dict(type='MultiStepLR', milestones=[1]),
            train_cfg=dict(by_epoch=True, max_epochs=1),
            default_hooks=dict(
                checkpoint=dict(
                    type='CheckpointHook', save_best='score', rule='greater')),
            randomness=dict(seed=0))
        runner.train()
    return work_dir / 'epoch_1.pth'


@pytest.fixture
def empty_allow_list():
    """Run a test with only the entries it adds to torch's allow-list."""
    saved = torch.serialization.get_safe_globals()
    torch.serialization.clear_safe_globals()
    yield
    torch.serialization.clear_safe_globals()
    torch.serialization.add_safe_globals(saved)


def _is_numpy1_alias(entry):
    return isinstance(entry, tuple) and entry[1].startswith('numpy.core.')


def test_mmengine_checkpoint_loads(mmengine_checkpoint, empty_allow_list):
    register_checkpoint_safe_globals()
    checkpoint = torch.load(mmengine_checkpoint, weights_only=True)
    hub = checkpoint['message_hub']
    assert isinstance(hub['log_scalars']['train/loss'], HistoryBuffer)
    assert hub['log_scalars']['train/loss'].statistics('mean') > 0
    assert isinstance(hub['runtime_info']['best_score'], np.float32)


def test_every_entry_is_needed(mmengine_checkpoint, empty_allow_list):
    needed = [e for e in checkpoint_safe_globals() if not _is_numpy1_alias(e)]
    for left_out in range(len(needed)):
        torch.serialization.clear_safe_globals()
        torch.serialization.add_safe_globals(needed[:left_out] +
                                             needed[left_out + 1:])
        with pytest.raises(pickle.UnpicklingError):
            torch.load(mmengine_checkpoint, weights_only=True)


def test_registration_is_idempotent(empty_allow_list):
    register_checkpoint_safe_globals()
    first = torch.serialization.get_safe_globals()
    register_checkpoint_safe_globals()
    assert len(torch.serialization.get_safe_globals()) == len(first)


def test_numpy1_checkpoints_load(empty_allow_list):
    """Checkpoints saved under numpy 1.x name ``numpy.core.multiarray``."""
    buffer = io.BytesIO()
    torch.save(
        dict(history=np.arange(3.0), eta=np.float64(1.5)),
        buffer,
        _use_new_zipfile_serialization=False)
    data = buffer.getvalue()
    if b'numpy._core.multiarray' not in data:
        pytest.skip('numpy 1.x already writes numpy.core paths')
    numpy1_data = data.replace(b'numpy._core.multiarray',
                               b'numpy.core.multiarray')

    torch.serialization.add_safe_globals(
        [e for e in checkpoint_safe_globals() if not _is_numpy1_alias(e)])
    with pytest.raises(pickle.UnpicklingError):
        torch.load(io.BytesIO(numpy1_data), weights_only=True)
    register_checkpoint_safe_globals()
    loaded = torch.load(io.BytesIO(numpy1_data), weights_only=True)
    np.testing.assert_array_equal(loaded['history'], [0.0, 1.0, 2.0])
    assert loaded['eta'] == 1.5


class _LooksUpAnotherAttribute:
    """Pickles as ``getattr(HistoryBuffer, 'update')``."""

    def __reduce__(self):
        return getattr, (HistoryBuffer, 'update')


def test_getattr_only_reaches_history_buffer_statistics(tmp_path):
    register_checkpoint_safe_globals()
    path = tmp_path / 'getattr.pth'
    torch.save(dict(method=_LooksUpAnotherAttribute()), path)
    with pytest.raises(pickle.UnpicklingError, match='update'):
        torch.load(path, weights_only=True)


class _Foreign:
    pass


def test_foreign_object_is_refused_naming_the_file(tmp_path):
    register_checkpoint_safe_globals()
    path = tmp_path / 'foreign.pth'
    torch.save(dict(state_dict={}, extra=_Foreign()), path)
    with pytest.raises(UnsafeCheckpointError) as error:
        with explain_unsafe_checkpoint('fallback.pth'):
            torch.load(str(path), map_location='cpu')
    message = str(error.value)
    assert message.startswith(f'Refused to load checkpoint {path}:')
    assert 'not loaded and nothing in it was executed' in message
    assert '_Foreign' in message  # torch's own message is quoted


def test_fallback_name_when_torch_reads_a_buffer():
    buffer = io.BytesIO()
    torch.save(_Foreign(), buffer)
    buffer.seek(0)
    with pytest.raises(UnsafeCheckpointError, match='checkpoint given.pth'):
        with explain_unsafe_checkpoint('given.pth'):
            torch.load(buffer)


def test_other_unpickling_errors_pass_unchanged():
    with pytest.raises(pickle.UnpicklingError, match='^truncated$'):
        with explain_unsafe_checkpoint('x.pth'):
            raise pickle.UnpicklingError('truncated')

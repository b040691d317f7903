# Copyright (c) grass_mm contributors. All rights reserved.
"""Checkpoints served over http load weights only, on every loading path.

A local http server (127.0.0.1 only) serves a checkpoint whose pickle runs
a shell command and one whose HistoryBuffer would rewrite the class-level
statistics table. ``StrictPretrained`` and mmengine's ``Pretrained`` with
a URL, a Runner's ``load_from`` and ``resume``, ``open-mmlab://`` names,
``tools/test.py``, ``tools/train.py --resume`` and
``tools/model_converters/grass2mmseg.py`` must all refuse them, run
nothing and leave ``HistoryBuffer`` computing a mean; a real checkpoint
still resumes and tests over http, and its download is cached.
"""
import json
import os
import shutil
import sys
import threading
import uuid
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator, List

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.logging import HistoryBuffer
from mmengine.runner import CheckpointLoader
from mmseg.registry import MODELS

from grass_mm.apis import build_runner
from grass_mm.checkpoint import UnsafeCheckpointError
from grass_mm.models import StrictPretrainedInit

CONVERTER = (
    Path(__file__).resolve().parents[2] / 'tools' / 'model_converters' /
    'grass2mmseg.py')
PAYLOADS = ['code', 'poison']


class _Handler(SimpleHTTPRequestHandler):
    """Serves one folder and records the paths asked for."""

    timeout = 30  # seconds a connection may stay idle

    def do_GET(self) -> None:
        self.server.requested.append(self.path)
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        pass


class CheckpointServer:
    """An http server on 127.0.0.1 serving checkpoints written into it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.server = ThreadingHTTPServer(
            ('127.0.0.1', 0), partial(_Handler, directory=str(root)))
        self.server.requested = []
        self.thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs=dict(poll_interval=0.05),
            daemon=True)
        self.thread.start()

    @property
    def requested(self) -> List[str]:
        return self.server.requested

    def add(self, checkpoint: Any, tag: str) -> str:
        """Serve a checkpoint (an object, or a file to copy) under a new
        file name (torch.hub caches downloads by file name); its URL."""
        name = f'{tag}-{uuid.uuid4().hex[:12]}.pth'
        if isinstance(checkpoint, Path):
            shutil.copy(checkpoint, self.root / name)
        else:
            torch.save(checkpoint, self.root / name)
        host, port = self.server.server_address
        return f'http://{host}:{port}/{name}'

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def server(tmp_path: Path, monkeypatch) -> Iterator[CheckpointServer]:
    """A checkpoint server; torch.hub's cache in a fresh folder."""
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    root = tmp_path / 'served'
    root.mkdir()
    checkpoint_server = CheckpointServer(root)
    yield checkpoint_server
    checkpoint_server.close()


class _Calls:
    """Pickles as ``func(*args)``."""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def _poisoning_history_buffer() -> HistoryBuffer:
    """Pickles as mmengine's buffers do, with a state whose statistics
    methods would make every buffer's mean a max and widen getattr."""
    buffer = HistoryBuffer([1.0, 5.0], [1, 1])
    state = dict(vars(buffer))
    state['statistics_methods'] = {
        'mean': HistoryBuffer.max,
        '__init__': HistoryBuffer.min,
        'register_statistics': HistoryBuffer.min,
    }
    buffer.__getstate__ = lambda: state
    return buffer


def payload(kind: str, marker: Path) -> dict:
    """A checkpoint with a backbone, and a code-running or a poisoning
    object."""
    checkpoint = dict(
        state_dict={
            'backbone.weight': torch.zeros(1, 2),
            'backbone.bias': torch.zeros(1)
        },
        meta=dict(epoch=1, iter=1))
    if kind == 'code':
        checkpoint['meta']['payload'] = _Calls(os.system, f'touch {marker}')
    else:
        checkpoint['message_hub'] = dict(
            log_scalars={'train/loss': _poisoning_history_buffer()})
    return checkpoint


def assert_nothing_happened(marker: Path) -> None:
    assert not marker.exists()
    assert HistoryBuffer([1, 5], [1, 1]).statistics('mean') == 3
    assert set(HistoryBuffer._statistics_methods) == {
        'min', 'max', 'current', 'mean'
    }


@pytest.fixture
def marker(tmp_path: Path) -> Path:
    return tmp_path / 'code_was_executed'


def test_payloads_are_live(marker):
    """With the full unpickler, the code payload runs (the poisoning one is
    shown live in tests/test_checkpoint/test_history_buffer_rebuild.py)."""
    import pickle
    pickle.loads(pickle.dumps(payload('code', marker)))
    assert marker.exists()


# in-process paths ----------------------------------------------------------


@pytest.mark.parametrize('kind', PAYLOADS)
def test_checkpoint_loader_refuses_urls(server, marker, kind):
    url = server.add(payload(kind, marker), kind)
    with pytest.raises(UnsafeCheckpointError) as error:
        CheckpointLoader.load_checkpoint(url)
    message = str(error.value)
    assert message.startswith(f'Refused to load checkpoint {url} ')
    assert 'nothing in it was executed' in message
    assert_nothing_happened(marker)
    # the download is cached as mmengine's loader caches it
    cached = Path(os.environ['TORCH_HOME'], 'hub', 'checkpoints',
                  url.rsplit('/', 1)[1])
    assert cached.is_file()
    assert f'downloaded to {cached}' in message


@pytest.mark.parametrize('kind', PAYLOADS)
@pytest.mark.parametrize('init', ['StrictPretrained', 'Pretrained'])
def test_initialisers_refuse_urls(server, marker, kind, init):
    url = server.add(payload(kind, marker), kind)
    backbone = MODELS.build(
        dict(
            type='mmseg.ResNet',
            depth=18,
            init_cfg=dict(type=init, checkpoint=url, prefix='backbone.')))
    with pytest.raises(UnsafeCheckpointError, match=url):
        backbone.init_weights()
    assert_nothing_happened(marker)


@pytest.mark.parametrize('kind', PAYLOADS)
def test_strict_pretrained_called_directly_refuses_urls(server, marker, kind):
    url = server.add(payload(kind, marker), kind)
    with pytest.raises(UnsafeCheckpointError, match=url):
        StrictPretrainedInit(url, prefix='backbone.')(torch.nn.Linear(2, 1))
    assert_nothing_happened(marker)


def seg_runner(config: Path, load_from: str, resume: bool):
    """A Runner of a tiny mmseg config, built as tools/train.py does."""
    cfg = Config.fromfile(config)
    name = f'runner_{uuid.uuid4().hex[:8]}'
    cfg.work_dir = str(config.parent / f'work_dir_{name}')
    cfg.experiment_name = name
    cfg.visualizer.name = name
    cfg.load_from = load_from
    cfg.resume = resume
    return build_runner(cfg)


@pytest.mark.parametrize('kind', PAYLOADS)
@pytest.mark.parametrize('resume', [False, True], ids=['load_from', 'resume'])
def test_runner_refuses_urls(server, marker, seg_config, kind, resume):
    url = server.add(payload(kind, marker), kind)
    runner = seg_runner(seg_config, url, resume)
    with pytest.raises(UnsafeCheckpointError, match=url):
        runner.load_or_resume()
    assert_nothing_happened(marker)


@pytest.mark.parametrize('kind', PAYLOADS)
def test_openmmlab_names_of_urls_are_refused(server, marker, tmp_path,
                                             monkeypatch, kind):
    url = server.add(payload(kind, marker), kind)
    monkeypatch.setenv('MMENGINE_HOME', str(tmp_path))
    (tmp_path / 'open_mmlab.json').write_text(json.dumps(dict(evil=url)))
    with pytest.raises(UnsafeCheckpointError, match=url):
        CheckpointLoader.load_checkpoint('open-mmlab://evil')
    assert_nothing_happened(marker)


def test_real_checkpoint_resumes_over_http_once_downloaded(
        server, seg_run, seg_config):
    url = server.add(seg_run['work_dir'] / 'iter_4.pth', 'iter_4')
    runner = seg_runner(seg_config, url, resume=True)
    runner.load_or_resume()
    assert runner.iter == 4
    scalars = runner.message_hub.log_scalars
    assert type(scalars['train/loss']) is HistoryBuffer
    assert np.isfinite(scalars['train/loss'].statistics('mean'))

    CheckpointLoader.load_checkpoint(url)  # from the cache
    assert server.requested == [f'/{url.rsplit("/", 1)[1]}']


# the tools, as subprocesses ------------------------------------------------


# Every tool with the code payload; the poisoning one (refused on every
# in-process path above) once, through tools/test.py.
@pytest.mark.parametrize('tool,kind', [('test', 'code'),
                                       ('train --resume', 'code'),
                                       ('grass2mmseg', 'code'),
                                       ('test', 'poison')])
def test_tools_refuse_urls(server, marker, tools, seg_config, tmp_path, kind,
                           tool):
    url = server.add(payload(kind, marker), kind)
    work_dir = tmp_path / 'work_dir'
    if tool == 'grass2mmseg':
        result = tools.run(
            [sys.executable, CONVERTER, url, tmp_path / 'backbone.pth'],
            cwd=tmp_path)
    else:
        if tool == 'test':
            result = tools.test(
                seg_config, url, '--work-dir', work_dir, cwd=tmp_path)
        else:
            result = tools.train(
                seg_config,
                '--work-dir',
                work_dir,
                '--resume',
                url,
                cwd=tmp_path)
    assert result.returncode != 0
    assert f'Refused to load checkpoint {url} ' in result.stderr
    assert 'nothing in it was executed' in result.stderr
    assert 'Traceback' not in result.stderr
    assert not marker.exists()
    assert not (tmp_path / 'backbone.pth').exists()


def test_test_tool_evaluates_a_real_checkpoint_over_http(
        server, seg_run, tools, tmp_path):
    url = server.add(seg_run['work_dir'] / 'iter_4.pth', 'iter_4')
    result = tools.test(
        seg_run['config'],
        url,
        '--work-dir',
        tmp_path / 'work_dir',
        cwd=tmp_path)
    tools.assert_ok(result)
    assert result.stdout.strip().splitlines()[-1].startswith('mIoU: ')

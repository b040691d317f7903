# Copyright (c) grass_mm contributors. All rights reserved.
"""End-to-end runs of tools/train.py, tools/test.py and tools/dist_train.sh
on tiny models, tiny images and the CPU."""
import os
import pickle
import re
import sys

import torch

from grass_mm.checkpoint import register_checkpoint_safe_globals

# The tests read checkpoints too, with torch's restricted unpickler.
register_checkpoint_safe_globals()


def test_pretrain_then_resume_longer_schedule(tools, simclr_config):
    root = simclr_config.parent
    work_dir = root / 'work_dir'
    tools.assert_ok(
        tools.train(simclr_config, '--work-dir', work_dir, cwd=root))
    assert (work_dir / 'epoch_2.pth').is_file()
    checkpoint = torch.load(work_dir / 'epoch_2.pth', weights_only=True)
    assert checkpoint['meta']['epoch'] == 2

    result = tools.train(
        simclr_config,
        '--work-dir',
        work_dir,
        '--resume',
        '--cfg-options',
        'train_cfg.max_epochs=3',
        cwd=root)
    tools.assert_ok(result)
    log = result.stdout + result.stderr
    assert 'Auto resumed from the latest checkpoint' in log
    # 8 images, batch 4: 2 iterations per epoch, so 4 before the resume.
    assert 'resumed epoch: 2, iter: 4' in log
    assert 'Epoch(train) [3][2/2]' in log
    assert 'Epoch(train) [1]' not in log
    resumed = torch.load(work_dir / 'epoch_3.pth', weights_only=True)
    assert (resumed['meta']['epoch'], resumed['meta']['iter']) == (3, 6)


def test_test_tool_reports_miou(tools, seg_run, tmp_path):
    out_file = tmp_path / 'predictions.pkl'
    show_dir = tmp_path / 'show'
    result = tools.test(
        seg_run['config'],
        seg_run['work_dir'] / 'iter_4.pth',
        '--work-dir',
        tmp_path / 'test_work_dir',
        '--out',
        out_file,
        '--show-dir',
        show_dir,
        cwd=tmp_path)
    tools.assert_ok(result)
    last_line = result.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r'mIoU: \d+(\.\d+)?', last_line), last_line
    assert 'per class results:' in result.stdout + result.stderr
    with open(out_file, 'rb') as f:
        predictions = pickle.load(f)
    assert len(predictions) == 2  # the two validation images
    assert len(list(show_dir.rglob('*.png'))) == 2


class _RunsShellCommand:
    """Pickles as a call of ``os.system``, as a malicious checkpoint would."""

    def __init__(self, command: str):
        self.command = command

    def __reduce__(self):
        return os.system, (self.command, )


def test_test_tool_refuses_foreign_pickled_object(tools, seg_run, tmp_path):
    # The payload is live: the full unpickler runs the command.
    live_marker = tmp_path / 'payload_is_live'
    pickle.loads(pickle.dumps(_RunsShellCommand(f'touch {live_marker}')))
    assert live_marker.exists()

    marker = tmp_path / 'code_was_executed'
    checkpoint = tmp_path / 'malicious.pth'
    state = torch.load(seg_run['work_dir'] / 'iter_4.pth', weights_only=True)
    state['meta']['payload'] = _RunsShellCommand(f'touch {marker}')
    torch.save(state, checkpoint)

    result = tools.test(
        seg_run['config'],
        checkpoint,
        '--work-dir',
        tmp_path / 'test_work_dir',
        cwd=tmp_path)
    assert result.returncode != 0
    assert f'Refused to load checkpoint {checkpoint}' in result.stderr
    assert "outside grass_mm's allow-list" in result.stderr
    assert 'Traceback' not in result.stderr
    assert not marker.exists()


def test_dist_train_two_cpu_processes(tools, simclr_config, free_port):
    root = simclr_config.parent
    work_dir = root / 'dist_work_dir'
    result = tools.run([
        'bash', tools.repo_root / 'tools' / 'dist_train.sh', simclr_config, 2,
        '--work-dir', work_dir
    ],
                       cwd=root,
                       env=dict(PYTHON=sys.executable, PORT=str(free_port())))
    tools.assert_ok(result)
    assert (work_dir / 'epoch_2.pth').is_file()
    log = tools.read_log(work_dir)
    assert 'Distributed launcher: pytorch' in log
    assert 'GPU number: 2' in log
    # 8 images over 2 processes with 4 each: one iteration per epoch.
    assert 'Epoch(train) [2][1/1]' in log

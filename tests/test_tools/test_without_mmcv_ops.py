# Copyright (c) grass_mm contributors. All rights reserved.
"""grass_mm pretrains, fine-tunes and tests without ``mmcv.ops``.

The default (onedl) stack installs mmcv without its compiled ops. The
static test checks that no file of grass_mm, tools/ or configs/ imports
``mmcv.ops``; the runtime tests run tools/train.py and tools/test.py through
run_without_mmcv_ops.py, which makes ``mmcv.ops`` and ``mmcv._ext``
unimportable, on tiny versions of the shipped configs: GraSS around SimCLR,
MoCo v2 and BYOL (with gradient guided sampling), then UPerNet and
DeepLabV3+ fine-tuned from the GraSS-SimCLR checkpoint. On the openmmlab
stack mmsegmentation 1.2 imports ``mmcv.ops`` itself, so the runtime tests
that build models are skipped there.
"""
import ast
import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Callable, Dict, List, NamedTuple

import pytest

HERE = Path(__file__).resolve().parent


def _import_sibling(name: str) -> ModuleType:
    """A module of this folder, which is no package, imported by path."""
    module_name = f'_grass_mm_test_tools_{name}'
    if module_name not in sys.modules:
        spec = importlib.util.spec_from_file_location(module_name,
                                                      HERE / f'{name}.py')
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    return sys.modules[module_name]


# The data writers and tool paths of conftest.py, and the harness.
helpers = _import_sibling('conftest')
harness = _import_sibling('run_without_mmcv_ops')
HARNESS = HERE / 'run_without_mmcv_ops.py'
CONFIGS = helpers.REPO_ROOT / 'configs'
SIZE = helpers.IMAGE_SIZE


@pytest.fixture(scope='module')
def onedl_stack() -> None:
    """Skips a test on the openmmlab stack, where mmseg needs mmcv.ops.

    grass_mm is imported here, not at module level, so that the static test
    still reports a file that imports ``mmcv.ops`` when that breaks the
    import of grass_mm itself.
    """
    from grass_mm.utils import check_versions
    if check_versions() != 'onedl':
        pytest.skip('mmsegmentation 1.2 imports mmcv.ops itself')


def run_without_ops(tools, tool: Path, *args,
                    cwd: Path) -> subprocess.CompletedProcess:
    """``python TOOL ARGS`` through the harness that blocks ``mmcv.ops``."""
    return tools.run([sys.executable, HARNESS, tool, *args], cwd=cwd)


# ---------------------------------------------------------------------------
# static: no file imports mmcv.ops


def mmcv_ops_imports(path: Path, root: Path = helpers.REPO_ROOT) -> List[str]:
    """Where a Python file imports ``mmcv.ops`` or ``mmcv._ext``.

    Counts ``import mmcv.ops``, ``from mmcv.ops import ...``, ``from mmcv
    import ops``, ``mmcv.ops`` used as an attribute, and a string naming
    the module (``importlib.import_module('mmcv.ops')``, ``custom_imports``).

    Args:
        path (Path): The file.
        root (Path): What the paths reported are relative to. Defaults to
            the repository.

    Returns:
        list[str]: ``'PATH:LINE: MODULE'`` for each place, by line.
    """
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] if harness.is_blocked(node.module) else [
                f'{node.module}.{alias.name}' for alias in node.names
            ]
        elif isinstance(node, ast.Attribute) and isinstance(
                node.value, ast.Name) and node.value.id == 'mmcv':
            names = [f'mmcv.{node.attr}']
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names = [node.value]
        else:
            continue
        found += [(node.lineno, name) for name in names
                  if harness.is_blocked(name)]
    where = path.relative_to(root)
    return [f'{where}:{line}: {name}' for line, name in sorted(found)]


def test_no_file_imports_mmcv_ops():
    offenders = []
    for folder in ('grass_mm', 'tools', 'configs'):
        files = sorted((helpers.REPO_ROOT / folder).rglob('*.py'))
        assert files, f'no Python file under {folder}/'
        for path in files:
            offenders += mmcv_ops_imports(path)
    assert not offenders, ('mmcv.ops is not installed on the onedl stack:\n' +
                           '\n'.join(offenders))


def test_static_check_finds_every_form(tmp_path):
    source = tmp_path / 'imports_ops.py'
    source.write_text('import mmcv.ops\n'
                      'from mmcv.ops import nms\n'
                      'from mmcv import ops\n'
                      'import importlib\n'
                      "importlib.import_module('mmcv._ext')\n"
                      'import mmcv\n'
                      'mmcv.ops.nms\n'
                      'from mmcv import imread, transforms\n'
                      "print('mmcv.ops is missing')\n")
    assert mmcv_ops_imports(source, tmp_path) == [
        'imports_ops.py:1: mmcv.ops', 'imports_ops.py:2: mmcv.ops',
        'imports_ops.py:3: mmcv.ops', 'imports_ops.py:5: mmcv._ext',
        'imports_ops.py:7: mmcv.ops'
    ]


# ---------------------------------------------------------------------------
# the harness really blocks mmcv.ops

PROBE = """\
import importlib
import json

import mmcv
import mmcv.transforms  # the rest of mmcv still imports
from mmengine.utils.dl_utils import mmcv_full_available

results = {'mmcv_full_available': mmcv_full_available()}
for name in ('mmcv.ops', 'mmcv.ops.nms', 'mmcv._ext'):
    try:
        importlib.import_module(name)
        results[name] = 'imported'
    except ModuleNotFoundError as error:
        results[name] = str(error)
try:
    from mmcv import ops  # noqa: F401
    results['from mmcv import ops'] = 'imported'
except ImportError as error:
    results['from mmcv import ops'] = str(error)
print(json.dumps(results))
"""


def test_harness_makes_mmcv_ops_unimportable(tools, tmp_path):
    probe = tmp_path / 'probe.py'
    probe.write_text(PROBE)
    result = run_without_ops(tools, probe, cwd=tmp_path)
    tools.assert_ok(result)
    results = json.loads(result.stdout.strip().splitlines()[-1])
    assert results.pop('mmcv_full_available') is False
    assert set(results) == {
        'mmcv.ops', 'mmcv.ops.nms', 'mmcv._ext', 'from mmcv import ops'
    }
    for name, outcome in results.items():
        assert outcome != 'imported', name
    for name in ('mmcv.ops', 'mmcv.ops.nms'):
        assert 'blocked by run_without_mmcv_ops.py' in results[name], name
    assert 'mmcv._ext halted; None in sys.modules' in results['mmcv._ext']


# ---------------------------------------------------------------------------
# pretraining: GraSS around SimCLR, MoCo v2 and BYOL

PRETRAIN_CONFIG = """\
_base_ = [{base!r}]

# A ResNet-18 with plain batch norm (SyncBN needs GPUs) and small MLPs.
model = dict(algorithm={algorithm!r})

# The images of write_image_folder, read as one {size} x {size} patch each,
# with the shipped augmentations at that size.
view_pipeline = [dict(_base_.view_pipeline[0], scale={size})
                 ] + _base_.view_pipeline[1:]
train_dataloader = dict(
    batch_size=4, num_workers=0, persistent_workers=False,
    dataset=dict(
        data_root={data_root!r}, data_prefix='',
        patch_size={size}, stride={size},
        pipeline=[dict(_base_.train_pipeline[0], transforms=[view_pipeline])
                  ] + _base_.train_pipeline[1:]))

# 2 epochs of 1 iteration (4 images, batch 4, drop_last): the shipped
# warm-up and cosine restarts, one epoch each; ID warm-up in the first
# epoch, gradient guided sampling in the second.
param_scheduler = [
    dict(_base_.param_scheduler[0], end=1),
    dict(_base_.param_scheduler[1],
         periods=[1], restart_weights=[1.0], begin=1, end=2),
]
train_cfg = dict(max_epochs=2)
custom_hooks = [dict(_base_.custom_hooks[0], warmup_epochs=1)]
default_hooks = dict(logger=dict(interval=1))
randomness = dict(seed=0)
"""

BACKBONE = dict(depth=18, norm_cfg=dict(type='BN'))
NECK = dict(in_channels=512, hid_channels=32, out_channels=16)
# name -> (shipped config, overrides of its wrapped algorithm)
PRETRAIN = {
    'simclr': ('grass_r50_potsdam.py', dict(backbone=BACKBONE, neck=NECK)),
    'mocov2': ('grass-mocov2_r50_potsdam.py',
               dict(backbone=BACKBONE, neck=NECK, feat_dim=16,
                    queue_len=8)),  # a multiple of the batch
    'byol':
    ('grass-byol_r50_potsdam.py',
     dict(
         backbone=BACKBONE,
         neck=NECK,
         head=dict(
             predictor=dict(in_channels=16, hid_channels=32, out_channels=16)))
     ),
}


class Run(NamedTuple):
    """A tool's run: its result, config and work directory."""
    result: subprocess.CompletedProcess
    config: Path
    work_dir: Path


@pytest.fixture(scope='module')
def pretrain(onedl_stack: None, tmp_path_factory: pytest.TempPathFactory,
             tools) -> Callable[[str], Run]:
    """Pretrains a tiny GraSS model of a shipped config without mmcv.ops,
    once per algorithm (a key of ``PRETRAIN``) and module; on the onedl
    stack only."""
    images = helpers.write_image_folder(
        tmp_path_factory.mktemp('images'), num_images=4)
    runs: Dict[str, Run] = {}

    def run(name: str) -> Run:
        if name not in runs:
            base, algorithm = PRETRAIN[name]
            root = tmp_path_factory.mktemp(name)
            config = root / f'grass-{name}_r18_tiny.py'
            config.write_text(
                PRETRAIN_CONFIG.format(
                    base=str(CONFIGS / base),
                    algorithm=algorithm,
                    size=SIZE,
                    data_root=str(images)))
            work_dir = root / 'work_dir'
            result = run_without_ops(
                tools,
                helpers.TRAIN_TOOL,
                config,
                '--work-dir',
                work_dir,
                cwd=root)
            runs[name] = Run(result, config, work_dir)
        return runs[name]

    return run


@pytest.mark.parametrize('name', sorted(PRETRAIN))
def test_pretrain_without_mmcv_ops(tools, pretrain, name):
    run = pretrain(name)
    tools.assert_ok(run.result)
    assert (run.work_dir / 'epoch_2.pth').is_file()
    last = (run.work_dir / 'last_checkpoint').read_text().strip()
    assert Path(last).name == 'epoch_2.pth'
    log = tools.read_log(run.work_dir)
    assert 'GraSS: GS training from epoch 2' in log
    assert re.search(r'Epoch\(train\) +\[2\]\[1/1\].* gs_box_area: \d', log)


# ---------------------------------------------------------------------------
# fine-tuning from the GraSS-SimCLR checkpoint, then tools/test.py

FINETUNE_CONFIG = """\
_base_ = [{base!r}]

# A ResNet-18 with plain batch norm, loaded strictly from the tiny
# GraSS-SimCLR checkpoint, and narrow heads.
norm_cfg = dict(type='BN', requires_grad=True)
crop_size = ({size}, {size})
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(
        depth=18, norm_cfg=norm_cfg, init_cfg=dict(checkpoint={checkpoint!r})),
    decode_head=dict({decode_head!r}, norm_cfg=norm_cfg),
    auxiliary_head=dict(in_channels=256, channels=8, norm_cfg=norm_cfg))


# The shipped pipelines at crop_size, on the data set of write_seg_dataset,
# laid out as Potsdam's.
def _at_crop_size(pipeline):
    return [
        dict(step, **{{key: crop_size
                      for key in ('scale', 'crop_size') if key in step}})
        for step in pipeline
    ]


data_root = {data_root!r}
in_process = dict(num_workers=0, persistent_workers=False)
train_dataloader = dict(
    batch_size=2,
    dataset=dict(
        data_root=data_root, ann_file='',
        pipeline=_at_crop_size(_base_.train_pipeline)),
    **in_process)
val_dataloader = dict(
    dataset=dict(
        data_root=data_root, pipeline=_at_crop_size(_base_.test_pipeline)),
    **in_process)
test_dataloader = val_dataloader

# 2 iterations, then validation and a checkpoint
train_cfg = dict(max_iters=2, val_interval=2)
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=2))
randomness = dict(seed=0)
"""

# shipped config -> its decode head's overrides for a ResNet-18
FINETUNE = {
    'upernet_r50-grass_4xb4-80k_potsdam-512x512.py':
    dict(in_channels=[64, 128, 256, 512], channels=16),
    'deeplabv3plus_r50-d8-grass_4xb4-80k_potsdam-512x512.py':
    dict(in_channels=512, channels=16, c1_in_channels=64, c1_channels=8),
}


@pytest.mark.parametrize('base', sorted(FINETUNE))
def test_finetune_and_test_without_mmcv_ops(tools, pretrain, tmp_path, base):
    simclr = pretrain('simclr')
    tools.assert_ok(simclr.result)
    pretrained = simclr.work_dir / 'epoch_2.pth'
    config = tmp_path / base.replace('r50', 'r18').replace('512x512', 'tiny')
    config.write_text(
        FINETUNE_CONFIG.format(
            base=str(CONFIGS / 'finetune' / base),
            size=SIZE,
            checkpoint=str(pretrained),
            decode_head=FINETUNE[base],
            data_root=str(helpers.write_seg_dataset(tmp_path / 'seg_data'))))
    work_dir = tmp_path / 'work_dir'
    result = run_without_ops(
        tools,
        helpers.TRAIN_TOOL,
        config,
        '--work-dir',
        work_dir,
        cwd=tmp_path)
    tools.assert_ok(result)
    log = tools.read_log(work_dir)
    assert f'load backbone. in ResNet from {pretrained} (strict)' in log
    assert 'Iter(val) [2/2]' in log
    checkpoint = work_dir / 'iter_2.pth'
    assert checkpoint.is_file()

    result = run_without_ops(
        tools,
        helpers.TEST_TOOL,
        config,
        checkpoint,
        '--work-dir',
        tmp_path / 'test_work_dir',
        cwd=tmp_path)
    tools.assert_ok(result)
    last_line = result.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r'mIoU: \d+(\.\d+)?', last_line), last_line

# Copyright (c) grass_mm contributors. All rights reserved.
import re
import subprocess
import sys
from importlib import metadata

import pytest

from grass_mm.utils import (check_versions, find_stack_problems,
                            find_version_problems, installed_providers)
from grass_mm.version import STACKS, TORCH_VERSIONS

ONEDL = dict(
    mmengine=[('onedl-mmengine', '0.10.12')],
    mmcv=[('onedl-mmcv', '2.3.6')],
    mmpretrain=[('onedl-mmpretrain', '1.3.6')],
    mmseg=[('onedl-mmsegmentation', '1.4.2')])
OPENMMLAB = dict(
    mmengine=[('mmengine', '0.10.7')],
    mmcv=[('mmcv', '2.1.0')],
    mmpretrain=[('mmpretrain', '1.2.0')],
    mmseg=[('mmsegmentation', '1.2.2')])


@pytest.mark.parametrize('found,stack', [(ONEDL, 'onedl'),
                                         (OPENMMLAB, 'openmmlab')])
def test_either_tested_stack_passes(found, stack):
    assert find_stack_problems(found) == (stack, [])


def test_the_installed_stack_passes_and_is_named():
    found = installed_providers()
    assert set(found) == {'mmcv', 'mmengine', 'mmpretrain', 'mmseg'}
    stack = check_versions()
    assert stack in ('onedl', 'openmmlab')
    assert all(dist == STACKS[stack][name][0]
               for name, ((dist, _), ) in found.items())


def test_nothing_installed_asks_for_the_default_stack():
    stack, problems = find_stack_problems({})
    assert stack == 'onedl'
    assert [problem.split()[0] for problem in problems
            ] == ['mmengine', 'mmcv', 'mmpretrain', 'mmseg']
    assert ('mmseg is not installed; grass_mm needs '
            'onedl-mmsegmentation>=1.4.2,<1.5.0 (onedl stack)') in problems[3]
    assert 'pip install "grass_mm[onedl]"' in problems[3]
    assert '`bash tools/setup_env.sh`' in problems[3]


@pytest.mark.parametrize('version', ['1.3.0', '1.1.9', '2.0.0rc1'])
def test_out_of_range_names_package_version_range_and_fix(version):
    found = dict(OPENMMLAB, mmpretrain=[('mmpretrain', version)])
    stack, problems = find_stack_problems(found)
    assert stack == 'openmmlab'
    assert len(problems) == 1
    assert f'mmpretrain {version} is installed' in problems[0]
    assert 'mmpretrain>=1.2.0,<1.3.0 (openmmlab stack)' in problems[0]
    assert 'GRASS_STACK=openmmlab bash tools/setup_env.sh' in problems[0]
    assert 'pip install "mmpretrain>=1.2.0,<1.3.0"' in problems[0]


def test_fork_versions_are_checked_by_the_fork_distribution_name():
    found = dict(ONEDL, mmseg=[('onedl-mmsegmentation', '1.3.3')])
    stack, problems = find_stack_problems(found)
    assert stack == 'onedl'
    assert problems == [
        'onedl-mmsegmentation 1.3.3 is installed (imported as mmseg), but '
        'grass_mm needs onedl-mmsegmentation>=1.4.2,<1.5.0 (onedl stack): '
        'run `bash tools/setup_env.sh`, or `pip install '
        '"onedl-mmsegmentation>=1.4.2,<1.5.0"` (all four: `pip install '
        '"grass_mm[onedl]"`).'
    ]


def test_bounds_are_min_inclusive_max_exclusive():
    low = dict(ONEDL, mmengine=[('onedl-mmengine', '0.10.12')])
    high = dict(ONEDL, mmengine=[('onedl-mmengine', '0.11.0')])
    assert find_stack_problems(low)[1] == []
    assert len(find_stack_problems(high)[1]) == 1


def test_a_package_of_the_other_stack_is_named_with_the_fix():
    """What ``pip install mmsegmentation`` leaves in a fork environment."""
    found = dict(ONEDL, mmseg=[('mmsegmentation', '1.2.2')])
    stack, problems = find_stack_problems(found)
    assert stack == 'onedl'
    assert len(problems) == 1
    assert problems[0].startswith(
        'mmseg is provided by mmsegmentation 1.2.2, of the openmmlab stack, '
        'but the other OpenMMLab packages here are of the onedl stack')
    assert '`pip uninstall -y mmsegmentation`' in problems[0]
    assert 'onedl-mmsegmentation>=1.4.2,<1.5.0' in problems[0]


def test_an_import_name_installed_twice_is_refused():
    found = dict(ONEDL, mmcv=[('mmcv', '2.1.0'), ('onedl-mmcv', '2.3.6')])
    _, problems = find_stack_problems(found)
    assert len(problems) == 1
    assert problems[0].startswith(
        'mmcv is installed twice, by mmcv 2.1.0 and onedl-mmcv 2.3.6')
    assert '`pip uninstall -y mmcv onedl-mmcv`' in problems[0]


def test_mmcv_lite_on_the_original_stack_says_how_to_get_compiled_ops():
    found = dict(OPENMMLAB, mmcv=[('mmcv-lite', '2.1.0')])
    stack, problems = find_stack_problems(found)
    assert stack == 'openmmlab'
    assert len(problems) == 1
    assert ('mmcv is provided by mmcv-lite 2.1.0, which no supported stack '
            'uses') in problems[0]
    assert 'mim install mmcv==2.1.0' in problems[0]
    assert 'MMCV_WITH_OPS=1' in problems[0]
    assert 'mmcv-lite is not enough' in problems[0]


def test_a_source_tree_without_metadata_is_checked_by_its_version():
    in_range = dict(ONEDL, mmseg=[(None, '1.4.2')])
    unknown = dict(ONEDL, mmseg=[(None, None)])
    assert find_stack_problems(in_range)[1] == []
    problems = find_stack_problems(unknown)[1]
    assert len(problems) == 1
    assert problems[0].startswith(
        'mmseg (unknown version) is importable without package metadata')


def test_every_problem_is_listed():
    found = dict(
        mmengine=[('mmengine', '0.9.0')], mmpretrain=[('mmpretrain', '1.2.0')])
    stack, problems = find_stack_problems(found)
    assert stack == 'openmmlab'
    assert [problem.split()[0]
            for problem in problems] == ['mmengine', 'mmcv', 'mmseg']


@pytest.mark.parametrize('version', ['2.4.1', '2.5.1', '2.6.0rc1'])
def test_torch_before_2_6_is_refused(version):
    """torch 2.4 and 2.5 lack the allow-list grass_mm loads checkpoints with
    (and default to ``weights_only=False``)."""
    problems = find_version_problems(dict(torch=version), TORCH_VERSIONS)
    assert len(problems) == 1
    assert f'torch {version} is installed' in problems[0]
    assert 'torch>=2.6.0:' in problems[0]
    assert 'pip install "torch>=2.6.0"' in problems[0]
    assert 'rebuild mmcv' in problems[0]
    assert 'weights_only=True' in problems[0]


@pytest.mark.parametrize('version', ['2.6.0', '2.12.1+cu128', '3.1.0'])
def test_torch_from_2_6_passes_without_maximum(version):
    assert find_version_problems(dict(torch=version), TORCH_VERSIONS) == []


def test_import_refuses_a_mixed_environment_by_name(tmp_path):
    """A distribution of the other stack, installed over the same import
    name, stops ``import grass_mm`` with the message, not a later crash."""
    other = {
        'onedl-mmsegmentation': 'mmsegmentation',
        'mmsegmentation': 'onedl-mmsegmentation'
    }
    found = installed_providers(['mmseg'])['mmseg'][0][0]
    stand_in = other[found]
    info = tmp_path / f'{stand_in.replace("-", "_")}-1.0.0.dist-info'
    info.mkdir()
    (info / 'METADATA'
     ).write_text(f'Metadata-Version: 2.1\nName: {stand_in}\nVersion: 1.0.0\n')
    (info / 'top_level.txt').write_text('mmseg\n')
    result = subprocess.run([sys.executable, '-c', 'import grass_mm'],
                            env=dict(PYTHONPATH=str(tmp_path), PATH=''),
                            capture_output=True,
                            text=True)
    assert result.returncode != 0
    assert 'OpenMMLabVersionError' in result.stderr
    assert 'mmseg is installed twice' in result.stderr


def test_import_writes_nothing_to_stdout_and_no_ops_advice():
    """Tools print results on stdout (tables, ``mIoU: X``): the import must
    add nothing there, on either stack, nor advise another mmcv."""
    result = subprocess.run([sys.executable, '-c', 'import grass_mm'],
                            capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ''
    assert 'MultiScaleDeformableAttention' not in result.stderr


def test_a_plain_install_requires_no_openmmlab_package():
    """``pip install -e .`` must keep whichever stack an environment has:
    the OpenMMLab packages (and the 1.x stack's numpy cap) are extras."""
    requires = metadata.requires('grass_mm')
    plain = {
        re.split(r'[<>=!~;\[ ]', requirement)[0].lower()
        for requirement in requires if 'extra ==' not in requirement
    }
    stack_packages = {
        dist
        for packages in STACKS.values()
        for dist, _, _ in packages.values()
    }
    assert plain.isdisjoint(stack_packages), plain
    assert not any('numpy' in r and '<2' in r
                   for r in requires if 'extra ==' not in r)
    for stack, packages in STACKS.items():
        extra = [r for r in requires if f'extra == "{stack}"' in r]
        assert {re.split(r'[<>=]', r)[0]
                for r in extra} >= {dist
                                    for dist, _, _ in packages.values()}

# Copyright (c) grass_mm contributors. All rights reserved.
import pytest

from grass_mm.utils import (OpenMMLabVersionError, check_version_mapping,
                            check_versions, find_version_problems,
                            installed_versions)
from grass_mm.utils.version_check import REQUIRED_VERSIONS
from grass_mm.version import OPENMMLAB_VERSIONS, TORCH_VERSIONS

SUPPORTED = dict(
    mmcv='2.1.0',
    mmengine='0.10.7',
    mmpretrain='1.2.0',
    mmsegmentation='1.2.2')


def test_supported_versions_pass():
    assert find_version_problems(SUPPORTED) == []
    check_version_mapping(SUPPORTED)


def test_installed_versions_pass():
    found = installed_versions()
    assert set(found) == set(OPENMMLAB_VERSIONS)
    assert all(version is not None for version in found.values())
    check_versions()


@pytest.mark.parametrize('version', ['1.3.0', '1.1.9', '2.0.0rc1'])
def test_out_of_range_names_package_version_range_and_fix(version):
    with pytest.raises(OpenMMLabVersionError) as error:
        check_version_mapping(dict(SUPPORTED, mmpretrain=version))
    message = str(error.value)
    assert f'mmpretrain {version} is installed' in message
    assert 'mmpretrain>=1.2.0,<1.3.0' in message
    assert 'bash tools/setup_env.sh' in message
    assert 'pip install "mmpretrain>=1.2.0,<1.3.0"' in message
    for other in ('mmcv', 'mmengine', 'mmsegmentation'):
        assert f'{other} ' not in message


def test_bounds_are_min_inclusive_max_exclusive():
    required = dict(mmengine=('0.10.0', '0.11.0'))
    assert find_version_problems(dict(mmengine='0.10.0'), required) == []
    assert len(find_version_problems(dict(mmengine='0.11.0'), required)) == 1


def test_missing_package_is_reported_with_its_import_name():
    found = dict(SUPPORTED)
    del found['mmsegmentation']
    with pytest.raises(ImportError) as error:
        check_version_mapping(found)
    message = str(error.value)
    assert 'mmsegmentation (imported as mmseg) is not installed' in message
    assert 'mmsegmentation>=1.2.0,<1.3.0' in message


def test_mmcv_hint_says_how_to_get_compiled_ops():
    problems = find_version_problems(dict(SUPPORTED, mmcv='2.2.0'))
    assert len(problems) == 1
    assert 'mmcv 2.2.0 is installed' in problems[0]
    assert 'mim install mmcv==2.1.0' in problems[0]
    assert 'MMCV_WITH_OPS=1' in problems[0]


def test_every_problem_is_listed():
    problems = find_version_problems(
        dict(mmcv=None, mmengine='0.9.0', mmpretrain='1.2.0'))
    assert [problem.split()[0]
            for problem in problems] == ['mmcv', 'mmengine', 'mmsegmentation']


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


def test_import_time_check_covers_torch():
    assert REQUIRED_VERSIONS['torch'] == TORCH_VERSIONS['torch'] == ('2.6.0',
                                                                      None)
    assert set(REQUIRED_VERSIONS) == {'torch', *OPENMMLAB_VERSIONS}
    assert installed_versions(['torch'])['torch'] is not None

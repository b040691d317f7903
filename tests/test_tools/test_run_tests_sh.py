# Copyright (c) grass_mm contributors. All rights reserved.
"""tools/run_tests.sh fails when pytest collects no test at all."""
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def run_tests_sh(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ['bash', str(REPO_ROOT / 'tools' / 'run_tests.sh'), *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600)


def test_no_tests_collected_is_a_failure():
    # everything under tests/ ignored: a discovery that finds nothing
    proc = run_tests_sh('--ignore-glob=*', '-p', 'no:cacheprovider')
    assert proc.returncode == 5, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert 'pytest collected no tests' in proc.stderr


def test_a_selected_test_passes_through():
    # collect test_tiling.py alone (the script always passes `tests`)
    proc = run_tests_sh('--ignore-glob=*/tests/test_[!d]*',
                        '--ignore-glob=*/test_datasets/test_[!t]*',
                        '--ignore-glob=*/test_datasets/test_t[!i]*', '-k',
                        'docstring_example', '-p', 'no:cacheprovider', '-q')
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert '1 passed' in proc.stdout

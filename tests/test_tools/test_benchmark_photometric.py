"""tools/benchmark_photometric.py times both paths and prints its JSON."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_benchmark_photometric_prints_both_paths():
    result = subprocess.run([
        sys.executable, 'tools/benchmark_photometric.py', '--sizes', '24',
        '16', '--views', '3', '--repeats', '1', '--chunk-sizes', '0', '2'
    ],
                            cwd=ROOT,
                            capture_output=True,
                            text=True,
                            check=True)
    lines = result.stdout.strip().splitlines()
    report = json.loads(lines[-1])
    assert report['transforms'] == [
        'RandomApply', 'RandomGrayscale', 'GaussianBlur'
    ]
    assert report['threads']['torch'] == 1
    for size in ('24', '16', '24_chunk2', '16_chunk2'):
        times = report[size]
        assert times['cpu_s_per_view'] > 0 and times['batched_s_per_view'] > 0
        assert times['ratio'] > 0
    assert lines[0].startswith('24: cpu ')

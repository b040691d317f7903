"""tools/benchmark_step.py runs a pretraining config and prints its JSON."""
import json
import os.path as osp
import subprocess
import sys

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def test_benchmark_step_prints_ratio_json():
    result = subprocess.run([
        sys.executable, 'tools/benchmark_step.py',
        'configs/grass_r50_potsdam.py', '--batch-size', '2', '--img-size',
        '64', '--iters', '2', '--warmup', '1', '--sampler-views', '8',
        '--reference', '--cfg-options', 'model.algorithm.backbone.depth=18',
        'model.algorithm.neck.in_channels=512',
        'model.algorithm.neck.hid_channels=32'
    ],
                            cwd=ROOT,
                            capture_output=True,
                            text=True,
                            check=True)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report['id_step_s'] > 0 and report['gs_step_s'] > 0
    assert report['ratio'] > 0
    assert report['guide_s'] > 0
    assert report['ratio_floor'] == 1 + report['guide_s'] / report['id_step_s']
    assert report['sampler_views'] == 4
    assert report['sampler_many_views'] == 8 and report['sampler_many_s'] > 0
    assert report['reference_gs_step_s'] > 0 and report['reference_ratio'] > 0

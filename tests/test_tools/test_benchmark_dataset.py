# Copyright (c) grass_mm contributors. All rights reserved.
"""tools/benchmark_dataset.py on a small tile: every timing is reported."""
import json
import sys


def test_reports_the_cpu_part_without_the_colour_augmentations(tools):
    result = tools.run([
        sys.executable, 'tools/benchmark_dataset.py', '--size', '600',
        '--patch-size', '256', '--patches', '3', '--baseline-patches', '2'
    ],
                       cwd=tools.repo_root)
    tools.assert_ok(result)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report['patches_in_tile'] == 9  # 3 x 3, the last at the edge
    for key in ('ours_patches_per_s', 'ours_tiled_patches_per_s',
                'baseline_patches_per_s', 'cpu_part_tiled_patches_per_s',
                'cpu_part_speedup'):
        assert report[key] > 0, key
    # the workers keep the crop and the flip; the colour jitter, grey
    # scale and blur of potsdam_pretrain.py move to the data preprocessor
    assert report['cpu_part_transforms'] == ['RandomResizedCrop', 'RandomFlip']

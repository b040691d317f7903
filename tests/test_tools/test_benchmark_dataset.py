# Copyright (c) grass_mm contributors. All rights reserved.
"""tools/benchmark_dataset.py on a small tile: every timing is reported."""
import json
import sys


def test_reports_the_cpu_part_without_the_colour_augmentations(tools):
    result = tools.run([
        sys.executable, 'tools/benchmark_dataset.py', '--size', '600',
        '--patch-size', '256', '--patches', '3', '--baseline-patches', '2',
        '--batched-views', '3', '--chunk-size', '2'
    ],
                       cwd=tools.repo_root)
    tools.assert_ok(result)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report['patches_in_tile'] == 9  # 3 x 3, the last at the edge
    for key in ('ours_patches_per_s', 'ours_tiled_patches_per_s',
                'baseline_patches_per_s', 'cpu_part_tiled_patches_per_s',
                'cpu_part_speedup'):
        assert report[key] > 0, key
    # the full pipeline runs potsdam_pretrain.py's views wholly on the
    # workers; its CPU part keeps the crop and the flip, the colour jitter,
    # grey scale and blur being its data preprocessor's
    crop_flip = ['RandomResizedCrop', 'RandomFlip']
    assert report['full_transforms'] == crop_flip + [
        'RandomApply', 'RandomGrayscale', 'GaussianBlur'
    ]
    assert report['cpu_part_transforms'] == crop_flip
    # and the batched part, at the crop's size
    batched = report['batched_part']
    assert (batched['device'], batched['views'], batched['view_size'],
            batched['chunk_size']) == ('cpu', 3, 224, 2)
    assert batched['ms_per_view'] > 0
    assert batched['cpu_transforms_ms_per_view'] > 0

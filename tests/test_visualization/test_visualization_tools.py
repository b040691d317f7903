"""tools/plot_sampling_curves.py and analyze_sampling.py run end to end on
tiny data, and the analysis they call agrees with a recomputation."""
import json
from fractions import Fraction

import mmcv
import numpy as np
import pytest
import torch
from mmengine.config import Config
from scipy import stats

from grass_mm.apis import load_grass_model
from grass_mm.models.utils import select_boxes
from grass_mm.visualization import (analyze_sampling_purity, box_purity,
                                    build_labelled_dataset,
                                    deterministic_batch,
                                    deterministic_label_views,
                                    labelled_dataset_cfg)
from .conftest import assert_not_blank, png, run_tool

SEG_CONFIG = """\
dataset_type = 'BaseSegDataset'
val_dataloader = dict(
    batch_size=1,
    dataset=dict(
        type=dataset_type,
        data_prefix=dict(img_path={img_dir!r}, seg_map_path={ann_dir!r}),
        img_suffix='.png',
        seg_map_suffix='.png',
        pipeline=[dict(type='LoadImageFromFile')]))
"""


def test_plot_sampling_curves_of_a_real_run(grass_run, tmp_path):
    out = tmp_path / 'plots' / 'curves.png'
    stdout = run_tool(
        'plot_sampling_curves.py',
        grass_run['work_dir'],
        '--out',
        out,
        cwd=tmp_path)
    assert '3 logged iterations from 1 log(s)' in stdout
    image = png(out)
    assert image.shape == (700, 700, 3)
    assert_not_blank(image)


@pytest.mark.parametrize('source', ['folders', 'config'])
def test_analyze_sampling_writes_the_table(grass_run, seg_dataset, tmp_path,
                                           source):
    if source == 'folders':
        data = [seg_dataset['img_dir'], seg_dataset['ann_dir']]
    else:
        config = tmp_path / 'seg.py'
        config.write_text(
            SEG_CONFIG.format(
                img_dir=str(seg_dataset['img_dir']),
                ann_dir=str(seg_dataset['ann_dir'])))
        data = [config]
    out = tmp_path / 'purity.json'
    stdout = run_tool(
        'analyze_sampling.py',
        grass_run['config'],
        grass_run['checkpoint'],
        '--data-config',
        *data,
        '--img-size',
        32,
        '--batch-size',
        3,
        '--device',
        'cpu',
        '--out',
        out,
        cwd=tmp_path)
    assert 'GS box' in stdout and 'random box' in stdout
    assert 'opposite box' in stdout and 'patches' in stdout
    report = json.loads(out.read_text())
    assert f'opposite {report["mean_opposite_box_area"]:.3f}' in stdout
    assert report['num_images'] == 5 and report['num_views'] == 10
    assert report['interval']['unit'] == 'patch: the mean of its views'
    assert 0 < report['mean_opposite_box_area'] <= 1
    assert report['img_size'] == 32 and report['seed'] == 0
    assert 0 < report['mean_box_area'] <= 1
    assert 0 <= report['kept_whole_fraction'] <= 1
    table = report['table']
    assert list(table) == [
        'gs_box', 'random_box', 'opposite_box', 'whole_view',
        'gs_minus_random', 'gs_minus_opposite'
    ]
    assert report['box_rule'] == 'gradient'
    # the label map: 4 rows ignored, then 16, 8 and 4 rows of classes 0-2
    whole = table['whole_view']
    for key in ('mean', 'ci_low', 'ci_high'):
        assert Fraction(whole['purity'][key]).limit_denominator(100) == \
            Fraction(4, 7)
        assert whole['num_classes'][key] == 3
    # 5 patches of 2 views
    assert (whole['purity']['n'], whole['purity']['n_views']) == (5, 10)
    for row in ('gs_box', 'random_box', 'opposite_box'):
        stats = table[row]
        assert 1 <= stats['purity']['n'] <= 5
        assert 4 / 7 - 1e-9 <= stats['purity']['mean'] <= 1
        assert 1 <= stats['num_classes']['mean'] <= 3
        assert stats['purity']['ci_low'] <= stats['purity']['mean'] <= \
            stats['purity']['ci_high']


def test_analysis_agrees_with_a_recomputation(grass_run, seg_dataset):
    model = load_grass_model(
        Config.fromfile(str(grass_run['config'])),
        str(grass_run['checkpoint']))
    dataset = build_labelled_dataset(
        labelled_dataset_cfg(
            str(seg_dataset['img_dir']), str(seg_dataset['ann_dir'])))
    items = [dataset[i] for i in range(4)]
    assert items[0]['img'].shape == (64, 64, 3)
    assert np.array_equal(items[0]['gt_seg_map'],
                          mmcv.imread(dataset[0]['seg_map_path'], 'unchanged'))
    report = analyze_sampling_purity(
        model, items, img_size=32, batch_size=4, seed=3)
    again = analyze_sampling_purity(
        model, items, img_size=32, batch_size=4, seed=3)
    assert report == again

    # the same GS boxes, by hand, on label views built independently
    data = deterministic_batch([item['img'] for item in items], 32)
    with torch.no_grad():
        result = model.sample(model.data_preprocessor(data, False)['inputs'])
    labels = deterministic_label_views([item['gt_seg_map'] for item in items],
                                       32)
    purities = [box_purity(lb, box) for lb, box in zip(labels, result.boxes)]
    # view-major: view k of image i is row k * 4 + i; averaged per image
    per_image = {}
    for row, (purity, _) in enumerate(purities):
        if not np.isnan(purity):
            per_image.setdefault(row % 4, []).append(purity)
    gs = report['table']['gs_box']['purity']
    assert gs['n'] == len(per_image)
    assert gs['n_views'] == sum(map(len, per_image.values()))
    assert gs['mean'] == pytest.approx(
        np.mean([np.mean(v) for v in per_image.values()]))
    areas = ((result.boxes[:, 2] - result.boxes[:, 0]) *
             (result.boxes[:, 3] - result.boxes[:, 1])).float() / 32**2
    assert report['mean_box_area'] == pytest.approx(areas.mean().item())
    # the opposite boxes: select_boxes on the negated maps, any size
    opposite, _ = select_boxes(-result.lam, model.ratio)
    areas = ((opposite[:, 2] - opposite[:, 0]) *
             (opposite[:, 3] - opposite[:, 1])).float() / 32**2
    assert report['mean_opposite_box_area'] == pytest.approx(
        areas.mean().item())


def symmetric(rng, shape, high):
    """An array equal to its horizontal mirror."""
    half = rng.integers(0, high, (shape[0], shape[1] // 2, *shape[2:]))
    return np.concatenate([half, half[:, ::-1]], axis=1).astype(np.uint8)


def test_analysis_intervals_are_over_patches(grass_run):
    """Images equal to their mirror give two identical views: the whole
    view's interval is the Student-t interval over the distinct images."""
    model = load_grass_model(
        Config.fromfile(str(grass_run['config'])),
        str(grass_run['checkpoint']))
    rng = np.random.default_rng(5)
    items = [
        dict(
            img=symmetric(rng, (32, 32, 3), 256),
            gt_seg_map=symmetric(rng, (32, 32), 2 + i % 3)) for i in range(6)
    ]
    report = analyze_sampling_purity(
        model, items, img_size=32, batch_size=3, seed=0)
    # purity by counting classes, apart from box_purity
    whole = np.array([
        np.bincount(item['gt_seg_map'].ravel()).max() / 32**2 for item in items
    ])
    half = stats.t.ppf(0.975, 5) * whole.std(ddof=1) / np.sqrt(6)
    got = report['table']['whole_view']['purity']
    assert (got['n'], got['n_views']) == (6, 12)
    assert (got['mean'], got['ci_low'], got['ci_high']) == pytest.approx(
        (whole.mean(), whole.mean() - half, whole.mean() + half))
    for row in ('gs_box', 'random_box', 'gs_minus_random'):
        assert report['table'][row]['purity']['n'] == 6


def test_analysis_needs_two_images(grass_run, seg_dataset):
    model = load_grass_model(
        Config.fromfile(str(grass_run['config'])),
        str(grass_run['checkpoint']))
    dataset = build_labelled_dataset(
        labelled_dataset_cfg(
            str(seg_dataset['img_dir']), str(seg_dataset['ann_dir'])))
    with pytest.raises(ValueError, match='at least two images'):
        analyze_sampling_purity(model, dataset, max_images=1)


@pytest.mark.parametrize(
    'reduce_zero_label, counts',
    [
        (False, {
            0: 2048,
            1: 1024,
            2: 512,
            255: 512
        }),
        # 0 becomes unlabelled, the other classes move down by one
        (True, {
            0: 1024,
            1: 512,
            255: 2560
        }),
    ])
def test_labelled_folders_load_as_mmseg_does(seg_dataset, reduce_zero_label,
                                             counts):
    dataset = build_labelled_dataset(
        labelled_dataset_cfg(
            str(seg_dataset['img_dir']),
            str(seg_dataset['ann_dir']),
            reduce_zero_label=reduce_zero_label))
    assert len(dataset) == 5
    values, found = np.unique(dataset[0]['gt_seg_map'], return_counts=True)
    assert dict(zip(values.tolist(), found.tolist())) == counts

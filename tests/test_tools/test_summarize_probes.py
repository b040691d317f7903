# Copyright (c) grass_mm contributors. All rights reserved.
"""tools/summarize_probes.py: statistics of probe results over seeds."""
import copy
import glob
import json
import sys

import numpy as np
from scipy import stats

TOOL = 'tools/summarize_probes.py'
# as tools/probe_checkpoint.py writes it
SETUP = dict(
    stride=8,
    ridge=0.01,
    feature_stages=[0, 1, 2, 3],
    label_fraction=10,
    train_set=dict(
        type='BaseSegDataset',
        data_root='data/d',
        ann_file='splits/train_10pct.txt',
        img_path='img_dir/train',
        images=4),
    val_set=dict(
        type='BaseSegDataset',
        data_root='data/d',
        ann_file=None,
        img_path='img_dir/val',
        images=2),
    stack='onedl',
    versions=dict(
        grass_mm='0.2.0',
        torch='2.4.0',
        mmengine='onedl-mmengine 0.10.12',
        mmcv='onedl-mmcv 2.3.6',
        mmpretrain='onedl-mmpretrain 1.3.6',
        mmseg='onedl-mmsegmentation 1.4.2'))


def write(path, miou, config='cfg.py', fraction=10, setup=None):
    record = {'mIoU': miou, 'config': config, 'label_fraction': fraction}
    if setup is not None:
        record['setup'] = setup
    path.write_text(json.dumps(record))
    return path


def changed(key, value, sub=None):
    """SETUP with one field (or one field of a nested one) changed."""
    setup = copy.deepcopy(SETUP)
    if sub is None:
        setup[key] = value
    else:
        setup[key][sub] = value
    return setup


def summarize(tools, cwd, *args):
    return tools.run([sys.executable, tools.repo_root / TOOL, *args], cwd=cwd)


def test_table_against_scipy(tools, tmp_path):
    base = [50.0, 52.0, 51.0]
    other = [53.0, 52.5, 55.0]
    third = [50.5, 51.0, 51.8]
    files = [
        write(tmp_path / f'simclr_seed{s}.json', v, 'simclr.py')
        for s, v in enumerate(base)
    ]
    files += [
        write(tmp_path / f'grass_seed{s}.json', v, 'grass.py')
        for s, v in enumerate(other)
    ]
    files += [
        write(tmp_path / f'moco_seed{s}.json', v, 'moco.py')
        for s, v in enumerate(third)
    ]
    # a seed the baseline lacks counts for the method, not for the pairs
    files.append(write(tmp_path / 'grass_seed7.json', 40.0, 'grass.py'))
    out = tmp_path / 'table.md'
    result = summarize(tools, tmp_path, *files, '--baseline', 'simclr',
                       '--out', out)
    tools.assert_ok(result)
    lines = out.read_text().splitlines()
    assert 'probe mIoU, mean' in lines[0] and 'vs simclr' in lines[0]
    assert lines[2].startswith('| simclr | `simclr.py` | 10% | 3 |')
    assert '(baseline)' in lines[2]

    diff = np.subtract(other, base)
    half = stats.t.ppf(0.975, 2) * diff.std(ddof=1) / np.sqrt(3)
    expected = (f'{diff.mean():+.2f} [{diff.mean() - half:+.2f}, '
                f'{diff.mean() + half:+.2f}] (n=3)')
    # two comparisons with simclr: Bonferroni at 1 - 0.05 / 2, Holm over
    # the paired t-tests of grass and moco
    low, high = stats.t.interval(
        1 - 0.05 / 2, 2, loc=diff.mean(), scale=stats.sem(diff))
    p_grass = stats.ttest_rel(other, base).pvalue
    p_moco = stats.ttest_rel(third, base).pvalue
    # Holm over two: the smaller p doubled, the larger never below that
    smaller, larger = sorted([p_grass, p_moco])
    first = min(1.0, 2 * smaller)
    holm = first if p_grass == smaller else max(first, larger)
    sign = stats.binomtest(3, 3).pvalue
    grass = lines[3]
    assert grass.startswith('| grass | `grass.py` | 10% | 4 |')
    assert grass.endswith(f'| {expected} | [{low:+.2f}, {high:+.2f}] | '
                          f'{holm:.3g} | {sign:.3g} |')
    assert f'{np.mean(other + [40.0]):.2f} [' in grass
    assert lines[-1].startswith('p (paired t): Holm-adjusted over the 2 '
                                'comparisons with simclr')
    assert 'simultaneous 95% (each at 97.50%)' in lines[-1]
    assert result.stdout == out.read_text()


def test_bad_inputs_are_named(tools, tmp_path):
    good = write(tmp_path / 'simclr_seed0.json', 50.0)
    badly_named = write(tmp_path / 'simclr.json', 50.0)
    result = summarize(tools, tmp_path, good, badly_named)
    assert result.returncode != 0 and 'simclr.json' in result.stderr
    assert 'METHOD_seedS.json' in result.stderr

    no_miou = tmp_path / 'grass_seed0.json'
    no_miou.write_text(json.dumps({'config': 'x'}))
    result = summarize(tools, tmp_path, good, no_miou)
    assert result.returncode != 0 and 'grass_seed0.json' in result.stderr

    other_fraction = write(tmp_path / 'grass_seed1.json', 50.0, fraction=1)
    result = summarize(tools, tmp_path, good, other_fraction)
    assert result.returncode != 0 and 'label fractions' in result.stderr

    result = summarize(tools, tmp_path, good, '--baseline', 'byol')
    assert result.returncode != 0 and '--baseline byol' in result.stderr


def test_setups_that_differ_are_refused(tools, tmp_path):
    a = write(tmp_path / 'simclr_seed0.json', 50.0, setup=SETUP)
    b = write(tmp_path / 'grass_seed0.json', 52.0, setup=changed('stride', 4))
    result = summarize(tools, tmp_path, a, b)
    assert result.returncode != 0
    assert '`stride`' in result.stderr
    assert str(a) in result.stderr and str(b) in result.stderr
    assert result.stdout == ''

    # a nested field: another validation set
    b = write(
        tmp_path / 'grass_seed0.json',
        52.0,
        setup=changed('val_set', 3, 'images'))
    result = summarize(tools, tmp_path, a, b)
    assert result.returncode != 0 and '`val_set.images`' in result.stderr

    # a field only one record has
    setup = copy.deepcopy(SETUP)
    del setup['ridge']
    b = write(tmp_path / 'grass_seed0.json', 52.0, setup=setup)
    result = summarize(tools, tmp_path, a, b)
    assert result.returncode != 0 and '`ridge`' in result.stderr

    # a record with a setup and one without
    b = write(tmp_path / 'grass_seed0.json', 52.0)
    result = summarize(tools, tmp_path, a, b)
    assert result.returncode != 0
    assert str(a) in result.stderr and str(b) in result.stderr


def test_differing_versions_warn(tools, tmp_path):
    files = [
        write(tmp_path / 'simclr_seed0.json', 50.0, setup=SETUP),
        write(tmp_path / 'simclr_seed1.json', 51.0, setup=SETUP),
        write(
            tmp_path / 'grass_seed0.json',
            52.0,
            setup=changed('versions', 'onedl-mmcv 2.3.7', 'mmcv')),
        write(tmp_path / 'grass_seed1.json', 53.0, setup=SETUP),
    ]
    result = summarize(tools, tmp_path, *files)
    tools.assert_ok(result)
    assert 'warning' in result.stderr
    assert '`versions.mmcv`' in result.stderr
    assert 'grass_seed0.json' in result.stderr
    assert '| grass | `cfg.py` | 10% | 2 |' in result.stdout

    # identical setups: not a word on stderr
    files[2] = write(tmp_path / 'grass_seed0.json', 52.0, setup=SETUP)
    result = summarize(tools, tmp_path, *files)
    tools.assert_ok(result)
    assert result.stderr == ''


def stored_records(tools, folder):
    files = sorted(
        glob.glob(
            str(tools.repo_root / 'docs/evidence/runs' / folder / '*.json')))
    assert files
    return files


def test_records_without_setup_pool_unchecked(tools, tmp_path):
    # the earlier evidence, written before setups were recorded
    result = summarize(tools, tmp_path,
                       *stored_records(tools, 'probe_previous'))
    tools.assert_ok(result)
    assert 'records carry no setup: pooled unchecked' in result.stderr
    assert '| 10% | 5 |' in result.stdout


def test_the_stored_records_share_one_setup(tools, tmp_path):
    # the current evidence: every record carries the same setup
    result = summarize(tools, tmp_path, *stored_records(tools, 'probe'))
    tools.assert_ok(result)
    assert result.stderr == ''
    assert '| grass | `configs/evidence/grass_r18_1xb16-4e_dubai-aerial.py` ' \
        '| 10% | 5 | 54.29 [53.73, 54.85] |' in result.stdout


def test_missing_label_fraction_is_a_dash(tools, tmp_path):
    files = [
        write(tmp_path / f'{method}_seed{s}.json', 50.0 + s, fraction=None)
        for method in ('simclr', 'grass') for s in range(2)
    ]
    result = summarize(tools, tmp_path, *files)
    tools.assert_ok(result)
    assert '| simclr | `cfg.py` | - | 2 |' in result.stdout
    assert '-1%' not in result.stdout

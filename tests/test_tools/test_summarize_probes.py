# Copyright (c) grass_mm contributors. All rights reserved.
"""tools/summarize_probes.py: statistics of probe results over seeds."""
import json
import sys

import numpy as np
from scipy import stats

TOOL = 'tools/summarize_probes.py'


def write(path, miou, config='cfg.py', fraction=10):
    path.write_text(
        json.dumps({
            'mIoU': miou,
            'config': config,
            'label_fraction': fraction
        }))
    return path


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

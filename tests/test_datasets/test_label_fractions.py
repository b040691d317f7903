# Copyright (c) grass_mm contributors. All rights reserved.
"""Label fractions: reproducible from the seed, nested, sized by ceil."""
import math

import pytest

from grass_mm.datasets.converters import (fraction_subset, rank_names,
                                          split_file_name,
                                          write_fraction_splits)

NAMES = [
    f'2_10_{x}_{y}_{x + 512}_{y + 512}' for x in range(0, 5000, 256)
    for y in range(0, 2000, 256)
]  # 160 patch names


@pytest.mark.parametrize('percent', [0.5, 1, 5, 10, 20, 50, 100])
def test_size_is_the_ceiling_and_at_least_one(percent):
    subset = fraction_subset(NAMES, percent, seed=0)
    assert len(subset) == max(1, math.ceil(len(NAMES) * percent / 100))
    assert subset == sorted(subset) and set(subset) <= set(NAMES)
    assert len(fraction_subset(NAMES[:7],
                               percent)) == math.ceil(7 * percent / 100)


def test_same_seed_same_files_whatever_the_input_order():
    assert fraction_subset(
        NAMES, 10, seed=3) == fraction_subset(
            list(reversed(NAMES)), 10, seed=3)
    assert fraction_subset(
        NAMES, 10, seed=3) != fraction_subset(
            NAMES, 10, seed=4)


def test_known_subset_pins_the_rule():
    """sha256('0/<name>') ranks the names: a change of rule shows here."""
    assert fraction_subset(['a', 'b', 'c', 'd'], 50, seed=0) == ['b', 'c']
    assert fraction_subset(['a', 'b', 'c', 'd'], 50, seed=1) == ['a', 'd']


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_subsets_are_nested(seed):
    percents = [1, 5, 10, 20, 50, 100]
    subsets = [set(fraction_subset(NAMES, p, seed)) for p in percents]
    for small, large in zip(subsets, subsets[1:]):
        assert small < large
    assert subsets[-1] == set(NAMES)


def test_rank_does_not_depend_on_other_names():
    """Adding images never reorders the old ones."""
    old = set(NAMES[:80])
    assert rank_names(
        NAMES[:80],
        seed=0) == [n for n in rank_names(NAMES, seed=0) if n in old]


def test_written_files_are_mmseg_ann_files(tmp_path):
    paths = write_fraction_splits(
        NAMES, str(tmp_path / 'splits'), (1, 10), seed=0)
    assert sorted(p.split('/')[-1] for p in paths.values()) == [
        'train_10pct.txt', 'train_1pct.txt'
    ]
    lines = (tmp_path / 'splits' / 'train_1pct.txt').read_text().splitlines()
    assert lines == fraction_subset(NAMES, 1, seed=0)
    assert split_file_name(0.5) == 'train_0.5pct.txt'


@pytest.mark.parametrize('percent', [0, -1, 101])
def test_invalid_percent(percent):
    with pytest.raises(ValueError, match=r'\(0, 100\]'):
        fraction_subset(NAMES, percent)

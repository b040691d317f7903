# Copyright (c) grass_mm contributors. All rights reserved.
"""Colour labels to ids, against the ISPRS legend and a slow reference."""
import numpy as np
import pytest
from mmseg.datasets import ISPRSDataset, PotsdamDataset

from grass_mm.datasets.converters import colour_to_ids

# The ISPRS 2D labelling legend, written out independently of mmseg.
ISPRS_LEGEND = {
    'impervious_surface': (255, 255, 255),
    'building': (0, 0, 255),
    'low_vegetation': (0, 255, 255),
    'tree': (0, 255, 0),
    'car': (255, 255, 0),
    'clutter': (255, 0, 0),
}


def reference_ids(rgb, palette):
    out = np.zeros(rgb.shape[:2], np.uint8)
    for y in range(rgb.shape[0]):
        for x in range(rgb.shape[1]):
            colour = tuple(int(v) for v in rgb[y, x])
            if colour in map(tuple, palette):
                out[y, x] = [tuple(c) for c in palette].index(colour) + 1
    return out


@pytest.mark.parametrize('dataset', [PotsdamDataset, ISPRSDataset])
def test_legend_colours_give_the_named_class(dataset):
    classes = dataset.METAINFO['classes']
    palette = dataset.METAINFO['palette']
    rgb = np.array([[ISPRS_LEGEND[name] for name in ISPRS_LEGEND]], np.uint8)
    ids, unknown = colour_to_ids(rgb, palette)
    assert unknown == 0
    # id k + 1 is trained as class k (reduce_zero_label)
    assert [classes[i - 1] for i in ids[0]] == list(ISPRS_LEGEND)


def test_against_reference_with_unknown_colours():
    palette = PotsdamDataset.METAINFO['palette']
    rng = np.random.default_rng(0)
    choices = np.array(palette + [[0, 0, 0], [254, 255, 255], [1, 2, 3]],
                       np.uint8)
    rgb = choices[rng.integers(0, len(choices), (23, 31))]
    ids, unknown = colour_to_ids(rgb, palette)
    np.testing.assert_array_equal(ids, reference_ids(rgb, palette))
    assert unknown == int((ids == 0).sum()) > 0


def test_rejects_bad_input():
    with pytest.raises(ValueError, match=r'\(H, W, 3\)'):
        colour_to_ids(np.zeros((4, 4), np.uint8), [[0, 0, 0]])
    with pytest.raises(ValueError, match='repeats a colour'):
        colour_to_ids(np.zeros((4, 4, 3), np.uint8), [[1, 2, 3], [1, 2, 3]])

"""Sampling panels: layout, what each column shows, a real model's sample."""
import numpy as np
import pytest
import torch
from mmpretrain.registry import MODELS

from grass_mm import foreground_mask, select_boxes
from grass_mm.visualization import (min_max_normalize,
                                    preprocessor_normalization,
                                    render_sampling_panels,
                                    render_sampling_result, sampling_rows)
from .conftest import assert_not_blank

SIZE = 32


def smooth_maps(num, seed=0):
    generator = torch.Generator().manual_seed(seed)
    coarse = torch.rand(num, 1, 4, 4, generator=generator)
    return torch.nn.functional.interpolate(
        coarse, size=(SIZE, SIZE), mode='bilinear').squeeze(1)


def test_min_max_normalize_matches_the_foreground_threshold():
    lam = smooth_maps(6) * 7 - 3
    lam[4] = 2.0  # constant
    lam[5, 0, 0] = float('nan')
    scaled = min_max_normalize(lam)
    assert scaled[:4].flatten(1).amin(1).tolist() == [0.0] * 4
    assert scaled[:4].flatten(1).amax(1).tolist() == [1.0] * 4
    assert (scaled[4:] == 0).all()
    for ratio in (0.3, 0.5, 0.8):
        assert torch.equal(scaled[:4] > ratio, foreground_mask(lam[:4], ratio))


def test_sampling_rows_put_the_views_of_an_image_together():
    # view-major batch of 3 images x 2 views: row v * 3 + i
    assert sampling_rows(3, 2) == [0, 3, 1, 4, 2, 5]
    assert sampling_rows(3, 2, image_indices=[1]) == [1, 4]
    assert sampling_rows(3, 2, max_views=3) == [0, 3, 1]


def test_panel_grid_layout_and_content():
    lam = smooth_maps(3)
    boxes, kept_whole = select_boxes(lam)
    black = np.zeros((3, SIZE, SIZE, 3), np.uint8)
    grid = render_sampling_panels(
        black, black, lam, boxes, kept_whole, titles=['a', 'b', 'c'])
    assert grid.dtype == np.uint8
    assert grid.shape == (3 * 200 + 50, 5 * 200 + 80, 3)
    assert_not_blank(grid)
    one_row = render_sampling_panels(black[:1], black[:1], lam[:1], boxes[:1],
                                     kept_whole[:1])
    assert one_row.shape == (200 + 50, 5 * 200 + 80, 3)
    # the box (pure red) is drawn on the foreground and box columns only:
    # not on the view and map (left 2/5), nor the crop (right 200 pixels)
    red = (grid[..., 0] > 200) & (grid[..., 1] < 60) & (grid[..., 2] < 60)
    columns = np.nonzero(red.any(axis=0))[0]
    assert red.sum() > 100
    assert columns.min() > 2 * grid.shape[1] // 5
    assert columns.max() < grid.shape[1] - 200


def test_panels_show_the_images_they_are_given():
    lam = smooth_maps(2)
    boxes, kept_whole = select_boxes(lam)
    black = np.zeros((2, SIZE, SIZE, 3), np.uint8)
    green = black.copy()
    green[..., 1] = 255
    with_black = render_sampling_panels(black, black, lam, boxes, kept_whole)
    with_green = render_sampling_panels(green, green, lam, boxes, kept_whole)
    pure_green = ((with_green[..., 1] == 255) & (with_green[..., 0] == 0) &
                  (with_green[..., 2] == 0))
    assert pure_green.sum() > 3 * 2 * 150**2  # view, box and crop columns
    assert not (with_black == with_green).all()


def test_panels_refuse_mismatched_inputs():
    lam = smooth_maps(2)
    boxes, kept_whole = select_boxes(lam)
    images = np.zeros((2, SIZE, SIZE, 3), np.uint8)
    with pytest.raises(ValueError, match='same, non-zero number'):
        render_sampling_panels(images, images[:1], lam, boxes, kept_whole)


def test_render_a_real_sample():
    torch.manual_seed(0)
    model = MODELS.build(
        dict(
            type='GraSS',
            algorithm=dict(
                type='NTXentSimCLR',
                data_preprocessor=dict(
                    type='SelfSupDataPreprocessor',
                    mean=[128] * 3,
                    std=[64] * 3,
                    to_rgb=True),
                backbone=dict(
                    type='ResNet', depth=18, norm_cfg=dict(type='BN')),
                neck=dict(
                    type='NonLinearNeck',
                    in_channels=512,
                    hid_channels=32,
                    out_channels=16,
                    num_layers=2,
                    with_avg_pool=True,
                    norm_cfg=dict(type='BN1d')),
                head=dict(type='NTXentHead', temperature=0.5))))
    model.init_weights()
    generator = torch.Generator().manual_seed(0)
    raw = [
        torch.randint(
            0, 256, (3, 3, 64, 64), generator=generator, dtype=torch.uint8)
        for _ in range(2)
    ]
    inputs = model.data_preprocessor(
        dict(inputs=raw, data_samples=None), True)['inputs']
    result = model.sample(inputs)
    normalization = preprocessor_normalization(model.data_preprocessor)
    grid = render_sampling_result(
        inputs, result, normalization, model.ratio, max_views=4)
    assert grid.shape == (4 * 200 + 50, 5 * 200 + 80, 3)
    assert_not_blank(grid, min_colours=200)
    single = render_sampling_result(
        inputs, result, normalization, image_indices=[2])
    assert single.shape == (2 * 200 + 50, 5 * 200 + 80, 3)


def test_opposite_panels_show_the_foreground_of_the_negated_map():
    lam = smooth_maps(2, seed=3)
    black = np.zeros((2, SIZE, SIZE, 3), np.uint8)
    grids = {}
    for rule, box_map in (('gradient', lam), ('opposite', -lam)):
        boxes, kept_whole = select_boxes(box_map)
        grids[rule] = render_sampling_panels(
            black, black, lam, boxes, kept_whole, box_rule=rule)
    # the foreground column (the third of five, 200 pixels each) is white
    # where the map used for the box is above the threshold
    column = slice(2 * grids['gradient'].shape[1] // 5 + 20,
                   3 * grids['gradient'].shape[1] // 5 - 20)
    white = {
        rule: (grid[:, column] > 250).all(axis=2).sum()
        for rule, grid in grids.items()
    }
    share = {
        rule: foreground_mask(m).float().mean().item()
        for rule, m in (('gradient', lam), ('opposite', -lam))
    }
    assert not (grids['gradient'] == grids['opposite']).all()
    assert (white['gradient'] > white['opposite']) == (
        share['gradient'] > share['opposite'])

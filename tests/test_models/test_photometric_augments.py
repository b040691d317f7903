"""The batched augmentations: their draws, their composition, their configs.

Draws are checked over 20,000 images against the distributions of the
mmpretrain transforms (binomial tests for probabilities, Kolmogorov-Smirnov
tests for magnitudes, a chi-square test for ColorJitter's order); the chain
of augmentations is checked against the CPU functions applied image by image
with the same parameters.
"""
import itertools
import warnings
from collections import Counter
from pathlib import Path

import mmcv
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmpretrain.datasets.transforms import ColorJitter as CPUColorJitter
from mmpretrain.datasets.transforms import GaussianBlur as CPUGaussianBlur
from PIL import Image, ImageFilter
from scipy import stats

from grass_mm.analysis import config_photometric_augments
from grass_mm.models.data_preprocessors import build_augment, build_augments

ROOT = Path(__file__).resolve().parents[2]
DRAWS = 20000
ALPHA = 1e-3  # every test below is seeded: its p-value is fixed

# The photometric end of configs/_base_/datasets/potsdam_pretrain.py.
SIMCLR_AUGMENTS = config_photometric_augments(
    Config.fromfile(str(ROOT / 'configs/_base_/datasets/potsdam_pretrain.py')))


@pytest.fixture(scope='module')
def draws():
    generator = torch.Generator().manual_seed(0)
    augments = build_augments(SIMCLR_AUGMENTS + [
        dict(
            type='Solarize',
            magnitude_range=(0, 256),
            magnitude_std='inf',
            prob=0.2)
    ])
    return [augment.sample(DRAWS, generator) for augment in augments]


def assert_probability(apply: torch.Tensor, prob: float) -> None:
    assert apply.dtype == torch.bool and apply.shape == (DRAWS, )
    test = stats.binomtest(int(apply.sum()), DRAWS, prob)
    assert test.pvalue > ALPHA, (float(apply.float().mean()), prob)


def assert_uniform(values: torch.Tensor, low: float, high: float) -> None:
    values = values.numpy()
    assert low <= values.min() and values.max() <= high
    assert stats.kstest(values, 'uniform', args=(low, high - low)).pvalue \
        > ALPHA


def test_probabilities_are_the_configured_ones(draws):
    jitter, gray, blur, solarize = draws
    assert_probability(jitter['apply'], 0.8)
    assert_probability(jitter['transforms'][0]['apply'], 1.0)
    assert_probability(gray['apply'], 0.2)
    assert_probability(blur['apply'], 0.5)
    assert_probability(solarize['apply'], 0.2)


def test_the_three_decisions_are_independent(draws):
    jitter, gray, blur, _ = draws
    table = Counter(
        zip(jitter['apply'].tolist(), gray['apply'].tolist(),
            blur['apply'].tolist()))
    observed = np.array([table[key] for key in sorted(table)])
    expected = np.array([
        DRAWS * (0.8 if j else 0.2) * (0.2 if g else 0.8) * 0.5
        for j, g, _ in sorted(table)
    ])
    assert len(table) == 8
    assert stats.chisquare(observed, expected).pvalue > ALPHA


@pytest.mark.parametrize('name,low,high', [('brightness', 0.2, 1.8),
                                           ('contrast', 0.2, 1.8),
                                           ('saturation', 0.2, 1.8),
                                           ('hue', -0.2, 0.2)])
def test_jitter_factors_are_uniform_in_their_ranges(draws, name, low, high):
    assert_uniform(draws[0]['transforms'][0][name], low, high)


def test_blur_and_solarize_magnitudes_are_uniform(draws):
    assert_uniform(draws[2]['radius'], 0.1, 2.0)
    assert_uniform(draws[3]['thr'], 0, 256)


def test_jitter_order_is_a_uniform_random_permutation(draws):
    order = draws[0]['transforms'][0]['order']
    assert torch.equal(order.sort(dim=1)[0], torch.arange(4).expand(DRAWS, 4))
    counts = Counter(map(tuple, order.tolist()))
    assert set(counts) == set(itertools.permutations(range(4)))
    assert stats.chisquare(list(counts.values())).pvalue > ALPHA


def test_jitter_factors_follow_mmpretrain_draws(draws):
    """A two-sample test against the CPU transform's own draws."""
    np.random.seed(0)
    cpu = CPUColorJitter(brightness=0.8, contrast=0.8, saturation=0.8, hue=0.2)
    reference = np.array([cpu._rand_params()[1:] for _ in range(DRAWS)])
    ours = draws[0]['transforms'][0]
    for column, name in enumerate(
        ('brightness', 'contrast', 'saturation', 'hue')):
        test = stats.ks_2samp(ours[name].numpy(), reference[:, column])
        assert test.pvalue > ALPHA, name


@pytest.mark.parametrize(
    'cfg',
    [
        dict(magnitude_range=(0.1, 2.0), magnitude_std='inf'),
        # uniform over [0, level] of total_level: (0.1, 1.05)
        dict(
            magnitude_range=(0.1, 2.0), magnitude_std='inf',
            magnitude_level=5),
        # normal around the level, clipped to [0, total_level]
        dict(magnitude_range=(0.0, 3.0), magnitude_std=3, magnitude_level=6),
        dict(magnitude_range=(0.5, 1.5), magnitude_std=0, magnitude_level=4),
    ])
def test_blur_radius_follows_mmpretrain_draws(cfg):
    np.random.seed(1)
    cpu = CPUGaussianBlur(prob=0.5, **cfg)
    reference = np.array([cpu.random_magnitude() for _ in range(DRAWS)])
    ours = build_augment(dict(type='GaussianBlur', prob=0.5, **cfg), 'blur')
    radius = ours.sample(DRAWS, torch.Generator().manual_seed(2))['radius']
    if cfg['magnitude_std'] == 0:
        assert np.allclose(radius.numpy(), reference)
    else:
        assert stats.ks_2samp(radius.numpy(), reference).pvalue > ALPHA


def test_parameters_differ_per_image(draws):
    jitter = draws[0]['transforms'][0]
    assert len(set(jitter['brightness'][:64].tolist())) == 64
    assert len(set(draws[2]['radius'][:64].tolist())) == 64
    assert len(set(map(tuple, jitter['order'][:64].tolist()))) > 10


# ---------------------------------------------------------------------------
# the chain of augmentations against the CPU functions, image by image


def cpu_chain(img: np.ndarray, params: list, index: int) -> np.ndarray:
    """The CPU transforms of CHAIN_AUGMENTS, with the batched draws."""
    jitter, gray, solarize, blur = params
    inner = jitter['transforms'][0]
    if jitter['apply'][index] and inner['apply'][index]:
        for op in inner['order'][index].tolist():
            if op == 0:
                img = mmcv.adjust_brightness(img,
                                             float(inner['brightness'][index]),
                                             'pillow')
            elif op == 1:
                img = mmcv.adjust_contrast(img,
                                           float(inner['contrast'][index]),
                                           'pillow')
            elif op == 2:
                img = mmcv.adjust_color(
                    img, float(inner['saturation'][index]), backend='pillow')
    if gray['apply'][index]:
        weights = np.array((0.114, 0.587, 0.2989)) / 0.9999
        img = np.dstack([(weights * img).sum(axis=2).astype('uint8')] * 3)
    if solarize['apply'][index]:
        img = mmcv.solarize(img, float(solarize['thr'][index]))
    if blur['apply'][index]:
        radius = float(blur['radius'][index])
        img = np.array(
            Image.fromarray(img).filter(ImageFilter.GaussianBlur(radius)))
    return img


CHAIN_AUGMENTS = [
    dict(
        SIMCLR_AUGMENTS[0],
        transforms=[dict(SIMCLR_AUGMENTS[0]['transforms'][0], hue=0)]),
    SIMCLR_AUGMENTS[1],
    dict(type='Solarize', thr=128, prob=0.3), SIMCLR_AUGMENTS[2]
]


def test_the_chain_reproduces_the_cpu_transforms():
    """Without the hue (see test_batched_photometric) the batched chain
    equals the CPU chain: order, probabilities and rounding included."""
    num = 64
    rng = np.random.default_rng(0)
    imgs = rng.integers(0, 256, (num, 24, 28, 3), dtype=np.uint8)
    augments = build_augments(CHAIN_AUGMENTS)
    generator = torch.Generator().manual_seed(3)
    params = [augment.sample(num, generator) for augment in augments]
    batch = torch.from_numpy(imgs).permute(0, 3, 1, 2).float()
    for augment, own in zip(augments, params):
        batch = augment(batch, own, 'bgr', True)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        expected = np.stack(
            [cpu_chain(img, params, i) for i, img in enumerate(imgs)])
    diff = (batch - torch.from_numpy(expected).permute(0, 3, 1, 2)).abs()
    # Pillow's blur rounds a few pixels in 100,000 the other way
    assert diff.max() <= 1 and (diff > 0).float().mean() < 1e-4
    touched = (batch != torch.from_numpy(imgs).permute(0, 3, 1, 2)).flatten(1)
    assert touched.any(1).float().mean() > 0.5  # the chain did something


# ---------------------------------------------------------------------------
# configs: the same keys as mmpretrain, errors that name the bad key

BAD_CONFIGS = [
    (dict(type='ColourJitter', brightness=0.4), "`type` 'ColourJitter'"),
    (dict(type='ColorJitter', brightnes=0.4), "'brightnes'"),
    (dict(type='RandomGrayscale', prob=1.5, keep_channels=True), '`prob`'),
    (dict(type='GaussianBlur', radius=1.0, prob=-0.1), '`prob`'),
    (dict(type='RandomApply', transforms=[], prob=2), '`prob`'),
    (dict(type='ColorJitter', brightness=-0.1), '`brightness`'),
    (dict(type='ColorJitter', contrast=(1.5, 0.5)), '`contrast`'),
    (dict(type='ColorJitter', saturation='0.4'), '`saturation`'),
    (dict(type='ColorJitter', hue=-0.2), '`hue`'),
    (dict(type='GaussianBlur',
          magnitude_range=(-1, 2.0)), '`magnitude_range`'),
    (dict(type='GaussianBlur', radius=-1.0), '`radius`'),
    (dict(type='GaussianBlur', radius=1.0,
          magnitude_range=(0.1, 2.0)), '`radius` and `magnitude_range`'),
    (dict(
        type='GaussianBlur', magnitude_range=(0.1, 2.0),
        magnitude_std='wide'), '`magnitude_std`'),
    (dict(type='Solarize', prob=0.5), '`thr` and `magnitude_range`'),
    (dict(type='RandomGrayscale', prob=0.2), '`keep_channels`'),
    (dict(
        type='RandomGrayscale', keep_channels=True,
        channel_weights=(1, -1, 1)), '`channel_weights`'),
    (dict(type='RandomApply', prob=0.5,
          transforms=[dict(type='Blur')]), "transforms[0]: unknown `type`"),
]


@pytest.mark.parametrize('cfg,key', BAD_CONFIGS)
def test_bad_configs_are_refused_naming_the_key(cfg, key):
    with pytest.raises((ValueError, TypeError)) as error:
        build_augments([dict(type='RandomGrayscale', keep_channels=True), cfg])
    assert 'augments[1]' in str(error.value)
    assert key in str(error.value)


def test_ranges_beyond_the_bound_are_clipped_as_mmpretrain_does():
    with pytest.warns(UserWarning, match='`brightness` exceeds'):
        jitter = build_augment(dict(type='ColorJitter', brightness=1.5), 'j')
    assert jitter.ranges['brightness'] == (0.0, 2.5)
    assert CPUColorJitter(brightness=1.5).brightness == (0.0, 2.5)
    assert jitter.ranges['hue'] is None  # 0: not drawn, as mmpretrain
    assert 'hue' not in jitter.sample(4, torch.Generator())


def test_scoped_type_names_are_accepted():
    augment = build_augment(
        dict(type='mmpretrain.Solarize', thr=100, prob=1.0), 'x')
    assert type(augment).__name__ == 'Solarize'

"""The batched photometric functions and the batched blur against the CPU
transforms they follow.

Each function gets a batch of uint8 images (BGR, as mmcv loads them) with a
different parameter per image; the reference is the mmcv / Pillow function
that mmpretrain's transform calls, image by image, with the same parameter.
With ``quantize=True`` every function but the hue agrees exactly; the hue
(floating-point HSV against Pillow's 8-bit HSV) has its own bound.
"""
import warnings

import mmcv
import numpy as np
import pytest
import torch
from PIL import Image, ImageFilter

from grass_mm.models.utils import batched_photometric as bp
from grass_mm.models.utils.batched_blur import (extended_box_kernels,
                                                gaussian_blur)

NUM = 12


def noise_images(seed: int = 0, num: int = NUM, size=(29, 37)) -> np.ndarray:
    """Saturated random colours: every pixel is a hard case."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (num, *size, 3), dtype=np.uint8)


def smooth_images(seed: int = 0, num: int = NUM) -> np.ndarray:
    """Colour gradients with mild noise, closer to photographs."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:40, 0:44]
    imgs = []
    for _ in range(num):
        phase = rng.uniform(0, 2 * np.pi, 3)
        img = np.stack([
            128 + 100 * np.sin(xx / 9 + yy / 13 + p) +
            rng.normal(0, 4, xx.shape) for p in phase
        ], -1)
        imgs.append(np.clip(img, 0, 255).astype(np.uint8))
    return np.stack(imgs)


def to_batch(imgs: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(imgs).permute(0, 3, 1, 2).float()


def reference(function, imgs: np.ndarray, values) -> torch.Tensor:
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # mmcv.adjust_color's pillow note
        return to_batch(
            np.stack([function(img, v) for img, v in zip(imgs, values)]))


def pil_blur(img: np.ndarray, radius: float) -> np.ndarray:
    # as mmpretrain's GaussianBlur: Pillow on the BGR array as it is
    return np.array(
        Image.fromarray(img).filter(ImageFilter.GaussianBlur(radius=radius)))


def factors(low: float, high: float, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).uniform(low, high, NUM)


CASES = {
    'brightness': (lambda img, f: mmcv.adjust_brightness(img, f, 'pillow'),
                   lambda x, f, q: bp.adjust_brightness(x, f, q), (0.2, 1.8)),
    'contrast':
    (lambda img, f: mmcv.adjust_contrast(img, f, 'pillow'),
     lambda x, f, q: bp.adjust_contrast(x, f, 'bgr', q), (0.2, 1.8)),
    'saturation':
    (lambda img, f: mmcv.adjust_color(img, f, backend='pillow'),
     lambda x, f, q: bp.adjust_saturation(x, f, 'bgr', q), (0.2, 1.8)),
    'gaussian_blur': (lambda img, f: pil_blur(img, float(f)),
                      lambda x, f, q: gaussian_blur(x, f, q), (0.1, 2.0)),
    'wide_gaussian_blur': (lambda img, f: pil_blur(img, float(f)),
                           lambda x, f, q: gaussian_blur(x, f, q), (2.0, 6.0)),
    'solarize': (lambda img, f: mmcv.solarize(img, f),
                 lambda x, f, q: bp.solarize(x, f), (0, 256)),
}


@pytest.mark.parametrize('images', [noise_images, smooth_images])
@pytest.mark.parametrize('name', sorted(CASES))
def test_quantized_functions_reproduce_the_cpu_transforms(name, images):
    cpu, batched, (low, high) = CASES[name]
    imgs = images()
    values = factors(low, high)
    expected = reference(cpu, imgs, values)
    got = batched(to_batch(imgs), torch.tensor(values), True)
    diff = (got - expected).abs()
    if 'blur' in name:
        # Pillow's box weights are 24-bit fixed point: a few pixels in
        # 100,000 round the other way.
        assert diff.max() <= 1 and (diff > 0).float().mean() < 1e-4
    else:
        assert torch.equal(got, expected), diff.max()


@pytest.mark.parametrize('name', sorted(CASES))
def test_float_functions_stay_within_rounding_of_the_cpu(name):
    """Without quantisation only the CPU path's rounding separates them:
    below one unit per step (a blur has six rounded passes)."""
    cpu, batched, (low, high) = CASES[name]
    imgs = noise_images(3)
    values = factors(low, high, seed=4)
    expected = reference(cpu, imgs, values)
    got = batched(to_batch(imgs), torch.tensor(values), False)
    bound = 3.0 if 'blur' in name else 1.5
    assert (got - expected).abs().max() <= bound
    assert not torch.equal(got, got.round()) or name == 'solarize'


@pytest.mark.parametrize('keep', [(0.114, 0.587, 0.2989), (1., 2., 1.)])
def test_grayscale_reproduces_random_grayscale(keep):
    imgs = noise_images(5)
    weights = np.array(keep) / sum(keep)
    expected = to_batch(
        np.stack([
            np.dstack([(weights * img).sum(axis=2).astype('uint8')] * 3)
            for img in imgs
        ]))
    got = bp.grayscale(to_batch(imgs), torch.tensor(keep), quantize=True)
    assert torch.equal(got, expected)


# The hue, in 0..255 units, measured with hue factors uniform in [-0.5,
# 0.5] and in [-0.2, 0.2]: on 256 images of 64 x 64 random colours max
# 17-18, mean 0.84-0.98; on 288 crops of 112 x 112 of the demo's aerial
# images max 8-9, mean 0.13; on the saturated gradients here max 11, mean
# 0.58-0.70.
HUE_MAX, HUE_MEAN = 20, 1.0


@pytest.mark.parametrize('images', [noise_images, smooth_images])
@pytest.mark.parametrize('low,high', [(-0.5, 0.5), (-0.2, 0.2)])
def test_hue_within_its_stated_tolerance(images, low, high):
    imgs = images(7)
    values = factors(low, high, seed=8)
    expected = reference(lambda img, h: mmcv.adjust_hue(img, h, 'pillow'),
                         imgs, values)
    got = bp.adjust_hue(to_batch(imgs), torch.tensor(values), quantize=True)
    diff = (got - expected).abs()
    assert diff.max() <= HUE_MAX and diff.mean() <= HUE_MEAN


def test_hue_shift_is_periodic_and_reversible():
    x = to_batch(smooth_images(9, num=4))
    shift = torch.tensor([0.1, -0.3, 0.25, 0.45])
    there = bp.adjust_hue(x, shift)
    assert torch.allclose(bp.adjust_hue(there, -shift), x, atol=1e-3)
    assert torch.allclose(bp.adjust_hue(x, shift + 1), there, atol=1e-3)
    assert torch.allclose(bp.adjust_hue(x, torch.zeros(4)), x, atol=1e-3)


def test_primary_colours_rotate_by_thirds():
    """An analytic case in BGR: a third of a turn takes red to green and
    green to blue."""
    red = torch.tensor([0., 0., 255.]).reshape(1, 3, 1, 1)  # B, G, R
    green = torch.tensor([0., 255., 0.]).reshape(1, 3, 1, 1)
    blue = torch.tensor([255., 0., 0.]).reshape(1, 3, 1, 1)
    third = torch.tensor([1 / 3])
    assert torch.allclose(bp.adjust_hue(red, third), green)
    assert torch.allclose(bp.adjust_hue(green, third), blue)
    rgb = red[:, [2, 1, 0]]
    assert torch.allclose(
        bp.adjust_hue(rgb, third, channel_order='rgb'), green[:, [2, 1, 0]])


def test_luma_weights_follow_the_channel_order():
    x = to_batch(noise_images(10, num=2))
    bgr = bp.luma(x, 'bgr')
    assert torch.allclose(bp.luma(x[:, [2, 1, 0]], 'rgb'), bgr)
    red = x[:, 2:3]
    assert torch.allclose(
        bgr, 0.299 * red + 0.587 * x[:, 1:2] + 0.114 * x[:, :1], atol=0.05)
    with pytest.raises(ValueError, match='channel_order'):
        bp.luma(x, 'hsv')


def test_extended_box_kernels_have_the_requested_variance():
    sigma = torch.tensor([0.1, 0.5, 1.0, 2.0, 3.7])
    kernels = extended_box_kernels(sigma, passes=3)
    offsets = torch.arange(kernels.shape[1]) - kernels.shape[1] // 2
    assert torch.allclose(kernels.sum(1), torch.ones(5))
    variance = (kernels * offsets**2).sum(1)
    assert torch.allclose(3 * variance, sigma**2, rtol=1e-5)
    assert torch.equal(kernels, kernels.flip(1))


def test_blur_of_zero_sigma_and_empty_batch_keep_the_images():
    x = to_batch(noise_images(11, num=2))
    assert torch.equal(gaussian_blur(x, torch.zeros(2), quantize=True), x)
    empty = x[:0]
    assert gaussian_blur(empty, torch.zeros(0)).shape == empty.shape
    with pytest.raises(ValueError, match='sigma'):
        gaussian_blur(x, torch.tensor([1.0, -1.0]))

# Copyright (c) grass_mm contributors. All rights reserved.
"""mmpretrain's photometric view transforms as batched augmentations.

Each class reads the config of the mmpretrain (or mmcv) transform of the
same name, with the same keys and meanings, draws one set of parameters per
image from the same distributions, and applies them with the pure functions
of :mod:`grass_mm.models.utils.batched_photometric`; together they move the
colour augmentations of the `GraSS <https://arxiv.org/abs/2306.15868>`_
views from the data workers to the training device.

Parameters are drawn on the CPU from the generator given, so a seed gives
the same parameters on every device.
"""
import numbers
import warnings
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
from torch import Tensor

from ..utils import batched_photometric as photometric

Params = Dict[str, Union[Tensor, list]]


def take(params: Union[Params, list, Tensor],
         index: Tensor) -> Union[Params, list, Tensor]:
    """The parameters of the images ``index`` selects (also nested ones)."""
    if isinstance(params, dict):
        return {key: take(value, index) for key, value in params.items()}
    if isinstance(params, list):
        return [take(value, index) for value in params]
    return params[index.to(params.device)]


def to_device(params: Union[Params, list, Tensor],
              device: torch.device) -> Union[Params, list, Tensor]:
    """The parameters moved to ``device``."""
    if isinstance(params, dict):
        return {key: to_device(value, device) for key, value in params.items()}
    if isinstance(params, list):
        return [to_device(value, device) for value in params]
    return params.to(device, non_blocking=True)


def _uniform(num: int, low: float, high: float,
             generator: torch.Generator) -> Tensor:
    return low + (high - low) * torch.rand(
        num, generator=generator, dtype=torch.float64)


class BatchedAugment:
    """An augmentation applied to each image with probability ``prob``.

    Subclasses name the keys of their config (``KEYS``), draw their own
    parameters (:meth:`draw`) and transform the images that are augmented
    (:meth:`transform`).

    Args:
        where (str): Where the config sits, for error messages.
        prob (float): Probability to augment an image. Defaults to 1.
    """
    KEYS: Tuple[str, ...] = ()

    def __init__(self, where: str, prob: float = 1.0) -> None:
        if not (isinstance(prob, numbers.Real) and 0 <= prob <= 1):
            raise ValueError(f'{where}: `prob` must lie in [0, 1], '
                             f'got {prob!r}')
        self.where = where
        self.prob = float(prob)

    def draw(self, num: int, generator: torch.Generator) -> Params:
        """This augmentation's own parameters for ``num`` images."""
        return {}

    def transform(self, img: Tensor, params: Params, channel_order: str,
                  quantize: bool) -> Tensor:
        """Augment every image of ``img`` with its parameters."""
        raise NotImplementedError

    def sample(self, num: int, generator: torch.Generator) -> Params:
        """Parameters for ``num`` images; ``apply`` says which to augment.

        Args:
            num (int): Number of images.
            generator (torch.Generator): A CPU generator.

        Returns:
            dict: Tensors of first dimension ``num``, on the CPU.
        """
        apply = torch.rand(num, generator=generator) < self.prob
        return dict(self.draw(num, generator), apply=apply)

    def __call__(self, img: Tensor, params: Params, channel_order: str,
                 quantize: bool) -> Tensor:
        """Augment the images whose ``params['apply']`` is true."""
        apply = params['apply']
        if not bool(apply.any()):
            return img
        img = img.clone()
        img[apply] = self.transform(img[apply], take(params, apply),
                                    channel_order, quantize)
        return img


class ColorJitter(BatchedAugment):
    """mmpretrain's ``ColorJitter``: brightness, contrast, saturation and
    hue, in a random order per image, each factor uniform in its range."""
    KEYS = ('brightness', 'contrast', 'saturation', 'hue', 'backend')
    NAMES = ('brightness', 'contrast', 'saturation', 'hue')

    def __init__(self,
                 where: str,
                 brightness: Union[float, Sequence[float]] = 0.,
                 contrast: Union[float, Sequence[float]] = 0.,
                 saturation: Union[float, Sequence[float]] = 0.,
                 hue: Union[float, Sequence[float]] = 0.,
                 backend: str = 'pillow') -> None:
        super().__init__(where)
        if backend != 'pillow':
            raise ValueError(f"{where}: `backend` must be 'pillow' (the "
                             f'functions follow it), got {backend!r}')
        self.ranges = {
            name: self._range(value, name, center, bound)
            for name, value, center, bound in (('brightness', brightness, 1.,
                                                (0., float('inf'))),
                                               ('contrast', contrast, 1.,
                                                (0., float('inf'))),
                                               ('saturation', saturation, 1.,
                                                (0., float('inf'))),
                                               ('hue', hue, 0., (-0.5, 0.5)))
        }

    def _range(self, value, name: str, center: float,
               bound: Tuple[float, float]) -> Optional[Tuple[float, float]]:
        """The factor's range, as mmpretrain's ``ColorJitter`` reads it."""
        if isinstance(value, numbers.Real):
            if value < 0:
                raise ValueError(f'{self.where}: `{name}` must be non '
                                 f'negative, got {value}')
            value = (center - value, center + value)
        if not (isinstance(value, (tuple, list)) and len(value) == 2
                and all(isinstance(v, numbers.Real) for v in value)):
            raise TypeError(f'{self.where}: `{name}` must be a number or a '
                            f'(min, max) pair, got {value!r}')
        low, high = (float(v) for v in value)
        if low > high:
            raise ValueError(f'{self.where}: `{name}` must be (min, max) with '
                             f'min <= max, got {value!r}')
        if not bound[0] <= low <= high <= bound[1]:
            low, high = max(low, bound[0]), min(high, bound[1])
            warnings.warn(f'{self.where}: `{name}` exceeds {bound}, clipped '
                          f'to ({low}, {high}) as mmpretrain does')
        return None if low == high == center else (low, high)

    def draw(self, num: int, generator: torch.Generator) -> Params:
        # a uniformly random order of the four adjustments per image
        params = dict(
            order=torch.rand(num, 4, generator=generator).argsort(dim=1))
        for name, bounds in self.ranges.items():
            if bounds is not None:
                params[name] = _uniform(num, *bounds, generator)
        return params

    def transform(self, img: Tensor, params: Params, channel_order: str,
                  quantize: bool) -> Tensor:
        order = params['order']
        for step in range(order.shape[1]):
            for index, name in enumerate(self.NAMES):
                chosen = order[:, step] == index
                if name not in params or not bool(chosen.any()):
                    continue
                img[chosen] = self._adjust(name, img[chosen],
                                           params[name][chosen], channel_order,
                                           quantize)
        return img

    @staticmethod
    def _adjust(name: str, img: Tensor, factor: Tensor, channel_order: str,
                quantize: bool) -> Tensor:
        if name == 'brightness':
            return photometric.adjust_brightness(img, factor, quantize)
        function = dict(
            contrast=photometric.adjust_contrast,
            saturation=photometric.adjust_saturation,
            hue=photometric.adjust_hue)[name]
        return function(img, factor, channel_order, quantize)


class RandomGrayscale(BatchedAugment):
    """mmcv's ``RandomGrayscale`` with ``keep_channels=True``."""
    KEYS = ('prob', 'keep_channels', 'channel_weights', 'color_format')

    def __init__(self,
                 where: str,
                 prob: float = 0.1,
                 keep_channels: bool = False,
                 channel_weights: Sequence[float] = (1., 1., 1.),
                 color_format: str = 'bgr') -> None:
        super().__init__(where, prob)
        if not keep_channels:
            raise ValueError(f'{where}: `keep_channels` must be True (a '
                             'batch keeps its channels)')
        if color_format not in ('bgr', 'rgb'):
            raise ValueError(f"{where}: `color_format` must be 'bgr' or "
                             f"'rgb', got {color_format!r}")
        weights = torch.tensor(channel_weights, dtype=torch.float64)
        if weights.ndim != 1 or bool((weights < 0).any()) or \
                float(weights.sum()) <= 0:
            raise ValueError(f'{where}: `channel_weights` must be non '
                             f'negative with a positive sum, got '
                             f'{channel_weights!r}')
        self.channel_weights = weights

    def transform(self, img: Tensor, params: Params, channel_order: str,
                  quantize: bool) -> Tensor:
        if img.shape[1] != len(self.channel_weights):
            raise ValueError(f'{self.where}: {len(self.channel_weights)} '
                             f'`channel_weights` for {img.shape[1]} channels')
        return photometric.grayscale(img, self.channel_weights, quantize)


class _MagnitudeAugment(BatchedAugment):
    """A transform of mmpretrain's ``BaseAugTransform`` family: a fixed
    magnitude (the key ``MAGNITUDE``) or one drawn from
    ``magnitude_range``."""
    MAGNITUDE = ''
    KEYS = ('prob', 'magnitude_range', 'magnitude_std', 'magnitude_level',
            'total_level')

    def __init__(self,
                 where: str,
                 prob: float = 0.5,
                 magnitude_range: Optional[Sequence[float]] = None,
                 magnitude_std: Union[str, float] = 0.,
                 magnitude_level: float = 10,
                 total_level: float = 10,
                 **fixed: float) -> None:
        super().__init__(where, prob)
        fixed = fixed.get(self.MAGNITUDE)
        if (fixed is None) == (magnitude_range is None):
            raise ValueError(f'{where}: give exactly one of '
                             f'`{self.MAGNITUDE}` and `magnitude_range`')
        if fixed is not None and not fixed >= 0:
            raise ValueError(f'{where}: `{self.MAGNITUDE}` must be non '
                             f'negative, got {fixed}')
        if magnitude_range is not None and (len(magnitude_range) != 2
                                            or min(magnitude_range) < 0):
            raise ValueError(f'{where}: `magnitude_range` must be two non '
                             f'negative numbers, got {magnitude_range!r}')
        if not (magnitude_std == 'inf'
                or isinstance(magnitude_std, numbers.Real)):
            raise ValueError(f"{where}: `magnitude_std` must be 'inf' or a "
                             f'number, got {magnitude_std!r}')
        if not 0 <= magnitude_level <= total_level or total_level <= 0:
            raise ValueError(f'{where}: `magnitude_level` must lie in [0, '
                             f'`total_level`], got {magnitude_level} of '
                             f'{total_level}')
        self.fixed = fixed
        self.magnitude_range = magnitude_range
        self.magnitude_std = magnitude_std
        self.magnitude_level = magnitude_level
        self.total_level = total_level

    def draw(self, num: int, generator: torch.Generator) -> Params:
        """Magnitudes as ``BaseAugTransform.random_magnitude`` draws them."""
        if self.fixed is not None:
            magnitude = torch.full((num, ),
                                   float(self.fixed),
                                   dtype=torch.float64)
            return {self.MAGNITUDE: magnitude}
        level = torch.full((num, ),
                           float(self.magnitude_level),
                           dtype=torch.float64)
        if self.magnitude_std == 'inf':
            level = _uniform(num, 0., self.magnitude_level, generator)
        elif self.magnitude_std > 0:
            noise = torch.randn(num, generator=generator, dtype=torch.float64)
            level = (level + self.magnitude_std * noise).clamp(
                0, self.total_level)
        low, high = self.magnitude_range
        magnitude = level / self.total_level * (high - low) + low
        return {self.MAGNITUDE: magnitude}


class GaussianBlur(_MagnitudeAugment):
    """mmpretrain's ``GaussianBlur``: Pillow's Gaussian of standard
    deviation ``radius``."""
    MAGNITUDE = 'radius'
    KEYS = _MagnitudeAugment.KEYS + (MAGNITUDE, )

    def transform(self, img: Tensor, params: Params, channel_order: str,
                  quantize: bool) -> Tensor:
        return photometric.gaussian_blur(img, params['radius'], quantize)


class Solarize(_MagnitudeAugment):
    """mmpretrain's ``Solarize``: invert the pixels at or above ``thr``."""
    MAGNITUDE = 'thr'
    KEYS = _MagnitudeAugment.KEYS + (MAGNITUDE, )

    def transform(self, img: Tensor, params: Params, channel_order: str,
                  quantize: bool) -> Tensor:
        return photometric.solarize(img, params['thr'])


class RandomApply(BatchedAugment):
    """mmcv's ``RandomApply``: its transforms, in turn, with probability
    ``prob`` per image."""
    KEYS = ('transforms', 'prob')

    def __init__(self,
                 where: str,
                 transforms: Sequence[dict] = (),
                 prob: float = 0.5) -> None:
        super().__init__(where, prob)
        if isinstance(transforms, dict):
            transforms = [transforms]
        if not transforms:
            raise ValueError(f'{where}: `transforms` is empty')
        self.transforms = [
            build_augment(cfg, f'{where}.transforms[{i}]')
            for i, cfg in enumerate(transforms)
        ]

    def draw(self, num: int, generator: torch.Generator) -> Params:
        return dict(
            transforms=[t.sample(num, generator) for t in self.transforms])

    def transform(self, img: Tensor, params: Params, channel_order: str,
                  quantize: bool) -> Tensor:
        for augment, own in zip(self.transforms, params['transforms']):
            img = augment(img, own, channel_order, quantize)
        return img


AUGMENTS = {
    cls.__name__: cls
    for cls in (ColorJitter, RandomGrayscale, GaussianBlur, Solarize,
                RandomApply)
}


def build_augment(cfg: dict, where: str) -> BatchedAugment:
    """Build one augmentation from an mmpretrain transform config.

    Args:
        cfg (dict): The transform's config, e.g. ``dict(type='ColorJitter',
            brightness=0.8)``.
        where (str): Where the config sits, for error messages.

    Returns:
        BatchedAugment: The augmentation.

    Raises:
        ValueError: For an unknown ``type`` or key, or a bad value; the
            message names the key.
    """
    cfg = dict(cfg)
    kind = str(cfg.pop('type', None)).split('.')[-1]
    if kind not in AUGMENTS:
        raise ValueError(f'{where}: unknown `type` {kind!r}; supported: '
                         f'{sorted(AUGMENTS)}')
    where = f'{where} ({kind})'
    unknown = sorted(set(cfg) - set(AUGMENTS[kind].KEYS))
    if unknown:
        raise ValueError(f'{where}: unknown key(s) {unknown}; '
                         f'{kind} takes {list(AUGMENTS[kind].KEYS)}')
    return AUGMENTS[kind](where, **cfg)


def build_augments(cfgs: Sequence[dict],
                   where: str = 'augments') -> List[BatchedAugment]:
    """Build a list of augmentations, in order (see :func:`build_augment`).
    """
    return [build_augment(cfg, f'{where}[{i}]') for i, cfg in enumerate(cfgs)]

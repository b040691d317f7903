# Copyright (c) grass_mm contributors. All rights reserved.
"""The base of the batched photometric augmentations: parameters drawn per
image, applied to the images they select."""
import numbers
from typing import Dict, Tuple, Union

import torch
from torch import Tensor

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


def draw_uniform(num: int, low: float, high: float,
                 generator: torch.Generator) -> Tensor:
    """``num`` draws uniform in ``[low, high)``, float64, on the CPU."""
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

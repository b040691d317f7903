# Copyright (c) grass_mm contributors. All rights reserved.
from typing import List, Optional, Sequence

import numpy as np
import torch
from mmengine.dist import get_rank
from mmpretrain.models.utils import SelfSupDataPreprocessor
from mmpretrain.registry import MODELS
from torch import Tensor

from ..utils.batched_photometric import CHANNEL_ORDERS
from .photometric_augments import Params, build_augments, take, to_device

# Keeps this stream apart from the others seeded from the same run seed
# (e.g. GraSS's random-box stream).
STREAM_KEY = 0x70686f746f  # 'photo'


def stream_seed(base: int, rank: int) -> int:
    """The seed of a rank's augmentation stream.

    Args:
        base (int): The run's seed, non negative.
        rank (int): The process's rank.

    Returns:
        int: A 63-bit seed, different for each ``(base, rank)``.
    """
    sequence = np.random.SeedSequence([int(base), int(rank), STREAM_KEY])
    return int(sequence.generate_state(1, np.uint64)[0] >> np.uint64(1))


@MODELS.register_module()
class PhotometricAugDataPreprocessor(SelfSupDataPreprocessor):
    """SelfSupDataPreprocessor that also colour-augments the views.

    Applies the photometric view augmentations of `GraSS
    <https://arxiv.org/abs/2306.15868>`_ (SimCLR's colour jitter, grey
    scale and blur) to whole batches on the training device, instead of
    one view at a time on the data workers. ``augments`` lists mmpretrain
    transform configs with their usual keys and meanings (``RandomApply``,
    ``ColorJitter``, ``RandomGrayscale``, ``GaussianBlur``, ``Solarize``),
    so the photometric end of a view pipeline moves here unchanged.

    In training only (``training=True``), each view of the batch is
    augmented, in the channel order the images were loaded in
    (``channel_order``), before the channel conversion and the
    normalisation; every image draws its own parameters, from the same
    distributions as the CPU transforms, including ``ColorJitter``'s random
    order of its four adjustments. With ``quantize=True`` each step rounds
    as the uint8 CPU transform stores its result, so every step but the hue
    reproduces it exactly (see
    :mod:`~grass_mm.models.utils.batched_photometric`). Evaluation batches
    pass through as in :class:`SelfSupDataPreprocessor`.

    Parameters are drawn on the CPU from one ``torch.Generator`` per
    process, seeded on first use from ``seed`` (or, when None, torch's
    initial seed, which mmengine sets from ``randomness.seed``) and the
    process's rank, so ranks augment differently and a run repeats from its
    seed. The stream is not checkpointed: a resumed run starts it afresh.

    With :class:`~grass_mm.models.GraSS` this is the wrapped algorithm's
    preprocessor. ``train_step`` calls it once per step: the guide pass and
    the crops of the GS stage both come from those augmented views, and the
    crops are not augmented again, as with the CPU pipeline.
    ``GraSSVisualizationHook`` preprocesses the coming batch itself and then
    restores the stream, so it draws the views that the step trains on and
    leaves the step's draws unchanged; any other code that calls the
    preprocessor in training mode advances the stream.

    Args:
        augments (Sequence[dict]): mmpretrain transform configs, applied in
            order. Defaults to () (no augmentation).
        channel_order (str): Channel order of the inputs, ``'bgr'`` (as
            OpenMMLab loads images, and as the CPU transforms assume) or
            ``'rgb'``. Defaults to 'bgr'.
        quantize (bool): Round after each step as the uint8 CPU transforms
            do. Defaults to True.
        seed (int, optional): Base seed of the stream. Defaults to None.
        chunk_size (int, optional): Augment this many images at a time.
            The parameters of the whole batch are drawn first, so the result
            does not depend on it; on a CPU, chunks of a few 224 x 224
            images stay in cache and run about twice as fast as 64 at once.
            Defaults to None (the whole batch at once).
        **kwargs: The arguments of :class:`SelfSupDataPreprocessor`
            (``mean``, ``std``, ``to_rgb``, ...).

    Example:
        >>> data_preprocessor = dict(
        ...     type='PhotometricAugDataPreprocessor',
        ...     mean=[123.675, 116.28, 103.53],
        ...     std=[58.395, 57.12, 57.375],
        ...     to_rgb=True,
        ...     augments=[
        ...         dict(type='RandomApply', prob=0.8, transforms=[
        ...             dict(type='ColorJitter', brightness=0.8,
        ...                  contrast=0.8, saturation=0.8, hue=0.2)]),
        ...         dict(type='RandomGrayscale', prob=0.2,
        ...              keep_channels=True,
        ...              channel_weights=(0.114, 0.587, 0.2989)),
        ...         dict(type='GaussianBlur', magnitude_range=(0.1, 2.0),
        ...              magnitude_std='inf', prob=0.5),
        ...     ])
    """

    def __init__(self,
                 augments: Sequence[dict] = (),
                 channel_order: str = 'bgr',
                 quantize: bool = True,
                 seed: Optional[int] = None,
                 chunk_size: Optional[int] = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if channel_order not in CHANNEL_ORDERS:
            raise ValueError('PhotometricAugDataPreprocessor: '
                             f'`channel_order` must be one of '
                             f'{CHANNEL_ORDERS}, got {channel_order!r}')
        if chunk_size is not None and not (isinstance(chunk_size, int)
                                           and chunk_size >= 1):
            raise ValueError('PhotometricAugDataPreprocessor: `chunk_size` '
                             f'must be an integer >= 1, got {chunk_size!r}')
        self.augments = build_augments(
            augments, 'PhotometricAugDataPreprocessor: augments')
        self.channel_order = channel_order
        self.quantize = quantize
        self.seed = seed
        self.chunk_size = chunk_size
        self._generator: Optional[torch.Generator] = None

    @property
    def generator(self) -> torch.Generator:
        """This process's CPU stream of parameters, seeded on first use."""
        if self._generator is None:
            base = torch.initial_seed() if self.seed is None else self.seed
            self._generator = torch.Generator()
            self._generator.manual_seed(stream_seed(base, get_rank()))
        return self._generator

    def sample(self, num: int) -> List[Params]:
        """Draw the parameters of every augmentation for ``num`` images.

        Args:
            num (int): Number of images.

        Returns:
            list[dict]: One dict of CPU tensors per augmentation.
        """
        return [
            augment.sample(num, self.generator) for augment in self.augments
        ]

    def augment(self, views: Tensor) -> Tensor:
        """Augment one batch of views with freshly drawn parameters.

        Args:
            views (Tensor): Images, (N, C, H, W), values in 0..255, in
                ``channel_order``.

        Returns:
            Tensor: The augmented views in float32, same shape and device.
        """
        img = views.float()
        params = [to_device(p, img.device) for p in self.sample(len(img))]
        size = self.chunk_size or max(len(img), 1)
        chunks = []
        for start in range(0, len(img), size):
            chunk = img[start:start + size]
            index = torch.arange(start, start + len(chunk))
            for augment, own in zip(self.augments, params):
                own = own if len(chunk) == len(img) else take(own, index)
                chunk = augment(chunk, own, self.channel_order, self.quantize)
            chunks.append(chunk)
        return torch.cat(chunks) if chunks else img

    def forward(self, data: dict, training: bool = False) -> dict:
        """Augment (in training), then convert channels and normalise.

        Args:
            data (dict): A batch from the dataloader (``default_collate``).
            training (bool): Whether to augment. Defaults to False.

        Returns:
            dict: ``inputs`` (a list of views or a tensor) and
            ``data_samples``, as :class:`SelfSupDataPreprocessor` returns.
        """
        if training and self.augments:
            data = self.cast_data(data)
            inputs = data['inputs']
            inputs = [self.augment(v) for v in inputs] if isinstance(
                inputs, list) else self.augment(inputs)
            data = dict(data, inputs=inputs)
        return super().forward(data, training)

# Copyright (c) grass_mm contributors. All rights reserved.
import os
import os.path as osp
from typing import List, Optional, Sequence, Union

import numpy as np
from mmengine.dataset import BaseDataset
from mmengine.logging import print_log
from mmpretrain.registry import DATASETS

from .raster_io import (IMAGE_SUFFIXES, SUPPORTED_DTYPES, ImageReadError,
                        RasterInfo, check_bit_depth, read_raster,
                        read_raster_info, to_uint8, undeclared_depth_message)
from .tiling import tile_windows


@DATASETS.register_module()
class RSIPatchDataset(BaseDataset):
    """Unlabelled remote-sensing images served as patches for pretraining.

    The unlabelled training imagery of
    `GraSS <https://arxiv.org/abs/2306.15868>`_: every image file (PNG, JPEG,
    TIFF/GeoTIFF) under ``data_root/data_prefix``, searched recursively in
    sorted order, either whole or as a grid of ``patch_size`` windows with
    step ``stride`` (see :func:`~grass_mm.datasets.tile_windows`; the last
    row and column are flush with the image edge). A large orthophoto is
    never cut into files first: each sample reads its window only, which
    for a TIFF decodes only the strips or tiles under it.

    The dataset puts the pixels into ``results['img']`` (with ``img_path``,
    ``window``, ``img_shape`` and ``ori_shape``) before the pipeline runs, so
    the pipeline has no loading transform: ``MultiView`` and ``PackInputs``
    of mmpretrain follow directly.

    Bands and bit depth:

    - ``bands`` picks 0-based bands of the file, listed in R, G, B order;
      the default ``(0, 1, 2)`` is RGB for Potsdam's ``*_RGB.tif`` and
      4-band ``*_RGBIR.tif`` alike, and the IR-R-G false colour for
      ``*_IRRG.tif`` and Vaihingen. The output is BGR like mmcv's
      ``LoadImageFromFile`` (``channel_order='bgr'``), which the
      ``to_rgb=True`` of the data preprocessor turns back.
    - 16-bit images are scaled to 8 bits per pixel with
      ``round(x * 255 / (2 ** bit_depth - 1))`` (see
      :func:`~grass_mm.datasets.to_uint8`). A 16-bit file does not say how
      many bits its data uses (12-bit sensors store 0..4095 in it), so
      ``bit_depth`` must be given when any image is 16-bit: a folder with a
      16-bit image and no ``bit_depth`` is refused when the dataset is
      built, naming the file, and a value above the declared range is an
      error naming the file and window (never clipped). 8-bit images pass
      unchanged; other data types are refused.

    Bad files: every image is checked when the dataset is built (it can be
    opened, is not empty, has a supported type, enough bands and at least
    ``patch_size`` pixels a side); a decoding failure while training names
    the file and window. By default the first problem stops with an
    :class:`~grass_mm.datasets.ImageReadError`. With ``skip_bad_files=True``
    every file is instead decoded in full once at build time, the bad ones
    are left out, and a warning gives how many of how many were skipped and
    why, so the dataset's length is known before training and never shrinks
    silently.

    Args:
        data_root (str): Root folder of the dataset. Defaults to ''.
        data_prefix (str | dict): Image folder under ``data_root``, as a
            string or ``dict(img_path=...)``. Defaults to ''.
        patch_size (int, optional): Side of the square windows in pixels.
            Defaults to None (one sample per whole image).
        stride (int, optional): Step between windows in pixels. Defaults to
            None (``patch_size``, windows that do not overlap).
        bands (Sequence[int]): 0-based bands of the file to use, in R, G, B
            order. Defaults to (0, 1, 2).
        num_bands (int, optional): Number of bands every image must have.
            Defaults to None (at least ``max(bands) + 1``).
        bit_depth (int, optional): Bits of the data in 16-bit images, 1 to
            16 (e.g. 12 for 12-bit data stored in 16-bit files, 16 for the
            full range). Defaults to None (only 8-bit images accepted).
        channel_order (str): ``'bgr'`` (reverse ``bands``, as OpenMMLab's
            loaders) or ``'rgb'`` (as listed). Defaults to 'bgr'.
        suffixes (Sequence[str]): File name endings taken as images,
            case-insensitive. Defaults to
            ('.png', '.jpg', '.jpeg', '.tif', '.tiff').
        skip_bad_files (bool): Leave out unreadable images (checked in full
            at build time) instead of stopping. Defaults to False.
        **kwargs: Other arguments of :class:`mmengine.dataset.BaseDataset`
            (``pipeline``, ``test_mode``, ``lazy_init``, ...).

    Example:
        >>> train_dataloader = dict(
        ...     dataset=dict(
        ...         type='RSIPatchDataset',
        ...         data_root='data/potsdam/',
        ...         data_prefix='pretrain/',
        ...         patch_size=512,
        ...         stride=512,
        ...         bands=(0, 1, 2),
        ...         pipeline=[
        ...             dict(type='MultiView', num_views=2,
        ...                  transforms=[view_pipeline]),
        ...             dict(type='PackInputs')
        ...         ]))
    """

    def __init__(self,
                 data_root: str = '',
                 data_prefix: Union[str, dict] = '',
                 patch_size: Optional[int] = None,
                 stride: Optional[int] = None,
                 bands: Sequence[int] = (0, 1, 2),
                 num_bands: Optional[int] = None,
                 bit_depth: Optional[int] = None,
                 channel_order: str = 'bgr',
                 suffixes: Sequence[str] = IMAGE_SUFFIXES,
                 skip_bad_files: bool = False,
                 **kwargs) -> None:
        if isinstance(data_prefix, str):
            data_prefix = dict(img_path=data_prefix)
        if patch_size is None and stride is not None:
            raise ValueError('RSIPatchDataset: `stride` needs a `patch_size`')
        bands = tuple(int(b) for b in bands)
        if not bands or min(bands) < 0:
            raise ValueError('RSIPatchDataset: `bands` must be 0-based band '
                             f'indices, got {bands}')
        if num_bands is not None and max(bands) >= num_bands:
            raise ValueError(f'RSIPatchDataset: bands {bands} do not exist in '
                             f'images of num_bands={num_bands}')
        if channel_order not in ('bgr', 'rgb'):
            raise ValueError("RSIPatchDataset: channel_order must be 'bgr' or "
                             f"'rgb', got {channel_order!r}")
        if bit_depth is not None:
            try:
                check_bit_depth(bit_depth)
            except ValueError as error:
                raise ValueError(f'RSIPatchDataset: {error}') from None
        self.patch_size = patch_size
        self.stride = patch_size if stride is None else stride
        self.bands = bands
        self.num_bands = num_bands
        self.bit_depth = bit_depth
        self.channel_order = channel_order
        self.suffixes = tuple(s.lower() for s in suffixes)
        self.skip_bad_files = skip_bad_files
        self.num_skipped_files = 0
        super().__init__(
            data_root=data_root, data_prefix=data_prefix, **kwargs)

    def _list_images(self, img_dir: str) -> List[str]:
        """Image files under ``img_dir``, recursively, sorted."""
        if not osp.isdir(img_dir):
            raise FileNotFoundError(f'RSIPatchDataset: image folder {img_dir} '
                                    'does not exist')
        paths = []
        for folder, _, files in os.walk(img_dir, followlinks=True):
            paths.extend(
                osp.join(folder, name) for name in files
                if name.lower().endswith(self.suffixes))
        if not paths:
            raise FileNotFoundError(
                f'RSIPatchDataset: no image files ({", ".join(self.suffixes)})'
                f' under {img_dir}')
        return sorted(paths)

    def _check_image(self, path: str) -> RasterInfo:
        """Check one image against the settings, raising ImageReadError."""
        info = read_raster_info(path)
        if info.dtype not in SUPPORTED_DTYPES:
            raise ImageReadError(f'{path}: data type {info.dtype}; expected '
                                 f'one of {", ".join(SUPPORTED_DTYPES)}')
        if info.dtype == 'uint16' and self.bit_depth is None:
            raise ImageReadError(undeclared_depth_message(path))
        if self.num_bands is not None and info.bands != self.num_bands:
            raise ImageReadError(f'{path}: has {info.bands} band(s); expected '
                                 f'num_bands={self.num_bands}')
        if info.bands <= max(self.bands):
            raise ImageReadError(
                f'{path}: has {info.bands} band(s); bands {self.bands} need '
                f'at least {max(self.bands) + 1}')
        if self.patch_size is not None and min(info.height,
                                               info.width) < self.patch_size:
            raise ImageReadError(
                f'{path}: is {info.height} x {info.width} pixels; expected '
                f'at least patch_size={self.patch_size} a side')
        if self.skip_bad_files:
            read_raster(path, bands=self.bands)  # decode it all once
        return info

    def load_data_list(self) -> List[dict]:
        """One entry ``dict(img_path, window)`` per patch of every image.

        Returns:
            list[dict]: The patches, image by image, rows first.
        """
        img_dir = self.data_prefix['img_path']
        paths = self._list_images(img_dir)
        data_list, skipped = [], []
        for path in paths:
            try:
                info = self._check_image(path)
            except ImageReadError as error:
                if not self.skip_bad_files:
                    raise
                skipped.append(str(error))
                continue
            if self.patch_size is None:
                windows = [(0, 0, info.height, info.width)]
            else:
                windows = tile_windows(info.height, info.width,
                                       self.patch_size, self.stride)
            data_list.extend(
                dict(img_path=path, window=window) for window in windows)
        self.num_skipped_files = len(skipped)
        if skipped:
            print_log(
                f'RSIPatchDataset: skipped {len(skipped)} of {len(paths)} '
                f'image files under {img_dir} (skip_bad_files=True):\n  ' +
                '\n  '.join(skipped),
                logger='current',
                level=30)  # logging.WARNING
        if not data_list:
            raise ImageReadError(f'RSIPatchDataset: none of the {len(paths)} '
                                 f'image files under {img_dir} is usable')
        return data_list

    def read_patch(self, img_path: str, window: Sequence[int]) -> np.ndarray:
        """Read one window as an 8-bit ``(H, W, len(bands))`` array.

        Args:
            img_path (str): Image file.
            window (Sequence[int]): ``(y0, x0, y1, x1)``, half-open.

        Returns:
            np.ndarray: uint8 pixels in ``channel_order``.
        """
        # GDAL hands the bands over in the order asked: no flip afterwards
        bands = self.bands[::-1] if self.channel_order == 'bgr' else self.bands
        pixels = read_raster(img_path, window, bands)
        if pixels.dtype.name not in SUPPORTED_DTYPES:
            raise ImageReadError(f'{img_path}: data type {pixels.dtype}; '
                                 f'expected one of {SUPPORTED_DTYPES}')
        if pixels.dtype == np.uint8:
            return pixels
        if self.bit_depth is None:
            raise ImageReadError(undeclared_depth_message(img_path))
        try:
            return to_uint8(pixels, self.bit_depth)
        except ValueError as error:
            raise ImageReadError(f'{img_path}: window {tuple(window)} '
                                 f'{error}') from None

    def prepare_data(self, idx: int) -> dict:
        """Read the idx-th patch into ``img`` and run the pipeline.

        Args:
            idx (int): Index of the patch.

        Returns:
            dict: The pipeline's output.
        """
        results = self.get_data_info(idx)
        img = self.read_patch(results['img_path'], results['window'])
        results.update(
            img=img, img_shape=img.shape[:2], ori_shape=img.shape[:2])
        return self.pipeline(results)

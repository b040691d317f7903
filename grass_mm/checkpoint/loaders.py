# Copyright (c) grass_mm contributors. All rights reserved.
"""mmengine checkpoint loaders that unpickle with ``weights_only=True``.

Every checkpoint mmengine reads, for ``load_from``, ``resume``, the
``Pretrained`` initialiser (mmseg's and mmpretrain's ``init_cfg``) and
:class:`~grass_mm.models.StrictPretrainedInit`, goes through
``mmengine.runner.CheckpointLoader``, which picks a loader by the path's
scheme. mmengine 0.10's http(s) loader, and the ``torchvision://``,
``open-mmlab://`` and ``mmcls://`` loaders built on it, unpickle with
torch.hub's default ``weights_only=False``, so a checkpoint served over
http runs any code it carries; the others rely on torch's default. Through
``CheckpointLoader.register_scheme``, the extension point mmengine provides,
:func:`register_safe_checkpoint_loaders` replaces each of mmengine's
loaders with one that resolves and downloads exactly as mmengine does
(torch.hub's cache, ``<hub dir>/checkpoints/<file name>``) and unpickles
with :func:`~grass_mm.checkpoint.load_weights_only`. ``pavi://``, whose client
grass_mm cannot exercise, is refused.
"""
import io
import logging
import os
import os.path as osp
from typing import Any, Optional
from urllib.parse import urlparse

import torch
from mmengine.dist import get_dist_info
from mmengine.fileio import get_file_backend
from mmengine.logging import print_log
from mmengine.runner import CheckpointLoader
# mmengine's own resolution of model-zoo names, so ``open-mmlab://`` and
# ``mmcls://`` name the same files and the same cache as without grass_mm.
from mmengine.runner.checkpoint import (_get_mmengine_home,
                                        _process_mmcls_checkpoint,
                                        get_deprecated_model_names,
                                        get_external_models, get_mmcls_models,
                                        get_torchvision_models)

from .safe_load import (MapLocation, UnsafeCheckpointError, check_allow_list,
                        load_weights_only, name_refusals)

__all__ = [
    'SAFE_CHECKPOINT_LOADERS', 'load_from_ceph', 'load_from_http',
    'load_from_local', 'load_from_mmcls', 'load_from_openmmlab',
    'load_from_pavi', 'load_from_torchvision',
    'register_safe_checkpoint_loaders'
]


def load_from_local(filename: str, map_location: MapLocation = None) -> Any:
    """Load a checkpoint from a local path, weights only.

    Args:
        filename (str): The path; ``~`` is expanded.
        map_location (str | torch.device | dict | Callable, optional): Same
            as for ``torch.load``. Defaults to None.

    Returns:
        Any: The checkpoint.

    Raises:
        FileNotFoundError: When there is no such file.
        UnsafeCheckpointError: When it holds a global outside the
            allow-list.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename} can not be found.')
    return load_weights_only(filename, map_location)


def _download_and_load(url: str, map_location: MapLocation,
                       model_dir: Optional[str], progress: bool) -> Any:
    """torch.hub's download and cache, then a weights-only load."""
    if model_dir is None:
        model_dir = osp.join(torch.hub.get_dir(), 'checkpoints')
    cached_file = osp.join(model_dir, osp.basename(urlparse(url).path))
    check_allow_list()
    with name_refusals(f'{url} (downloaded to {cached_file})'):
        return torch.hub.load_state_dict_from_url(
            url,
            model_dir=model_dir,
            map_location=map_location,
            progress=progress,
            weights_only=True)


def load_from_http(
    filename: str,
    map_location: MapLocation = None,
    model_dir: Optional[str] = None,
    progress: bool = os.isatty(0)) -> Any:
    """Download a checkpoint over http(s) and load it, weights only.

    The file is cached as torch.hub (and so mmengine) caches it, under
    ``model_dir/<file name of the URL>``, and not downloaded again while it
    is there. In a distributed run local rank 0 downloads first.

    Args:
        filename (str): The URL.
        map_location (str | torch.device | dict | Callable, optional): Same
            as for ``torch.load``. Defaults to None.
        model_dir (str, optional): The cache folder. Defaults to
            ``<torch.hub.get_dir()>/checkpoints``.
        progress (bool): Show a download progress bar. Defaults to whether
            standard input is a terminal.

    Returns:
        Any: The checkpoint.

    Raises:
        UnsafeCheckpointError: When it holds a global outside the
            allow-list; the message names the URL and the cached file.
    """
    rank, world_size = get_dist_info()
    if rank == 0:
        checkpoint = _download_and_load(filename, map_location, model_dir,
                                        progress)
    if world_size > 1:
        torch.distributed.barrier()
        if rank > 0:
            checkpoint = _download_and_load(filename, map_location, model_dir,
                                            progress)
    return checkpoint


def load_from_torchvision(filename: str,
                          map_location: MapLocation = None) -> Any:
    """Load a ``torchvision://NAME`` (or ``modelzoo://NAME``) checkpoint.

    The name is looked up in mmengine's table of torchvision weights and
    the URL loaded with :func:`load_from_http`.

    Args:
        filename (str): ``torchvision://`` or ``modelzoo://`` and the name.
        map_location (str | torch.device | dict | Callable, optional): Same
            as for ``torch.load``. Defaults to None.

    Returns:
        Any: The checkpoint.
    """
    scheme, name = filename.split('://', 1)
    if scheme == 'modelzoo':
        print_log(
            'The URL scheme of "modelzoo://" is deprecated, please use '
            '"torchvision://" instead',
            logger='current',
            level=logging.WARNING)
    return load_from_http(get_torchvision_models()[name], map_location)


def load_from_openmmlab(filename: str,
                        map_location: MapLocation = None) -> Any:
    """Load an ``open-mmlab://NAME`` (or ``openmmlab://NAME``) checkpoint.

    The name is resolved as mmengine resolves it (its ``openmmlab.json``,
    updated by ``$MMENGINE_HOME/open_mmlab.json``, deprecated names
    replaced); a URL is loaded with :func:`load_from_http`, anything else
    as a file under ``$MMENGINE_HOME``.

    Args:
        filename (str): ``open-mmlab://`` or ``openmmlab://`` and the name.
        map_location (str | torch.device | dict | Callable, optional): Same
            as for ``torch.load``. Defaults to None.

    Returns:
        Any: The checkpoint.
    """
    scheme, name = filename.split('://', 1)
    deprecated = get_deprecated_model_names()
    if name in deprecated:
        print_log(
            f'{scheme}://{name} is deprecated in favor of '
            f'{scheme}://{deprecated[name]}',
            logger='current',
            level=logging.WARNING)
        name = deprecated[name]
    model_url = get_external_models()[name]
    if model_url.startswith(('http://', 'https://')):
        return load_from_http(model_url, map_location)
    return load_from_local(
        osp.join(_get_mmengine_home(), model_url), map_location)


def load_from_mmcls(filename: str, map_location: MapLocation = None) -> Any:
    """Load an ``mmcls://NAME`` checkpoint and keep its backbone.

    Args:
        filename (str): ``mmcls://`` and a name of mmengine's ``mmcls.json``.
        map_location (str | torch.device | dict | Callable, optional): Same
            as for ``torch.load``. Defaults to None.

    Returns:
        dict: ``{'state_dict': ...}`` with the ``backbone.`` entries,
        without that prefix, as mmengine returns it.
    """
    name = filename.split('://', 1)[1]
    checkpoint = load_from_http(get_mmcls_models()[name], map_location)
    return _process_mmcls_checkpoint(checkpoint)


def load_from_ceph(filename: str,
                   map_location: MapLocation = None,
                   backend: str = 'petrel') -> Any:
    """Load a checkpoint from ``s3://`` or ``petrel://`` storage.

    Args:
        filename (str): The path, read through mmengine's file backend.
        map_location (str | torch.device | dict | Callable, optional): Same
            as for ``torch.load``. Defaults to None.
        backend (str): The file backend. Defaults to 'petrel'.

    Returns:
        Any: The checkpoint.
    """
    file_backend = get_file_backend(
        filename, backend_args=dict(backend=backend))
    with io.BytesIO(file_backend.get(filename)) as buffer:
        return load_weights_only(buffer, map_location, checkpoint=filename)


def load_from_pavi(filename: str, map_location: MapLocation = None) -> Any:
    """Refuse ``pavi://`` checkpoints.

    mmengine's pavi loader downloads through the ``pavi`` client, which
    grass_mm cannot install or test, so it is not replaced by a
    weights-only version but refused.

    Args:
        filename (str): The ``pavi://`` path.
        map_location (str | torch.device | dict | Callable, optional):
            Unused. Defaults to None.

    Raises:
        UnsafeCheckpointError: Always.
    """
    raise UnsafeCheckpointError(
        f'Refused to load checkpoint {filename}: grass_mm does not load '
        "checkpoints through the 'pavi://' scheme, whose mmengine loader "
        'unpickles without weights_only=True. Download the file and pass '
        'its local path instead.')


# Each of mmengine 0.10's schemes (the same prefixes, so registering
# replaces its loader) and grass_mm's loader for it.
SAFE_CHECKPOINT_LOADERS = {
    '': load_from_local,
    'http://': load_from_http,
    'https://': load_from_http,
    'modelzoo://': load_from_torchvision,
    'torchvision://': load_from_torchvision,
    'open-mmlab://': load_from_openmmlab,
    'openmmlab://': load_from_openmmlab,
    'mmcls://': load_from_mmcls,
    r'(\S+\:)?s3://': load_from_ceph,
    r'(\S+\:)?petrel://': load_from_ceph,
    'pavi://': load_from_pavi,
}


def register_safe_checkpoint_loaders() -> None:
    """Register grass_mm's loaders for all of mmengine's schemes.

    Idempotent. Schemes that other packages register later are theirs to
    make safe.
    """
    for prefix, loader in SAFE_CHECKPOINT_LOADERS.items():
        CheckpointLoader.register_scheme(prefix, loader, force=True)

# Copyright (c) grass_mm contributors. All rights reserved.
"""Data-parallel wrapper for distributed runs on CPUs."""
from typing import Any, Optional, Sequence

from mmengine.model import MMDistributedDataParallel, revert_sync_batchnorm
from mmengine.registry import MODEL_WRAPPERS
from torch import nn


@MODEL_WRAPPERS.register_module()
class CPUDistributedDataParallel(MMDistributedDataParallel):
    """``MMDistributedDataParallel`` for processes without a GPU (``gloo``).

    Two things stop mmengine's own wrapper on CPUs: the Runner passes
    ``device_ids=[LOCAL_RANK]``, which DDP refuses for a CPU module, and
    synchronised batch norm has no CPU kernel. This wrapper ignores
    ``device_ids`` and turns every ``SyncBatchNorm`` (torch's or mmcv's) of
    the model into a plain batch norm before wrapping it, including those a
    module builds from a default ``norm_cfg`` that no config mentions (as
    mmpretrain's ``NonLinearNeck`` does). Each process then normalises with
    its own batch statistics.

    :func:`grass_mm.apis.prepare_cpu_distributed` selects it.

    Example:
        >>> model_wrapper_cfg = dict(
        ...     type='CPUDistributedDataParallel',
        ...     broadcast_buffers=False,
        ...     find_unused_parameters=False)

    Args:
        module (nn.Module): The model, on the CPU.
        device_ids (Sequence[int], optional): Ignored: a CPU module is bound
            to no device. Defaults to None.
        **kwargs: Passed to ``MMDistributedDataParallel``, e.g.
            ``broadcast_buffers`` and ``find_unused_parameters``.
    """

    def __init__(self,
                 module: nn.Module,
                 device_ids: Optional[Sequence[int]] = None,
                 **kwargs: Any) -> None:
        kwargs.pop('output_device', None)
        super().__init__(
            module=revert_sync_batchnorm(module), device_ids=None, **kwargs)

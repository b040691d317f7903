# Copyright (c) grass_mm contributors. All rights reserved.
from .cpu_distributed import CPUDistributedDataParallel
from .get_ori_model import get_ori_model

__all__ = ['CPUDistributedDataParallel', 'get_ori_model']

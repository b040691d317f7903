# Copyright (c) grass_mm contributors. All rights reserved.
from .gather import gather_with_grad, get_dist_rank_and_world_size
from .nt_xent import nt_xent_loss

__all__ = ['gather_with_grad', 'get_dist_rank_and_world_size', 'nt_xent_loss']

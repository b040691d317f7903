# Copyright (c) grass_mm contributors. All rights reserved.

__all__ = []

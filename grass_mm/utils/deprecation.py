# Copyright (c) grass_mm contributors. All rights reserved.
"""Keep names that moved to another module importable, with a warning."""
import importlib
import sys
import warnings
from typing import Any, Callable, Mapping


def moved_names(old_module: str,
                new_homes: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that finds moved names in their new home.

    The new module is imported by name when a moved name is first read, so
    a package at the ground floor can point users at a module above it
    without importing it.

    Example:
        >>> # in grass_mm/utils/__init__.py
        >>> __getattr__ = moved_names(
        ...     __name__, {'build_runner': 'grass_mm.apis'})

    Args:
        old_module (str): The module the names used to live in.
        new_homes (Mapping[str, str]): Each moved name and the module that
            holds it now.

    Returns:
        Callable[[str], Any]: The ``__getattr__`` of ``old_module``; it
        warns with a ``DeprecationWarning`` that names the new import and
        raises ``AttributeError`` for any other name.
    """

    def __getattr__(name: str) -> Any:
        if name not in new_homes:
            raise AttributeError(
                f'module {old_module!r} has no attribute {name!r}')
        new_module = new_homes[name]
        value = getattr(importlib.import_module(new_module), name)
        # ``from old import name`` first asks importlib whether the name
        # exists, then reads it in the importing module: warn once, there.
        caller = sys._getframe(1).f_code.co_filename
        if caller.startswith('<frozen importlib'):
            return value
        warnings.warn(
            f'{old_module}.{name} has moved: import it with '
            f'`from {new_module} import {name}`; the old name will be '
            'removed in grass_mm 0.3.',
            DeprecationWarning,
            stacklevel=2)
        return value

    return __getattr__

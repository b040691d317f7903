# Copyright (c) grass_mm contributors. All rights reserved.
"""A registry of functions keyed by class, found through the class
hierarchy (used for the per-algorithm guide losses and embedding readers of
`GraSS <https://arxiv.org/abs/2306.15868>`_)."""
from typing import Callable, Dict, Generic, TypeVar

Func = TypeVar('Func', bound=Callable)


class TypeRegistry(Generic[Func]):
    """Functions registered for classes, looked up for instances.

    Args:
        missing (str): The start of the error raised when nothing is
            registered for an object's class (the class name and the
            supported classes are added), e.g. ``'GraSS cannot wrap'``.
        what (str): What the functions are, e.g. ``'guide loss'``.
        hint (str): The end of that error, e.g. how to register one.
    """

    def __init__(self, missing: str, what: str, hint: str) -> None:
        self._functions: Dict[type, Func] = {}
        self.missing = missing
        self.what = what
        self.hint = hint

    def register(self, cls: type) -> Callable[[Func], Func]:
        """Decorator registering a function for ``cls`` and its subclasses;
        a subclass's own registration wins."""

        def _register(func: Func) -> Func:
            self._functions[cls] = func
            return func

        return _register

    def get(self, obj: object) -> Func:
        """The function of the closest class of ``obj`` in its MRO.

        Raises:
            TypeError: When none of its classes has one.
        """
        for cls in type(obj).__mro__:
            if cls in self._functions:
                return self._functions[cls]
        supported = ', '.join(sorted(c.__name__ for c in self._functions))
        raise TypeError(f'{self.missing} {type(obj).__name__}: no '
                        f'{self.what} is registered for it (supported: '
                        f'{supported}). {self.hint}')

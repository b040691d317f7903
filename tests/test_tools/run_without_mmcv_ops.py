# Copyright (c) grass_mm contributors. All rights reserved.
"""Run a tool with ``mmcv.ops`` made unimportable: a test harness.

The default (onedl) stack installs mmcv without its compiled ops, so
grass_mm, its tools and its configs must not need ``mmcv.ops``. This script
proves it for one run: it installs an import hook that refuses
``mmcv.ops``, every ``mmcv.ops.*`` and ``mmcv._ext``, then runs the tool as
``python TOOL ARGS...`` would. Nothing else of the frameworks is changed.

``mmcv._ext``, the compiled extension, is also marked absent in
``sys.modules`` (Python's own way of blocking a module): then
``importlib.util.find_spec('mmcv._ext')`` returns None, as where mmcv has
no compiled ops, instead of raising. mmengine asks exactly that
(``mmcv_full_available()``) before it uses mmcv's ops.

Usage:
    python tests/test_tools/run_without_mmcv_ops.py TOOL [ARGS...]

e.g. ``python tests/test_tools/run_without_mmcv_ops.py tools/train.py
CONFIG --work-dir DIR``.
"""
import importlib.abc
import importlib.machinery
import os.path as osp
import runpy
import sys
from types import ModuleType
from typing import List, Optional, Sequence

# The modules refused, each with its submodules.
BLOCKED = ('mmcv.ops', 'mmcv._ext')
# The compiled extension, reported absent by importlib.util.find_spec.
EXTENSION = 'mmcv._ext'


def is_blocked(fullname: str) -> bool:
    """Whether the module ``fullname`` is one the harness refuses.

    Args:
        fullname (str): A dotted module name, e.g. ``'mmcv.ops.nms'``.

    Returns:
        bool: True for ``mmcv.ops``, ``mmcv._ext`` and their submodules.
    """
    return any(fullname == name or fullname.startswith(name + '.')
               for name in BLOCKED)


class BlockMmcvOps(importlib.abc.MetaPathFinder):
    """A ``sys.meta_path`` finder that refuses the blocked modules."""

    def find_spec(
        self,
        fullname: str,
        path: Optional[Sequence[str]] = None,
        target: Optional[ModuleType] = None
    ) -> Optional[importlib.machinery.ModuleSpec]:
        """Raise for a blocked module; leave every other to the next finder.

        Raises:
            ModuleNotFoundError: When ``fullname`` is blocked.
        """
        if is_blocked(fullname):
            raise ModuleNotFoundError(
                f'No module named {fullname!r} (blocked by '
                f'{osp.basename(__file__)}: mmcv.ops is not available)',
                name=fullname)
        return None


def install() -> None:
    """Put the finder first on ``sys.meta_path`` and forget blocked modules.

    Blocked modules already imported are dropped from ``sys.modules`` and
    from their parent package's attributes, so that neither ``import
    mmcv.ops`` nor ``from mmcv import ops`` can reach them; ``mmcv._ext``
    is then marked absent (None) in ``sys.modules``.
    """
    for name in [name for name in sys.modules if is_blocked(name)]:
        del sys.modules[name]
        parent, _, child = name.rpartition('.')
        if parent in sys.modules and hasattr(sys.modules[parent], child):
            delattr(sys.modules[parent], child)
    if not any(isinstance(finder, BlockMmcvOps) for finder in sys.meta_path):
        sys.meta_path.insert(0, BlockMmcvOps())
    sys.modules[EXTENSION] = None  # type: ignore[assignment]


def main(argv: Optional[List[str]] = None) -> None:
    """Block ``mmcv.ops`` and run ``argv[0]`` as ``__main__``.

    Args:
        argv (list[str], optional): The tool and its arguments. Defaults to
            None (``sys.argv[1:]``).
    """
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        raise SystemExit(f'usage: python {osp.basename(__file__)} TOOL '
                         '[ARGS...]')
    tool, *args = argv
    install()
    sys.argv = [tool, *args]
    # as `python TOOL` would: the tool's folder first on the import path
    sys.path[0] = osp.dirname(osp.abspath(tool))
    runpy.run_path(tool, run_name='__main__')


if __name__ == '__main__':
    main()

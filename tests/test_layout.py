# Copyright (c) grass_mm contributors. All rights reserved.
"""The package's import graph flows one way, as README's layout map says.

Each subpackage of grass_mm has a floor; a module may import grass_mm code
from its own subpackage and from lower floors only, never from a sibling on
the same floor or from above. The package root (``grass_mm/__init__.py``)
imports everything, to register it.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / 'grass_mm'

# The floor of each subpackage, ground floor first (README, "Layout").
FLOORS = {
    'version': 0,
    'utils': 1,
    'checkpoint': 2,
    'datasets': 3,
    'models': 3,
    'analysis': 4,
    'evaluation': 4,
    'visualization': 5,
    'engine': 6,
    'apis': 7,
}


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix('').parts)
    if parts[-1] == '__init__':
        parts.pop()
    return '.'.join(parts)


def _imported_modules(path: Path, root: Path):
    """The grass_mm modules a file imports, absolute, with line numbers."""
    name = _module_name(path, root)
    package = name if path.name == '__init__.py' else name.rpartition('.')[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split('.')
                base = base[:len(base) - node.level + 1]
                target = '.'.join(base +
                                  ([node.module] if node.module else []))
            else:
                target = node.module
            if node.module is None:
                # ``from . import x``: x is a module of that package.
                for alias in node.names:
                    yield f'{target}.{alias.name}', node.lineno
            else:
                yield target, node.lineno


def _subpackage(module: str) -> str:
    parts = module.split('.')
    return parts[1] if len(parts) > 1 else ''


def _import_graph_violations(root: Path = ROOT):
    violations = []
    for path in sorted(root.joinpath('grass_mm').rglob('*.py')):
        module = _module_name(path, root)
        own = _subpackage(module)
        if not own:
            continue  # the package root registers everything
        for target, line in _imported_modules(path, root):
            if target.split('.')[0] != 'grass_mm':
                continue
            other = _subpackage(target)
            if other == own:
                continue
            where = f'{path.relative_to(root)}:{line}'
            if other not in FLOORS:
                violations.append(f'{where} imports {target}, which is '
                                  'not a subpackage with a floor')
            elif FLOORS[other] >= FLOORS[own]:
                violations.append(
                    f'{where}: {own} (floor {FLOORS[own]}) imports {target} '
                    f'(floor {FLOORS[other]})')
    return violations


def test_every_subpackage_has_a_floor():
    on_disk = {
        path.parent.name if path.name == '__init__.py' else path.stem
        for path in PACKAGE.glob('*/__init__.py')
    } | {
        path.stem
        for path in PACKAGE.glob('*.py') if path.stem != '__init__'
    }
    assert on_disk == set(FLOORS)


def test_imports_flow_down_only():
    assert _import_graph_violations() == []


def test_the_check_sees_what_it_must_refuse(tmp_path):
    """The graph check is not vacuous: an import from a higher floor (even
    inside a function, relative or absolute) or from a sibling on the same
    floor is reported with its file and line."""
    models = tmp_path / 'grass_mm' / 'models'
    models.mkdir(parents=True)
    (models / '__init__.py').write_text('from .. import utils\n')
    (models / 'upward.py').write_text(
        'import torch\n\n\ndef f():\n    from ..apis import build_runner\n'
        '    import grass_mm.engine.hooks\n')
    (models / 'sideways.py').write_text('from grass_mm.datasets import x\n')
    assert _import_graph_violations(tmp_path) == [
        'grass_mm/models/sideways.py:1: models (floor 3) imports '
        'grass_mm.datasets (floor 3)',
        'grass_mm/models/upward.py:5: models (floor 3) imports '
        'grass_mm.apis (floor 7)',
        'grass_mm/models/upward.py:6: models (floor 3) imports '
        'grass_mm.engine.hooks (floor 6)',
    ]


@pytest.mark.parametrize('package', sorted(FLOORS))
def test_readme_layout_names_every_subpackage(package):
    layout = ROOT.joinpath('README.md').read_text().split('## Layout')[1]
    layout = layout.split('\n## ')[0]
    assert f'`{package}' in layout

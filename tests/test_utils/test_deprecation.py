# Copyright (c) grass_mm contributors. All rights reserved.
"""Names that moved in 0.2 still import, with a warning naming their home."""
import importlib

import pytest

MOVED = [
    ('grass_mm.utils', 'build_runner', 'grass_mm.apis'),
    ('grass_mm.utils', 'load_pretraining_model', 'grass_mm.apis'),
    ('grass_mm.utils', 'UnsafeCheckpointError', 'grass_mm.checkpoint'),
    ('grass_mm.utils', 'register_safe_checkpoint_loaders',
     'grass_mm.checkpoint'),
    ('grass_mm.utils', 'CPUDistributedDataParallel', 'grass_mm.models'),
    ('grass_mm.models', 'write_backbone_checkpoint', 'grass_mm.checkpoint'),
    ('grass_mm.visualization', 'load_grass_model', 'grass_mm.apis'),
]


@pytest.mark.parametrize('old, name, new', MOVED)
def test_moved_name_warns_and_is_the_same_object(old, name, new):
    with pytest.warns(DeprecationWarning) as record:
        value = getattr(importlib.import_module(old), name)
    assert value is getattr(importlib.import_module(new), name)
    assert len(record) == 1
    assert f'`from {new} import {name}`' in str(record[0].message)


def test_from_import_warns_once_at_the_importing_line():
    with pytest.warns(DeprecationWarning) as record:
        from grass_mm.utils import build_runner  # noqa: F401
    assert len(record) == 1
    assert record[0].filename == __file__


def test_unknown_name_is_an_attribute_error():
    import grass_mm.utils
    with pytest.raises(AttributeError, match="no attribute 'build_runer'"):
        grass_mm.utils.build_runer


def test_current_names_do_not_warn(recwarn):
    from grass_mm.apis import build_runner  # noqa: F401
    from grass_mm.checkpoint import write_backbone_checkpoint  # noqa: F401
    from grass_mm.utils import check_versions  # noqa: F401
    assert not [w for w in recwarn if w.category is DeprecationWarning]

"""Fixtures of the model tests."""
import pytest
from mmengine.registry import DefaultScope


@pytest.fixture(autouse=True)
def mmpretrain_scope():
    """Build from the registries as mmpretrain's configs do.

    A Runner leaves its default scope current after it ends (mmengine's
    ``DefaultScope`` keeps the latest instance), and a worker process of the
    parallel suite may have run one with another scope just before; each
    test here runs in the ``mmpretrain`` scope, and tests that build mmseg
    models set ``mmseg`` themselves.
    """
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        yield

# Copyright (c) grass_mm contributors. All rights reserved.
"""Fixtures of the dataset tests; the archive factories are in factories.py."""
import pytest

from .factories import make_potsdam


@pytest.fixture(scope='module')
def potsdam_archives(tmp_path_factory) -> tuple:
    root = tmp_path_factory.mktemp('potsdam_archives')
    return root, make_potsdam(root)

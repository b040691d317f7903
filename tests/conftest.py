"""Fixtures shared by every test package."""
import socket
from typing import Callable

import pytest


def _unused_loopback_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.fixture
def free_port() -> Callable[[], int]:
    """A function that returns a loopback TCP port nobody listens on right
    now (a new one per call), for a process group's ``MASTER_PORT``."""
    return _unused_loopback_port

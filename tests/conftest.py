"""Shared fixtures: the stand-in server on a free loopback port (owned by the server helper).

`start_server(**ServerConfig fields)` starts a server and stops it at teardown; `server` is a small
default seeded server. Other helpers may append small fixtures at the end of this file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from lazytinker.server.config import ServerConfig
from lazytinker.server.runner import ServerThread

# Small but complete: other users, public, expiring, corrupted and external checkpoints, samplers.
SMALL_SEED: dict[str, Any] = {"sessions": 6, "runs": 12, "checkpoints_per_run": 8}

StartServer = Callable[..., ServerThread]


@pytest.fixture
def start_server() -> Iterator[StartServer]:
    """Factory: `start_server(port=0, **ServerConfig fields)` -> a running `ServerThread` (on
    `port` when given: a test can bring a server up where an app is already knocking)."""
    started: list[ServerThread] = []

    def start(port: int = 0, **fields: Any) -> ServerThread:
        config = ServerConfig(**{**SMALL_SEED, **fields})
        thread = ServerThread(config, port=port)
        thread.start()
        started.append(thread)
        return thread

    yield start
    for thread in started:
        thread.stop()


@pytest.fixture
def server(start_server: StartServer) -> ServerThread:
    """A default seeded tinker-flavor server accepting `tml-demo` (admin) and `tml-user`."""
    return start_server(api_keys=("tml-demo", "tml-user"))

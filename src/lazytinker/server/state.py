"""What every route needs: the config, the database, the signing secret and the server clock."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field

from fastapi import HTTPException, Request

from lazytinker.api.paths import Flavor
from lazytinker.server.config import ServerConfig
from lazytinker.server.db import Database
from lazytinker.server.seed import now_ms

__all__ = ["Caller", "ServerState", "api_error", "state_of"]


@dataclass(frozen=True)
class Caller:
    """Who sent a request: the owner URN their data is filed under, and whether they are admin."""

    urn: str
    admin: bool


@dataclass
class ServerState:
    """Shared by every request of one app instance."""

    config: ServerConfig
    db: Database
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    _started_wall: float = field(default_factory=time.time)
    _start_ms: int = 0

    def __post_init__(self) -> None:
        self._start_ms = now_ms(self.config.now)

    @property
    def flavor(self) -> Flavor:
        """The SDK flavor this server imitates."""
        return self.config.flavor

    def now_ms(self) -> int:
        """The data clock: the configured `now` moving forward in real time, else the real clock."""
        elapsed = time.time() - self._started_wall
        return self._start_ms + int(elapsed * 1000)


def state_of(request: Request) -> ServerState:
    """The `ServerState` of the app that received `request`."""
    state = request.app.state.lazytinker
    assert isinstance(state, ServerState)
    return state


def api_error(status: int, detail: str) -> HTTPException:
    """An error the handlers turn into `{"detail": ...}` with this status."""
    return HTTPException(status_code=status, detail=detail)

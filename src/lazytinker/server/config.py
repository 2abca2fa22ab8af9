"""The stand-in server's settings: one frozen dataclass shared by the CLI, tests and the demo."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from lazytinker.api.paths import Flavor

__all__ = ["ServerConfig", "ServerFlavor"]

ServerFlavor = Literal["tinker", "hpcai"]


@dataclass(frozen=True)
class ServerConfig:
    """Everything that decides how the stand-in server behaves and what data it is seeded with.

    Keys whose text starts with `tml-user` are accepted as a non-admin member of the same
    account (they browse and manage as usual, but billing and storage usage answer 403).
    """

    api_keys: tuple[str, ...] = ("tml-demo",)
    flavor: Flavor = "tinker"
    db_path: str | None = None
    seed: int = 0
    sessions: int = 8
    runs: int = 30
    checkpoints_per_run: int = 20
    live: bool = False
    # Seconds between two checkpoint saves of a live run (minutes, as real training saves).
    live_interval: float = 150.0
    faults: str = ""
    jwt: bool = False
    now: datetime | None = None
    archive_build_seconds: float = 0.0
    # Lifetime of signed download URLs; a negative value issues already-expired URLs (tests).
    signed_url_ttl: float = 900.0
    # How long a `slow` fault delays its response.
    slow_seconds: float = 1.5
    # Trace exports answer "pending" this many times before they are ready.
    trace_export_polls: int = 1
    # False: `GET …/archive` answers 404, as on a service that has dropped the legacy route.
    archive: bool = True
    # Futures (load_weights, save_weights_external, ...) answer `try_again` this many times first.
    future_pending_polls: int = 0
    # Seconds between two touches of the live runs' `last_request_time` (and metric appends).
    live_touch_interval: float = 5.0
    # Route groups answered as a partial server answers them (`server/partial.py`).
    without: tuple[str, ...] = ()
    # Real-world data quirks to play (`server/quirks.py`).
    quirks: tuple[str, ...] = ()
    # Folder where each live run gets a tinker-cookbook log folder (`server/cookbook_logs.py`).
    cookbook_logs: str | None = None

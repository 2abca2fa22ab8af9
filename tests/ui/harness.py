"""Building the app on a store connected to the stand-in server, and waiting for it to settle."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from textual.pilot import Pilot

from lazytinker.api.client import TinkerAPI
from lazytinker.config import Profile
from lazytinker.local import LocalLogs
from lazytinker.store import Store
from lazytinker.ui.app import LazytinkerApp
from lazytinker.ui.main_screen import MainScreen

# The seed is laid out from this moment and the app's clock is pinned to it, so relative times
# ("3m ago") are the same on every run: snapshots depend on it.
FIXED_NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def profile_for(url: str, *, key: str = "tml-demo", flavor: str = "tinker") -> Profile:
    """A profile for a stand-in server at `url`."""
    return Profile(name="test", flavor=flavor, base_url=url, api_key=key, key_source="test")  # type: ignore[arg-type]


def make_store(
    url: str,
    *,
    key: str = "tml-demo",
    flavor: str = "tinker",
    now: Callable[[], datetime] | None = None,
    refresh: float = 5.0,
    read_only: bool = False,
    local_logs: LocalLogs | None = None,
) -> Store:
    """A store on a fresh client for the server at `url` (following `local_logs`, if given)."""
    return Store(
        TinkerAPI(profile_for(url, key=key, flavor=flavor).target()),
        profile_name="test",
        now=now or (lambda: datetime.now(UTC)),
        refresh=refresh,
        read_only=read_only,
        display_url="http://stand-in.test",
        local_logs=local_logs,
    )


def make_app(store: Store, *, watch: bool = False) -> LazytinkerApp:
    """The app on `store`; the watch is off unless asked (snapshots must not move)."""
    return LazytinkerApp(store, watch=watch)


async def settle(pilot: Pilot[None], ready: Callable[[], bool], *, tries: int = 200) -> None:
    """Let the app run until `ready()` holds (bounded; the test then asserts on state)."""
    for _ in range(tries):
        await pilot.pause(0.05)
        if ready():
            await pilot.pause()
            return
    raise AssertionError("the app never reached the expected state")


def header_settled(screen: MainScreen) -> bool:
    return not getattr(screen.header, "_soon", False)


def runs_counted(screen: MainScreen) -> bool:
    """The runs on screen have their checkpoints counted (their rows and the header show it)."""
    keys = screen.runs.rows_on_screen()
    return bool(keys) and all(screen.store.run_totals.get(k) is not None for k in keys)

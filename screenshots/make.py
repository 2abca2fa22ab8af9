"""Write SVG screenshots of the main views from the demo data: `make screenshots`.

The demo server is seeded from a fixed moment and the app's clock is pinned to it, so the
pictures only change when the app's look does.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from lazytinker.api.client import TinkerAPI
from lazytinker.config import Profile
from lazytinker.server.config import ServerConfig
from lazytinker.server.runner import ServerThread
from lazytinker.store import Store
from lazytinker.ui.app import LazytinkerApp
from lazytinker.ui.main_screen import MainScreen

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SIZE = (160, 44)

Ready = Callable[[MainScreen], bool]
SHOTS: list[tuple[str, tuple[str, ...], Ready]] = [
    ("browse", (), lambda s: s.runs.row_count > 0),
    ("run-checkpoints", ("j", "enter"), lambda s: s.checkpoints.row_count > 0),
    (
        "all-checkpoints",
        ("2", "S", "space", "space", "space"),
        lambda s: s.all_checkpoints.row_count > 0,
    ),
    ("samplers", ("3",), lambda s: s.store.samplers.loaded),
    ("models", ("4",), lambda s: s.store.models.loaded),
    ("storage", ("5",), lambda s: s.store.storage is not None),
    ("billing", ("6",), lambda s: s.store.billing is not None),
    ("zoom", ("j", "enter", "z"), lambda s: s.checkpoints.row_count > 0),
]


async def shoot(url: str, out: Path, name: str, keys: tuple[str, ...], ready: Ready) -> None:
    """Open the app, press `keys`, wait for `ready`, save `name.svg`."""
    profile = Profile(name="demo", flavor="tinker", base_url=url, api_key="tml-demo")
    store = Store(
        TinkerAPI(profile.target()),
        profile_name="demo",
        now=lambda: NOW,
        display_url="http://127.0.0.1",
    )
    # Watching, as the app is every day (the seed holds still: nothing moves between shots).
    app = LazytinkerApp(store, watch=True)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(200):
            await pilot.pause(0.05)
            if store.runs.loaded and store.sessions.loaded:
                break
        for key in keys:
            await pilot.press(key)
        for _ in range(200):
            await pilot.pause(0.05)
            screen = next((s for s in app.screen_stack if isinstance(s, MainScreen)), None)
            if screen is not None and ready(screen):
                break
        await pilot.pause(0.5)
        app.save_screenshot(filename=f"{name}.svg", path=str(out))
    print(f"wrote {out / (name + '.svg')}")


def main(argv: list[str]) -> int:
    """Write every screenshot into the directory named by the first argument."""
    out = Path(argv[0] if argv else "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    with ServerThread(ServerConfig(now=NOW)) as server:
        for name, keys, ready in SHOTS:
            asyncio.run(shoot(server.url, out, name, keys, ready))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

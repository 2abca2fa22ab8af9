"""The app on its event loop: the store's network first, the UI imported meanwhile (issue 19).

The store's start-up (handshake, first runs and sessions, all at once, or their answers from
the requests `cli/first_wave.py` sent even earlier) is under way before Textual and our UI are
imported. The UI is then imported a few modules at a time, the event loop running between
them, so the requests go out and their answers are read while it imports; the app then runs
on that same loop, so it finds the connections open and, often, the first rows already there.
(An import thread did the same with more overhead: it and the loop took turns at the
interpreter lock every few milliseconds.)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import importlib
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from lazytinker.api.early import EarlyRequests
    from lazytinker.config import Profile, Settings
    from lazytinker.config.cleanup import CleanupSettings
    from lazytinker.store import Store
    from lazytinker.store.planner import PlanChoice
    from lazytinker.ui.app import LazytinkerApp

COLLECTOR_WAIT = 5.0
"""Seconds the garbage collector waits for the first screen at the most."""
START_TICKS = 8
"""Turns of the event loop given to the start-up requests before the UI is imported."""
UI_MODULES = (
    "rich.console",
    "rich.text",
    "textual.color",
    "textual.css.tokenize",
    "textual.css.styles",
    "textual.css.model",
    "textual.dom",
    "textual.widget",
    "textual.css.stylesheet",
    "textual._compositor",
    "textual.screen",
    "textual.command",
    "textual.app",
    "textual.widgets._input",
    "textual.containers",
    "lazytinker.store.downloads",
    "lazytinker.ui.table",
    "lazytinker.ui.main_screen",
)
"""What the UI imports, in steps of a few tens of milliseconds, in the order they need each
other. A name that no longer exists is skipped: the last step imports whatever is left."""


def _keymap(keys: dict[str, str]) -> dict[str, str]:
    if not keys:
        return {}
    from lazytinker.ui.keymap import normalise_keymap

    return normalise_keymap(keys)


def run(
    profile: Profile | None,
    settings: Settings,
    args: argparse.Namespace,
    problem: str | None,
    early: EarlyRequests | None = None,
) -> int:
    """Build the app on a new event loop and run it; returns the exit status."""
    from lazytinker.api.errors import ConfigError

    try:
        return asyncio.run(_run_app(profile, settings, args, problem, early))
    except ConfigError as error:  # the CAs to trust could not be loaded (`api/tls.py`)
        from lazytinker.cli.output import refuse

        return refuse("lazytinker", error)


async def _run_app(
    profile: Profile | None,
    settings: Settings,
    args: argparse.Namespace,
    problem: str | None,
    early: EarlyRequests | None,
) -> int:
    app = await build_app(profile, settings, args, problem, early)
    waiter = asyncio.ensure_future(_collect_after_first_screen(app.store))
    try:
        await app.run_async()
    finally:
        waiter.cancel()
        gc.enable()
    return 0 if app.return_code is None else app.return_code


async def _collect_after_first_screen(store: Store | None) -> None:
    """Turn Python's cyclic garbage collector back on once the first screen is painted.

    The start-up (imports, the first pages, the first frame) allocates hundreds of thousands
    of objects that all stay alive: the ~200 collections it triggered found nothing worth
    their ~75 ms of CPU on the path to the first rows (counted with `gc.callbacks`, issue 19).
    Reference counting still frees everything else meanwhile; the peak memory is the same.
    """
    if store is not None:
        # Bounded: a screen that never comes (a problem screen instead) must not keep it off.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(store.after_first_screen(), COLLECTOR_WAIT)
    gc.enable()


async def _import_ui() -> type[LazytinkerApp]:
    """Import Textual, the UI and the download manager a step at a time, letting the event
    loop run between the steps (the start-up's requests and answers go on meanwhile)."""
    for name in UI_MODULES:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
        await asyncio.sleep(0)
    import lazytinker.store.downloads  # noqa: F401  (the app builds its manager next)
    from lazytinker.ui.app import LazytinkerApp

    return LazytinkerApp


async def build_app(
    profile: Profile | None,
    settings: Settings,
    args: argparse.Namespace,
    problem: str | None,
    early: EarlyRequests | None = None,
) -> LazytinkerApp:
    """Start the store's network, import and build the UI meanwhile; the app, ready to run
    on this event loop. `early`: the start-up's first requests, already sent."""
    from lazytinker.api.client import TinkerAPI
    from lazytinker.api.transport import DEADLINE
    from lazytinker.store import Store

    cleanup = _cleanup_of(settings)
    api = store = None
    if profile is not None:
        from lazytinker.local import LocalLogs

        api = TinkerAPI(profile.target(), deadline=args.timeout or DEADLINE, early=early)
        roots = args.logs or settings.local.logs
        store = Store(
            api,
            profile_name=profile.name,
            refresh=args.refresh or settings.ui.refresh,
            read_only=args.read_only or settings.ui.read_only,
            local_logs=LocalLogs(roots) if roots != () else None,
            storage_rate=cleanup.rate_usd_per_gb_month if cleanup is not None else None,
        )
        store.start(screen=True)
        # Let the start-up tasks put their requests on the wire before the imports begin.
        for _ in range(START_TICKS):
            await asyncio.sleep(0)
    app_class = await _import_ui()
    downloads = None
    if api is not None:
        from lazytinker.store.downloads import DownloadManager

        downloads = DownloadManager(api, concurrency=settings.downloads.concurrency)
    app = app_class(
        store,
        problem=problem,
        theme=args.theme or settings.ui.theme,
        keys=_keymap(settings.keys),
        animations=settings.ui.animations and "NO_ANIMATIONS" not in os.environ,
        downloads=downloads,
        download_directory=settings.downloads.directory,
        extract=settings.downloads.extract,
        screenshot_directory=settings.ui.screenshots,
    )
    if cleanup is not None:
        app.plan_choice = cleanup.choice
    app.save_plan = _plan_saver(settings.path)
    return app


def _cleanup_of(settings: Settings) -> CleanupSettings | None:
    """The config's `[cleanup]` table, read; None when it has none. The planner's defaults then
    apply, and the planner (with `config/cleanup.py`) is imported when it first opens, not on
    the way to the first rows (~21 million instructions, ~1% of them)."""
    if settings.cleanup is None:
        return None
    from lazytinker.api.errors import ConfigError
    from lazytinker.config.cleanup import read_cleanup

    try:
        return read_cleanup(settings.cleanup, settings.path)
    except ConfigError:
        return None  # refused in `main` already; a caller that did not ask gets the defaults


def _plan_saver(path: Path | None) -> Callable[[PlanChoice], None] | None:
    """What the planner's "save rules" calls: writes `[cleanup]` into the config file."""
    if path is None:
        return None

    def save(choice: PlanChoice) -> None:
        from lazytinker.config.cleanup import save_cleanup

        save_cleanup(path, choice)

    return save

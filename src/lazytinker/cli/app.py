"""`lazytinker [OPTIONS]`: resolve the profile, build the client and store, and open the app.

The network goes first (issue 19): the store's start-up (handshake, first runs and sessions, all
at once) is under way before Textual and our UI are even imported. The UI is then imported a few
modules at a time, the event loop running between them, so the requests go out and their answers
are read while it imports; the app then runs on that same loop, so it finds the connections open
and, often, the first rows already there. (An import thread did the same with more overhead: it
and the loop took turns at the interpreter lock every few milliseconds.)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import importlib
import os
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from types import ModuleType
from typing import TYPE_CHECKING

from lazytinker import __version__

if TYPE_CHECKING:
    from lazytinker.config import Profile

DEMO_KEY = "tml-demo"
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


def build_parser() -> argparse.ArgumentParser:
    """The app's command-line options."""
    from lazytinker.cli.refusals import OneLineParser

    parser = OneLineParser(
        prog="lazytinker",
        description="A full-screen terminal browser for Tinker-compatible fine-tuning services.",
        epilog="Sub-commands: `lazytinker serve --help`, `lazytinker download --help`.",
    )
    parser.add_argument("--version", action="version", version=f"lazytinker {__version__}")
    parser.add_argument("--profile", metavar="NAME", help="profile of the config file to use")
    parser.add_argument("--base-url", metavar="URL", help="service URL (overrides the profile)")
    parser.add_argument("--flavor", choices=("tinker", "hpcai"), help="service flavor")
    parser.add_argument(
        "--insecure", action="store_true", help="allow plain http:// to a non-loopback host"
    )
    parser.add_argument(
        "--refresh",
        metavar="SECONDS",
        type=_positive_float,
        help="watch interval in seconds (default 5, or ui.refresh in the config)",
    )
    parser.add_argument(
        "--read-only", action="store_true", help="refuse every change (publish, TTL, delete)"
    )
    parser.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=_positive_float,
        help="give up on one API call after this long, retries included (default 60)",
    )
    parser.add_argument("--theme", metavar="NAME", help="Textual theme, e.g. ansi-dark, nord")
    parser.add_argument(
        "--demo", action="store_true", help="open the app on a built-in demo server"
    )
    parser.add_argument(
        "--logs",
        metavar="DIR",
        action="append",
        help="a folder to search for tinker-cookbook log folders (repeatable; default: the "
        "current folder, $TINKER_COOKBOOK_RUNS_DIR or ~/tinker-runs, /tmp/tinker-examples, or "
        "[local] logs in the config)",
    )
    return parser


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.2 <= value <= 3600:
        raise argparse.ArgumentTypeError("must be between 0.2 and 3600 seconds")
    return value


def _demo_profile(url: str) -> Profile:
    from lazytinker.config import Profile

    return Profile(name="demo", flavor="tinker", base_url=url, api_key=DEMO_KEY, key_source="demo")


def _lighten_imports() -> None:
    """Skip imports the app never uses, which sit on the path to the first frame.

    httpx imports its own command-line tool (click, pygments) whenever click is installed,
    as it is beside uvicorn: ~40 ms. pydantic scans every installed package's entry points for
    plugins when it builds its first validator: ~20 ms, and our wire models want no plugins;
    with plugins off, its plugin loader would still import `importlib.metadata` (~13 ms) only
    to return nothing, so it is given a loader that returns nothing at once.
    Measured by `benchmarks/startup.py`.
    """
    if "httpx" not in sys.modules:
        # An empty module: httpx's `from ._main import main` fails and it installs its stub.
        sys.modules.setdefault("httpx._main", ModuleType("httpx._main"))
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    if os.environ["PYDANTIC_DISABLE_PLUGINS"] == "__all__":
        loader = ModuleType("pydantic.plugin._loader")
        loader.get_plugins = lambda: ()  # type: ignore[attr-defined]
        sys.modules.setdefault("pydantic.plugin._loader", loader)


def main(argv: Sequence[str]) -> int:
    """Run the app; returns the process exit status."""
    args = build_parser().parse_args(list(argv))
    gc.disable()  # until the first screen is painted: see `_collect_after_first_screen`
    try:
        return _launch(args)
    finally:
        gc.enable()  # a refusal, an early error, the app's end: never left off


def _launch(args: argparse.Namespace) -> int:
    _lighten_imports()
    from lazytinker.api.errors import ConfigError
    from lazytinker.cli.output import refuse
    from lazytinker.config import load_settings, resolve_profile

    # Every refusal of the configuration is one line on stderr, before any full-screen UI.
    problem: str | None = None
    try:
        settings = load_settings()
    except ConfigError as error:
        return refuse("lazytinker", error)
    if settings.keys:
        from lazytinker.ui.keymap import check_keymap

        for found in check_keymap(settings.keys)[:1]:
            line = settings.key_lines.get(found.binding_id)
            where = f"{settings.path}:{line}" if line else str(settings.path)
            return refuse("lazytinker", f"{where} [keys]: {found.message}")
    from lazytinker.cli.refusals import logs_problem, theme_problem

    bad = theme_problem(args.theme, settings.ui.theme, settings.path) or logs_problem(args.logs)
    if bad:
        return refuse("lazytinker", bad)
    from lazytinker.config.cleanup import load_cleanup

    try:
        load_cleanup(settings.path)
    except ConfigError as error:
        # A config mistake like any other: one line on stderr, before the full screen.
        return refuse("lazytinker", error)
    with ExitStack() as stack:
        profile: Profile | None = None
        if args.demo:
            from lazytinker.cli import SERVER_EXTRA_MISSING, server_extra_missing

            if server_extra_missing():
                print(SERVER_EXTRA_MISSING.format(what="lazytinker --demo"), file=sys.stderr)
                return 2
            from lazytinker.cli.demo_logs import demo_logs_folder
            from lazytinker.server.config import ServerConfig
            from lazytinker.server.runner import ServerThread

            # The demo's live runs write cookbook log folders here, and the app follows them.
            logs = str(stack.enter_context(demo_logs_folder()))
            server = stack.enter_context(
                ServerThread(ServerConfig(live=True, api_keys=(DEMO_KEY,), cookbook_logs=logs))
            )
            profile = _demo_profile(server.url)
            args.logs = [logs, *(args.logs or [])]
        else:
            try:
                profile = resolve_profile(
                    settings=settings,
                    profile=args.profile,
                    base_url=args.base_url,
                    flavor=args.flavor,
                    insecure=args.insecure,
                )
            except ConfigError as error:
                return refuse("lazytinker", error)
            from lazytinker.api.tls import prepare

            prepare(profile.base_url)
        return _run(profile, settings, args, problem)
    return 0


def _keymap(keys: dict[str, str]) -> dict[str, str]:
    if not keys:
        return {}
    from lazytinker.ui.keymap import normalise_keymap

    return normalise_keymap(keys)


def _run(
    profile: Profile | None, settings: Settings, args: argparse.Namespace, problem: str | None
) -> int:
    return asyncio.run(_run_app(profile, settings, args, problem))


async def _run_app(
    profile: Profile | None, settings: Settings, args: argparse.Namespace, problem: str | None
) -> int:
    app = await build_app(profile, settings, args, problem)
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
    profile: Profile | None, settings: Settings, args: argparse.Namespace, problem: str | None
) -> LazytinkerApp:
    """Start the store's network, import and build the UI meanwhile; the app, ready to run
    on this event loop."""
    from lazytinker.api.client import TinkerAPI
    from lazytinker.api.errors import ConfigError
    from lazytinker.api.transport import DEADLINE
    from lazytinker.config.cleanup import CleanupSettings, load_cleanup, save_cleanup
    from lazytinker.store import Store

    try:
        cleanup = load_cleanup(settings.path)
    except ConfigError:
        # Refused in `main` already: this is a file changed since (the defaults, then).
        cleanup = CleanupSettings()
    api = store = None
    if profile is not None:
        from lazytinker.local import LocalLogs

        api = TinkerAPI(profile.target(), deadline=args.timeout or DEADLINE)
        roots = args.logs or settings.local.logs
        store = Store(
            api,
            profile_name=profile.name,
            refresh=args.refresh or settings.ui.refresh,
            read_only=args.read_only or settings.ui.read_only,
            local_logs=LocalLogs(roots) if roots != () else None,
            storage_rate=cleanup.rate_usd_per_gb_month,
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
    path = settings.path
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
    app.plan_choice = cleanup.choice
    app.save_plan = (lambda choice: save_cleanup(path, choice)) if path is not None else None
    return app


if TYPE_CHECKING:
    from lazytinker.config import Settings
    from lazytinker.store import Store
    from lazytinker.ui.app import LazytinkerApp

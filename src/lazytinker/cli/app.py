"""`lazytinker [OPTIONS]`: read the options and the config, resolve the profile, and open the app.

The network goes first (issue 19): as soon as the profile is known, the start-up's first
requests leave (`cli/first_wave.py`), before asyncio, httpx, pydantic or Textual are imported;
every refusal of the options or the config is still one line on stderr before any full-screen
UI. The app itself is built and run on its event loop by `cli/launch.py`.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from types import ModuleType
from typing import TYPE_CHECKING

from lazytinker import __version__

if TYPE_CHECKING:
    from lazytinker.api.early import EarlyRequests
    from lazytinker.api.errors import ConfigError
    from lazytinker.config import Profile, Settings

DEMO_KEY = "tml-demo"


def build_parser() -> argparse.ArgumentParser:
    """The app's command-line options."""
    from lazytinker.cli.refusals import OneLineParser
    from lazytinker.cli.service_options import add_service_options

    parser = OneLineParser(
        prog="lazytinker",
        description="A full-screen terminal browser for Tinker-compatible fine-tuning services.",
        epilog="Sub-commands: `lazytinker serve --help`, `lazytinker download --help`.",
    )
    parser.add_argument("--version", action="version", version=f"lazytinker {__version__}")
    add_service_options(parser)
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
    from lazytinker.cli.service_options import profile_from
    from lazytinker.config import load_settings

    # Every refusal of the configuration is one line on stderr, before any full-screen UI.
    problem: str | None = None
    try:
        settings = load_settings()
    except ConfigError as error:
        return refuse("lazytinker", error)
    from lazytinker.cli.refusals import logs_problem, theme_problem

    # The checks that cost nothing come before anything is sent: a typo sends no request.
    bad = theme_problem(args.theme, settings.ui.theme, settings.path) or logs_problem(args.logs)
    if bad:
        return refuse("lazytinker", bad)
    early: EarlyRequests | None = None
    profile: Profile | None = None
    if not args.demo:
        try:
            profile = profile_from(args, settings)
        except ConfigError as error:
            return refuse("lazytinker", error)
        from lazytinker.api.tls import prepare
        from lazytinker.cli.first_wave import start_early

        try:
            prepare(profile.base_url)
        except ConfigError as error:
            return refuse("lazytinker", error)
        # The first requests leave now, before the checks below import what they need (the
        # key bindings' check the whole UI, the clean-up rules' the store).
        early = start_early(profile)
    refused = _refusal(args, settings)
    if refused is not None:
        return refuse("lazytinker", refused)
    with ExitStack() as stack:
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
        from lazytinker.cli.launch import run

        return run(profile, settings, args, problem, early)
    return 0


def _refusal(args: argparse.Namespace, settings: Settings) -> str | ConfigError | None:
    """What in the config file stops the app from starting, if anything: the checks that
    import much (the options' were made already)."""
    from lazytinker.api.errors import ConfigError

    if settings.keys:
        from lazytinker.ui.keymap import check_keymap

        for found in check_keymap(settings.keys)[:1]:
            line = settings.key_lines.get(found.binding_id)
            where = f"{settings.path}:{line}" if line else str(settings.path)
            return f"{where} [keys]: {found.message}"
    if settings.cleanup is None:
        return None  # no `[cleanup]` table: nothing to check, and the planner is not imported
    from lazytinker.config.cleanup import read_cleanup

    try:
        read_cleanup(settings.cleanup, settings.path)
    except ConfigError as error:
        # A config mistake like any other: one line on stderr, before the full screen.
        return error
    return None

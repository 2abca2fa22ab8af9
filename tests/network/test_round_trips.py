"""Round trips from start to the first painted rows (issue 19): counted, so they cannot grow
unnoticed. The real `lazytinker` runs in a pseudo-terminal against the stand-in, whose every
answer is held back 0.4 s: requests sent together overlap, and one that waited for another
starts after that one's answer. Nothing here is timed: the delay only orders the log.

The figure the README states: before the first rows, 4 requests in one round trip (the
handshake's two calls, the first page of runs, the session search), all sent before the client
exists (`cli/first_wave.py`); everything else (more pages, who the key is) comes after.
"""

from __future__ import annotations

import asyncio
import gc
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from lazytinker.server.config import ServerConfig
from tests.terminal import PtyApp

from .requests_log import Logged, LoggedServer, depth

DELAY = 0.4
FIRST_WAVE = {
    "POST /api/v1/client/config",
    "POST /api/v1/client/dynamic_config",
    "GET /api/v1/training_runs",
    "POST /api/v1/sessions/search",
}


@pytest.fixture
def logged() -> Iterator[LoggedServer]:
    server = LoggedServer(
        ServerConfig(api_keys=("tml-demo",), sessions=6, runs=250, checkpoints_per_run=2),
        delay=DELAY,
    )
    server.start()
    yield server
    server.stop()


def app_env(url: str, tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        TINKER_API_KEY="tml-demo",
        TINKER_BASE_URL=url,
        LAZYTINKER_CONFIG=str(tmp / "no-config.toml"),
        TERM="xterm-256color",
    )
    return env


def first_page(entries: list[Logged]) -> Logged:
    pages = [e for e in entries if e.path == "/api/v1/training_runs" and "offset=0" in e.query]
    assert pages, "the first page of runs was never asked for"
    return pages[0]


def test_the_first_rows_need_one_round_trip(logged: LoggedServer, tmp_path: Path) -> None:
    binary = Path(sys.executable).with_name("lazytinker")
    app = PtyApp([str(binary)], app_env(logged.url, tmp_path), size=(160, 48))
    try:
        app.wait_for(b":train:", timeout=60)
        painted = time.monotonic()
    finally:
        app.close()
    entries = logged.log.snapshot()
    runs = first_page(entries)
    assert runs.end is not None
    assert runs.end <= painted
    # The first listing waits for nothing: not the handshake, not the session search.
    assert depth(entries, runs) == 1
    # The first round trip: those four requests together, each once, nothing else.
    wave = [e for e in entries if depth(entries, e) == 1]
    assert sorted(f"{e.method} {e.path}" for e in wave) == sorted(FIRST_WAVE)
    # Nothing else was asked for before the first rows came back.
    assert not [e.path for e in entries if e.start < runs.end and depth(entries, e) > 1]


START_PROBE = """
import os, sys
from lazytinker.store import Store

def start(self, *args, **kwargs):
    print(sorted(m for m in sys.modules if m == "textual" or m.startswith("textual.")))
    sys.stdout.flush()
    os._exit(0)

Store.start = start
from lazytinker.cli import main
main([])
"""


def test_the_start_up_requests_leave_before_textual_is_imported(tmp_path: Path) -> None:
    """The store starts its requests first; Textual (~0.3 s of imports) comes after, while the
    answers travel. A check that imported it earlier (the theme's, once) put it in the way."""
    env = {**app_env("http://127.0.0.1:9", tmp_path), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", START_PROBE], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.strip() == "[]"


COLLECTOR_PROBE = """
import asyncio, gc, os
from lazytinker.store import Store

seen = []
start, shown = Store.start, Store.first_screen_shown

def probe_start(self, *args, **kwargs):
    if not seen:  # the command line's start, not the screen's later call
        seen.append(f"start {gc.isenabled()}")
    return start(self, *args, **kwargs)

def probe_shown(self):
    seen.append(f"painted {gc.isenabled()}")
    shown(self)
    asyncio.get_running_loop().call_later(0.3, report)

def report():
    seen.append(f"after {gc.isenabled()}")
    with open(os.environ["PROBE_OUT"] + ".part", "w") as out:
        out.write(",".join(seen))
    os.replace(os.environ["PROBE_OUT"] + ".part", os.environ["PROBE_OUT"])  # whole, or not yet
    os._exit(0)

Store.start, Store.first_screen_shown = probe_start, probe_shown
from lazytinker.cli import main
main([])
"""


def test_the_collector_waits_for_the_first_screen(logged: LoggedServer, tmp_path: Path) -> None:
    """Python's cyclic collector is off while the app starts (its collections found nothing
    worth their CPU there) and on again once the first screen is painted."""
    assert probed(logged, tmp_path, COLLECTOR_PROBE) == "start False,painted False,after True"


def probed(
    logged: LoggedServer, tmp_path: Path, probe: str, size: tuple[int, int] = (100, 30)
) -> str:
    """What `probe` (the app, patched to write its finding to $PROBE_OUT and exit) found."""
    out = tmp_path / "probe.txt"
    env = {**app_env(logged.url, tmp_path), "PROBE_OUT": str(out)}
    app = PtyApp([sys.executable, "-c", probe], env, size=size)
    try:
        deadline = time.monotonic() + 60
        while not out.exists() and time.monotonic() < deadline:
            app.read(0.1)
    finally:
        app.close()
    return out.read_text()


FIRST_SCREEN_MODULES = """
import os, sys
from lazytinker.store import Store

def probe_shown(self):
    with open(os.environ["PROBE_OUT"] + ".part", "w") as out:
        out.write("\\n".join(sorted(sys.modules)))
    os.replace(os.environ["PROBE_OUT"] + ".part", os.environ["PROBE_OUT"])  # whole, or not yet
    os._exit(0)

Store.first_screen_shown = probe_shown
from lazytinker.cli import main
main([])
"""
NOT_BEFORE_THE_FIRST_ROWS = (
    # The network's own stack: every request before them was sent early (`cli/first_wave.py`).
    "httpcore",
    "h11",
    "anyio",
    # The clean-up planner and its config table, with no `[cleanup]` in the config file.
    "lazytinker.store.planner",
    "lazytinker.config.cleanup",
    # pydantic and the wire models it builds: the first wave's answers are msgspec records
    # (`api/models/structs.py`).
    "pydantic",
    "pydantic_core",
    "lazytinker.api.models.base",
)


def test_the_first_rows_leave_the_network_stack_the_planner_and_pydantic_for_later(
    logged: LoggedServer, tmp_path: Path
) -> None:
    """What the first screen does not need is not imported before it is painted."""
    modules = set(probed(logged, tmp_path, FIRST_SCREEN_MODULES).split())
    assert "lazytinker.ui.main_screen" in modules
    assert sorted(modules & set(NOT_BEFORE_THE_FIRST_ROWS)) == []


FIRST_FRAME_PROBE = """
import os
from textual.drivers.linux_driver import LinuxDriver
from lazytinker.store import Store

written = []
write = LinuxDriver.write

def recording(self, data):
    written.append(data)
    write(self, data)

def probe_shown(self):
    out = os.environ["PROBE_OUT"]
    with open(out + ".part", "w") as file:
        file.write(str(any("Training runs" in data for data in written)))
    os.replace(out + ".part", out)
    os._exit(0)

LinuxDriver.write = recording
Store.first_screen_shown = probe_shown
from lazytinker.cli import main
main([])
"""


def test_the_first_screen_reaches_the_terminal_before_what_waited_for_it(
    logged: LoggedServer, tmp_path: Path
) -> None:
    """The store hears that the first screen is painted (and starts the next pages, whose
    imports and connections take ~0.1 s) only once its frame has gone to the terminal.
    Textual holds repaints back while the app starts: a screen pushed then was told it was
    painted before its frame was written, and the frame waited behind that work."""
    assert probed(logged, tmp_path, FIRST_FRAME_PROBE, size=(160, 48)) == "True"


async def test_the_collector_comes_back_when_no_first_screen_comes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The wait for the first screen is bounded: a screen that never comes (a problem screen
    in its place) does not keep the collector off for the app's life."""
    from lazytinker.cli import launch as cli_app

    class NeverPainted:
        async def after_first_screen(self) -> None:
            await asyncio.Event().wait()

    monkeypatch.setattr(cli_app, "COLLECTOR_WAIT", 0.05)
    gc.disable()
    try:
        await cli_app._collect_after_first_screen(NeverPainted())  # type: ignore[arg-type]
        assert gc.isenabled()
    finally:
        gc.enable()

"""The app in a pseudo-terminal against the hostile server: the bytes a real terminal receives.

One app process walks the whole hostile world (`world.script_world`: payloads in every field,
the key echoed, odd paths, sizes and dates, duplicate ids, endless paging, error details of every
shape) through every view, the detail, the modals, `y`, the palette and the help, then quits. A
few more processes meet what can only happen at start-up (the handshake refused or hanging, a
gzip bomb or a trickle as the first listing). For each, what was written to the terminal holds
none of the server's payloads (OSC 52, OSC 0, CSI 2J, C1 CSI, bidi controls) and no piece of the
key, every clipboard write is printable text, the process stays under 200 MB, and it quits
cleanly when asked.
"""

from __future__ import annotations

import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.hostile.payloads import EVIL, KEY, assert_safe_terminal
from tests.hostile.server import Answer, HostileServer
from tests.hostile.world import run, runs_page, script_world
from tests.terminal import PtyApp

ESC, ENTER, CTRL_P = b"\x1b", b"\r", b"\x10"
LAZYTINKER = str(Path(sys.executable).with_name("lazytinker"))
MEMORY_MIB = 200

NAMED = {"enter": ENTER, "esc": ESC, "ctrl+p": CTRL_P}


def keys(walk: str) -> list[bytes]:
    """Keys to press, one group per word (`enter`, `esc`, `ctrl+p` by name)."""
    return [NAMED.get(word, word.encode()) for word in walk.split()]


# First, the clean-up planner applied to a run whose checkpoints to go have paths no action can
# address (the walk waits for the line saying so: a toast the next modal would clear).
PLAN = keys("C a y")
# Then `s` on that run, every view, the detail on odd checkpoints, the three modals, `y` on a
# checkpoint and on a session, opening a session, the palette and the help.
WALK = keys(
    "esc  s esc  "
    "enter j j j j j j y  d esc  t esc  s esc  h h y enter l  2 j j y  3  4 j  5  6 "
    "ctrl+p pub esc  ? esc  1 r"
)
# What the world's broken endpoints make the app say, somewhere along the walk.
SAID = [
    b"refused unread",
    b"nested too deeply",
    b"did not answer",
    b"stopped at",
    b"***",
    b"checkpoints alone",
]


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("NO_COLOR", "TINKER_BASE_URL", "TINKER_CREDENTIAL_CMD"):
        env.pop(name, None)
    env.update(
        TINKER_API_KEY=KEY,
        LAZYTINKER_CONFIG=str(tmp_path / "no-config.toml"),
        HOME=str(tmp_path),
        TERM="xterm-256color",
        COLORTERM="truecolor",
        ESCDELAY="25",
    )
    return env


def _press(app: PtyApp, keys: bytes) -> None:
    os.write(app.fd, keys)
    app.quiet(gap=0.2, limit=5)


def _quit(app: PtyApp) -> int:
    """Press `q` and wait (bounded) for the process to end; its exit status."""
    os.write(app.fd, b"q")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        app.read(0.05)
        done, status = os.waitpid(app.pid, os.WNOHANG)
        if done:
            app.quiet(gap=0.05, limit=1)
            os.close(app.fd)
            return os.waitstatus_to_exitcode(status)
    app.close()
    raise AssertionError("the app did not quit")


def test_the_app_walks_the_whole_hostile_world(tmp_path: Path) -> None:
    with HostileServer() as server:
        script_world(server)
        argv = [LAZYTINKER, "--base-url", server.url, "--timeout", "3"]
        app = PtyApp(argv, _env(tmp_path), size=(120, 35))
        try:
            app.wait_for(b"Training runs", timeout=60)
            app.quiet(gap=0.3, limit=10)
            for keys in PLAN:
                _press(app, keys)
            app.wait_for(b"alone", timeout=15)
            for keys in WALK:
                _press(app, keys)
            _press(app, b"5")  # storage trickled: its deadline has passed by now
            app.wait_for(b"did not answer", timeout=15)
            peak = app.peak_rss_mib()
        except BaseException:
            app.close()
            raise
        status = _quit(app)
    output = bytes(app.output)
    assert_safe_terminal(output)
    assert status == 0, output[-3000:].decode("utf-8", "replace")
    assert peak < MEMORY_MIB
    # What was shown, shown as text: the payloads escaped, the paging stop said, the key hidden.
    assert b"PWNED-TITLE" in output
    assert b"\\x1b]52;c;UFdORUQ=" in output
    # Phrases may wrap in a narrow pane: compare the text without escapes, spaces and borders.
    text = re.sub(rb"\x1b\[[0-9;?<>$]*[A-Za-z]|[\r\n ]|\xe2\x94\x82", b"", output)
    for said in SAID:
        assert said.replace(b" ", b"") in text, said
    assert b"\x1b]52;c;" in output, "`y` never reached the clipboard"
    assert b"Clean-up plan" in output, "the planner never opened"
    assert b"Traceback" not in output


@dataclass(frozen=True)
class StartUp:
    """A start-up a hostile server can spoil: the routes, and what the screen must then say."""

    id: str
    routes: list[tuple[str, str, Answer]]
    says: bytes


START_UPS = [
    StartUp(
        "handshake-refused-echoing-the-key",
        [("POST", "/api/v1/client/config", Answer(401, {"detail": f"{EVIL} {KEY}"}))],
        b"rejected the API key",
    ),
    StartUp(
        "handshake-never-answers",
        [("POST", "/api/v1/client/config", Answer(hang=True))],
        b"did not answer",
    ),
    StartUp(
        "first-listing-trickled",
        [("GET", "/api/v1/training_runs", Answer(body=runs_page([run("r")]), trickle=0.5))],
        b"did not answer",
    ),
]


@pytest.mark.parametrize("case", START_UPS, ids=[c.id for c in START_UPS])
def test_a_spoiled_start_up_says_so_safely(case: StartUp, tmp_path: Path) -> None:
    with HostileServer() as server:
        for method, path, answer in case.routes:
            server.on(method, path, answer)
        argv = [LAZYTINKER, "--base-url", server.url, "--timeout", "1"]
        app = PtyApp(argv, _env(tmp_path), size=(100, 30))
        try:
            app.wait_for(case.says, timeout=30)
            app.quiet(gap=0.2, limit=5)
            peak = app.peak_rss_mib()
        except BaseException:
            app.close()
            raise
        status = _quit(app)
    output = bytes(app.output)
    assert_safe_terminal(output)
    assert status == 0
    assert peak < MEMORY_MIB
    assert b"Traceback" not in output

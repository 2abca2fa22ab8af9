"""`lazytinker download` on a terminal: one progress line that never wraps, redrawn in place, and a
re-run that finds the download complete exits 0 ("already there")."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lazytinker.api.client import TinkerAPI
from lazytinker.api.download import Progress
from lazytinker.cli.progress_line import fit_progress, shorten_middle
from lazytinker.config import Profile
from lazytinker.server.runner import ServerThread
from tests.conftest import StartServer
from tests.terminal import PtyApp

_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _env(server: ServerThread, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "TINKER_BASE_URL": server.url,
        "TINKER_API_KEY": "tml-demo",
        "LAZYTINKER_CONFIG": str(tmp_path / "no-config.toml"),
        "HOME": str(tmp_path / "home"),
        "TERM": "xterm-256color",
    }


def _samplers(server: ServerThread, count: int) -> list[str]:
    async def find() -> list[str]:
        async with TinkerAPI(Profile("t", "tinker", server.url, "tml-demo").target()) as api:
            found = (await api.list_user_checkpoints(limit=1000)).checkpoints
        samplers = sorted(
            (c for c in found if c.checkpoint_type == "sampler" and (c.size_bytes or 0) > 5e7),
            key=lambda c: c.size_bytes or 0,
        )
        return [c.path for c in samplers[:count]]

    return asyncio.run(find())


def test_the_progress_line_fits_80_columns_and_adds_no_lines(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = start_server()
    paths = _samplers(server, 2)
    assert all(len(p) > 80 for p in paths)  # longer than the terminal on their own
    app = PtyApp(
        [sys.executable, "-m", "lazytinker", "download", *paths, "-o", str(tmp_path / "out")],
        _env(server, tmp_path),
        size=(80, 24),
    )
    try:
        app.wait_for(b"(", timeout=120)
        while True:
            if not app.read(1.0) and _exited(app.pid):
                break
    finally:
        app.close()
    text = app.output.decode("utf-8", "replace").replace("\r\n", "\n")
    lines = text.split("\n")
    # One line per download (its result), and nothing else: redraws never start a new line.
    assert [line for line in lines if line] == lines[:-1]
    assert len(lines) - 1 == len(paths)
    redraws = [segment for line in lines for segment in line.split("\r")[:-1] if segment]
    assert redraws, "no progress line was drawn"
    for segment in redraws:
        shown = _ESCAPES.sub("", segment)
        assert len(shown) <= 79, shown
    shown = [_ESCAPES.sub("", s) for s in redraws]
    assert any(s.startswith("[1/2] ") for s in shown)
    assert any(s.startswith("[2/2] ") for s in shown)
    assert all("…" in s for s in shown if s.strip())  # the long path, shortened
    # The command lists nothing, so the total is the server's length: a line with a rate has
    # its percentage too (the most useful part, kept first).
    assert all("%" in s for s in shown if re.search(r" [kMGT]?B/s", s))
    names = {p.rsplit("/", 1)[-1] for p in paths}
    assert all(any(name in s for name in names) for s in shown if s.strip())


def _exited(pid: int) -> bool:
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return done != 0


def test_a_rerun_finds_it_already_there_and_exits_0(
    start_server: StartServer, tmp_path: Path
) -> None:
    server = start_server()
    [path] = _samplers(server, 1)
    command = [sys.executable, "-m", "lazytinker", "download", path, "-o", "out"]
    env = _env(server, tmp_path)

    def run(*extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*command, *extra],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
            check=False,
        )

    first = run("--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["status"] == "completed"
    again = run("--json")
    assert again.returncode == 0, again.stderr
    record = json.loads(again.stdout)
    assert record["status"] == "skipped"
    assert record["destination"] == json.loads(first.stdout)["destination"]
    human = run()
    assert human.returncode == 0
    assert "already there" in human.stdout


@pytest.mark.parametrize("width", [80, 60, 40, 20])
def test_a_line_never_exceeds_its_width(width: int) -> None:
    event = Progress(
        "downloading",
        done=3 * 1024**3,
        total=7 * 1024**3,
        rate=512 * 1024**2,
        eta=3725.0,
        file="tinker://8f3a196c-075d-46f0-ba88-0bacfa5a5dc5:train:5/weights/step-000160",
    )
    line = fit_progress(event, width, "[3/12] ")
    assert len(line) <= width
    assert "000160" in line or width < 30


def test_the_middle_goes_first() -> None:
    path = "tinker://8f3a196c-075d-46f0-ba88-0bacfa5a5dc5:train:5/weights/step-000160"
    assert shorten_middle(path, 200) == path
    assert shorten_middle(path, 40) == "tinker://8f3a196c-07…weights/step-000160"
    assert shorten_middle(path, 20).endswith("…step-000160")
    assert len(shorten_middle(path, 5)) == 5

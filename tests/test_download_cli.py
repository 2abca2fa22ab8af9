"""`lazytinker download` as a script sees it: a real process against the stand-in server."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from lazytinker.api.client import TinkerAPI
from lazytinker.api.download import Progress
from lazytinker.cli.download import render_progress
from lazytinker.config import Profile
from lazytinker.server.runner import ServerThread
from tests.conftest import StartServer
from tests.interrupt import sigint_default

FILES = ["adapter_config.json", "adapter_model.safetensors", "checkpoint_complete"]


def _cli(server: ServerThread, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "TINKER_BASE_URL": server.url,
        "TINKER_API_KEY": "tml-demo",
        "LAZYTINKER_CONFIG": str(tmp_path / "no-config.toml"),
        "HOME": str(tmp_path / "home"),
    }
    return subprocess.run(
        [sys.executable, "-m", "lazytinker", "download", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def _smallest_sampler(server: ServerThread) -> str:
    async def find() -> str:
        async with TinkerAPI(Profile("t", "tinker", server.url, "tml-demo").target()) as api:
            found = (await api.list_user_checkpoints(limit=1000)).checkpoints
        samplers = [c for c in found if c.checkpoint_type == "sampler"]
        path = min(samplers, key=lambda c: c.size_bytes or 0).tinker_path
        assert path is not None
        return path

    return asyncio.run(find())


@pytest.fixture
def stand_in(start_server: StartServer) -> ServerThread:
    return start_server()


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_downloads_into_the_official_folder_name_with_json(
    stand_in: ServerThread, tmp_path: Path
) -> None:
    path = _smallest_sampler(stand_in)
    out = tmp_path / "out"
    done = _cli(stand_in, tmp_path, path, "-o", str(out), "--json")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # not a terminal: no progress bar
    [line] = done.stdout.splitlines()
    record = json.loads(line)
    name = path.removeprefix("tinker://").replace("/", "_")
    assert record["status"] == "completed"
    assert record["destination"] == str(out / name)
    assert record["extracted"] is True
    assert _names(out) == [name]
    assert _names(out / name) == FILES


def test_no_extract_keeps_the_tar(stand_in: ServerThread, tmp_path: Path) -> None:
    path = _smallest_sampler(stand_in)
    done = _cli(stand_in, tmp_path, path, "-o", str(tmp_path / "out"), "--no-extract")
    assert done.returncode == 0, done.stderr
    name = path.removeprefix("tinker://").replace("/", "_") + ".tar"
    assert _names(tmp_path / "out") == [name]
    assert str(tmp_path / "out" / name) in done.stdout


def test_an_unparseable_path_is_one_line_and_exit_2(stand_in: ServerThread, tmp_path: Path) -> None:
    done = _cli(stand_in, tmp_path, "tinker://only-two/parts", "-o", str(tmp_path / "out"))
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Invalid checkpoint path" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_missing_checkpoint_fails_alone_and_the_others_complete(
    stand_in: ServerThread, tmp_path: Path
) -> None:
    good = _smallest_sampler(stand_in)
    missing = "tinker://no-such-run:train:0/weights/step-000001"
    out = tmp_path / "out"
    done = _cli(stand_in, tmp_path, missing, good, "-o", str(out), "--json")
    assert done.returncode == 1
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["status"] for r in records] == ["failed", "completed"]
    assert records[0]["checkpoint_path"] == missing
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr
    assert _names(out) == [good.removeprefix("tinker://").replace("/", "_")]


def test_an_existing_folder_needs_force(stand_in: ServerThread, tmp_path: Path) -> None:
    path = _smallest_sampler(stand_in)
    out = tmp_path / "out"
    name = path.removeprefix("tinker://").replace("/", "_")
    (out / name).mkdir(parents=True)
    (out / name / "mine").write_text("keep")
    refused = _cli(stand_in, tmp_path, path, "-o", str(out))
    assert refused.returncode == 1
    assert "already exists; use --force" in refused.stderr
    assert _names(out / name) == ["mine"]
    forced = _cli(stand_in, tmp_path, path, "-o", str(out), "--force")
    assert forced.returncode == 0, forced.stderr
    assert _names(out / name) == FILES


def test_an_unwritable_destination_is_one_line(stand_in: ServerThread, tmp_path: Path) -> None:
    path = _smallest_sampler(stand_in)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    done = _cli(stand_in, tmp_path, path, "-o", str(blocker / "sub"))
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Cannot create" in done.stderr


def test_the_progress_line_shows_bytes_rate_and_eta() -> None:
    line = render_progress(
        Progress("downloading", done=500 * 1000**2, total=1000**3, rate=64 * 1000**2, eta=8.0),
        width=10,
    )
    assert "[#####-----]" in line
    assert "50%" in line
    # Decimal units, as everywhere in the app (`lazytinker.human`).
    assert "500.0 MB / 1.0 GB" in line
    assert "64.0 MB/s" in line
    assert "ETA 0:08" in line
    waiting = render_progress(Progress("building", file="x", retry_after=3.0))
    assert "asking again in 3 s" in waiting


def test_ctrl_c_keeps_the_part_and_the_same_command_resumes(
    stand_in: ServerThread, tmp_path: Path
) -> None:
    async def find() -> tuple[str, int]:
        async with TinkerAPI(Profile("t", "tinker", stand_in.url, "tml-demo").target()) as api:
            found = (await api.list_user_checkpoints(limit=1000)).checkpoints
        # Big enough that the interrupt lands mid-transfer, not after it.
        big = [
            c
            for c in found
            if (c.size_bytes or 0) >= 512 * 1024**2 and c.checkpoint_type != "external"
        ]
        chosen = min(big, key=lambda c: c.size_bytes or 0)
        assert chosen.tinker_path is not None
        assert chosen.size_bytes is not None
        return chosen.tinker_path, chosen.size_bytes

    path, size = asyncio.run(find())
    out = tmp_path / "out"
    name = path.removeprefix("tinker://").replace("/", "_") + ".tar"
    part = out / f"{name}.part"
    env = {
        **os.environ,
        "TINKER_BASE_URL": stand_in.url,
        "TINKER_API_KEY": "tml-demo",
        "LAZYTINKER_CONFIG": str(tmp_path / "no-config.toml"),
    }
    command = [sys.executable, "-m", "lazytinker", "download", path, "-o", str(out)]
    command.append("--no-extract")
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=sigint_default,
    )
    try:
        while not (part.exists() and part.stat().st_size > 0) and process.poll() is None:
            time.sleep(0.001)
        assert process.poll() is None, "the download ended before it could be interrupted"
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 130, (stdout, stderr, part.exists())
    assert b"run the same command again to resume" in stderr
    kept = part.stat().st_size
    assert 0 < kept < size
    assert not (out / name).exists()
    again = _cli(stand_in, tmp_path, path, "-o", str(out), "--no-extract")
    assert again.returncode == 0, again.stderr
    assert _names(out) == [name]
    assert (out / name).stat().st_size == size

"""The demo's log folders: the next demo sweeps a killed demo's folder and keeps a live one's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from lazytinker.cli.demo_logs import demo_logs_folder


def _ended_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_next_demo_sweeps_a_killed_demos_folder_and_keeps_a_live_ones(tmp_path: Path) -> None:
    killed = tmp_path / str(_ended_pid())
    (killed / "run-1").mkdir(parents=True)
    (killed / "run-1" / "metrics.jsonl").write_text("{}\n")
    alive = tmp_path / str(os.getppid())
    alive.mkdir()
    unrelated = tmp_path / "notes"
    unrelated.mkdir()

    with demo_logs_folder(tmp_path) as folder:
        assert folder == tmp_path / str(os.getpid())
        assert folder.is_dir()
        assert not any(folder.iterdir())
        assert not killed.exists()
        assert alive.is_dir()
        assert unrelated.is_dir()
        (folder / "run-2").mkdir()
    assert not folder.exists()
    assert alive.is_dir()

"""The folder where `--demo`'s live runs write their cookbook logs, and its clean-up.

A demo closed by its terminal (tmux kill-session, a dropped SSH link) or by SIGKILL never runs its
clean-up, so each demo owns a folder named after its process id, and every demo first sweeps the
folders of demos whose process is gone.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def demo_root() -> Path:
    """The per-user parent of the demos' log folders."""
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    return Path(tempfile.gettempdir()) / f"lazytinker-demo-{uid}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_stale(root: Path) -> list[Path]:
    """Remove the folders of demos whose process has ended; returns what was removed."""
    removed: list[Path] = []
    try:
        entries = list(root.iterdir())
    except OSError:
        return removed
    for entry in entries:
        ours = entry.name.isdigit() and entry.is_dir() and not entry.is_symlink()
        if ours and not _alive(int(entry.name)):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


@contextmanager
def demo_logs_folder(root: Path | None = None) -> Iterator[Path]:
    """A fresh log folder for this demo, removed when the demo ends normally."""
    root = root or demo_root()
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    sweep_stale(root)
    folder = root / str(os.getpid())
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(mode=0o700)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)

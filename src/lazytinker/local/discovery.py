"""Finding cookbook log folders under a few roots, cheaply and safely.

A log folder holds `metrics.jsonl` or `checkpoints.jsonl`, or `config.json` beside `logs.log` (a
run that has not logged a step yet). `config.json` alone is not enough: model folders and many
projects have one. A log folder is not searched further (its `iteration_*` folders can number
thousands); hidden folders and well-known heavy trees (virtual environments, `node_modules`) are
skipped by name. Depth, entries read per folder and folders visited per scan are bounded; symlinks
to folders are followed, but a folder reached twice (a loop, or two roots that overlap) is
visited once.

A re-scan stats each folder it reaches and lists only those whose modification time changed.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path

import msgspec

RUNS_DIR_ENV = "TINKER_COOKBOOK_RUNS_DIR"
"""Where the cookbook puts runs when a recipe is given no log path."""
DEFAULT_RUNS_DIR = "~/tinker-runs"
LEGACY_RUNS_DIR = "/tmp/tinker-examples"
"""The default log location of cookbook releases before `~/tinker-runs`."""

MAX_DEPTH = 4
"""Folders below a root searched: `~/tinker-runs/sweeps/<time>/<run>` is 3 deep."""
MAX_ENTRIES = 10_000
"""Entries read from one folder; a data folder of a million files costs no more than this."""
MAX_FOLDERS = 20_000
"""Folders visited per scan, over all roots."""
MAX_TOTAL_ENTRIES = 200_000
"""Entries read per scan, over all folders (a re-scan reads only folders that changed)."""

_LOG_FILES = frozenset({"metrics.jsonl", "checkpoints.jsonl"})
_MARKER_FILES = _LOG_FILES | {"config.json", "logs.log"}
_SKIPPED = frozenset({"node_modules", "__pycache__", "site-packages", "dist-packages", "wandb"})
_SKIPPED_PATHS = frozenset({"/proc", "/sys", "/dev"})


def default_roots(cwd: Path | None = None) -> tuple[Path, ...]:
    """The roots the app searches by default: the current folder, the cookbook's runs folder
    (`$TINKER_COOKBOOK_RUNS_DIR` or `~/tinker-runs`) and the older default `/tmp/tinker-examples`.
    """
    runs = os.environ.get(RUNS_DIR_ENV) or DEFAULT_RUNS_DIR
    roots = (cwd or Path.cwd(), Path(runs).expanduser(), Path(LEGACY_RUNS_DIR))
    return tuple(dict.fromkeys(roots))


def is_log_folder(names: Iterable[str]) -> bool:
    """Whether a folder holding these file names is a cookbook log folder."""
    present = set(names)
    return bool(present & _LOG_FILES) or {"config.json", "logs.log"} <= present


class _Listing(msgspec.Struct, frozen=True):
    """What a folder held when its modification time was `mtime_ns`."""

    identity: tuple[int, int, int]
    subfolders: tuple[str, ...]
    is_log: bool
    complete: bool
    """False when the folder had more entries than were read."""


class ScanResult(msgspec.Struct, frozen=True):
    """The log folders found, in a stable order (roots in turn, names sorted)."""

    folders: tuple[str, ...]
    folders_visited: int
    folders_listed: int
    """Folders whose entries were read this scan (the rest were unchanged since the last)."""
    truncated: bool
    """A bound was hit: some folders may not have been searched."""


class _Walk(msgspec.Struct):
    """The running totals of one scan."""

    seen: set[tuple[int, int]] = msgspec.field(default_factory=set)
    visited: int = 0
    listed: int = 0
    entries: int = 0
    truncated: bool = False


class FolderScanner:
    """Finds log folders under roots; keeps each folder's listing to make re-scans cheap."""

    def __init__(
        self,
        roots: Sequence[str | Path],
        *,
        max_depth: int = MAX_DEPTH,
        max_entries: int = MAX_ENTRIES,
        max_folders: int = MAX_FOLDERS,
        max_total_entries: int = MAX_TOTAL_ENTRIES,
    ) -> None:
        self.roots = tuple(os.path.abspath(os.path.expanduser(root)) for root in roots)
        self.max_depth = max_depth
        self.max_entries = max_entries
        self.max_folders = max_folders
        self.max_total_entries = max_total_entries
        self._listings: dict[str, _Listing] = {}

    def scan(self) -> ScanResult:
        """Search every root; only folders that changed since the last scan are listed again."""
        previous, self._listings = self._listings, {}
        walk = _Walk()
        found: list[str] = []
        for root in self.roots:
            stack = [(root, 0)]
            while stack:
                if walk.visited >= self.max_folders or walk.entries >= self.max_total_entries:
                    walk.truncated = True
                    break
                path, depth = stack.pop()
                listing = self._visit(path, previous, walk)
                if listing is None:
                    continue
                walk.truncated = walk.truncated or not listing.complete
                if listing.is_log:
                    found.append(path)
                elif depth < self.max_depth:
                    # Reversed so that the stack pops them in name order.
                    stack.extend(
                        (os.path.join(path, name), depth + 1)
                        for name in reversed(listing.subfolders)
                    )
        return ScanResult(tuple(found), walk.visited, walk.listed, walk.truncated)

    def _visit(self, path: str, previous: dict[str, _Listing], walk: _Walk) -> _Listing | None:
        try:
            result = os.stat(path)
        except (OSError, ValueError):
            return None
        if not stat.S_ISDIR(result.st_mode) or (result.st_dev, result.st_ino) in walk.seen:
            return None
        walk.seen.add((result.st_dev, result.st_ino))
        walk.visited += 1
        identity = (result.st_dev, result.st_ino, result.st_mtime_ns)
        listing = previous.get(path)
        if listing is None or listing.identity != identity:
            limit = min(self.max_entries, self.max_total_entries - walk.entries)
            listing, read = _list(path, identity, limit)
            walk.listed += 1
            walk.entries += read
        self._listings[path] = listing
        return listing


def _list(path: str, identity: tuple[int, int, int], limit: int) -> tuple[_Listing, int]:
    """What a folder holds, reading at most `limit` entries; and how many were read."""
    subfolders: list[str] = []
    files: list[str] = []
    read = 0
    complete = True
    try:
        with os.scandir(path) as entries:
            for entry in entries:
                if read >= limit:
                    complete = False
                    break
                read += 1
                name = entry.name
                if name in _MARKER_FILES:
                    if _is_file(entry):
                        files.append(name)
                elif _worth_searching(path, name) and _is_dir(entry):
                    subfolders.append(name)
    except OSError:
        pass
    listing = _Listing(identity, tuple(sorted(subfolders)), is_log_folder(files), complete)
    return listing, read


def _worth_searching(parent: str, name: str) -> bool:
    if name.startswith(".") or name in _SKIPPED:
        return False
    return parent != "/" or f"/{name}" not in _SKIPPED_PATHS


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False

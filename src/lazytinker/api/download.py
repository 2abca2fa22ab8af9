"""Downloading checkpoints and trace exports (design.md §6, protocol.md §4.3, §4.8, §8.4, §8.5, §9).

One streaming path (`stream.fetch_to_file`) serves every contract:

- archive (`download_archive`): `GET …/archive` answers 302 `Location` or 200 JSON `{url,
  expires}`, or streams the bytes itself (hpcai); 503 is waited out;
- external weights (`download_files`): a map of relative file names to signed URLs;
- the 0.38 export flow (`export`): when `/archive` is gone (404/405/410) for a training
  checkpoint, it is exported to external weights through a short-lived session, as the official
  CLI does, after `confirm_export` agrees (it starts a billable session);
- trace exports (`download_trace`).

Everything lands under `out_dir / NAME`, where `NAME` follows the official CLI (the path without
its scheme, every `/` replaced by `_`), checked to be a plain file name first. What already exists
under that name is complete (nothing is ever renamed into place before it is): it counts as done
("skipped") unless `force`, which replaces it once the new copy is complete.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from lazytinker.api.download_archive import ArchiveUrlSource, fetch_archive, hidden_archive
from lazytinker.api.download_files import (
    FileMapSource,
    UrlMap,
    download_files,
    not_exportable,
    report_done,
)
from lazytinker.api.download_trace import TRACE_POLL_SECONDS, TraceSource, poll_trace, trace_file
from lazytinker.api.errors import APIError, LazytinkerError, NotFoundError, UnsupportedError
from lazytinker.api.export import BILLABLE, Exporter, ExportSource
from lazytinker.api.models import CheckpointsListResponse
from lazytinker.api.names import safe_name
from lazytinker.api.paths import CheckpointKind, CheckpointRef, Flavor
from lazytinker.api.rawhttp import Fetcher
from lazytinker.api.receipt import verified, write_receipt
from lazytinker.api.stream import DEFAULT_LIMITS, DownloadError, Limits, Progress, ProgressCallback

__all__ = [
    "TRACE_POLL_SECONDS",
    "ArchiveSource",
    "CheckpointDownload",
    "ConfirmExport",
    "DownloadError",
    "DownloadResult",
    "ExportDeclinedError",
    "Fetcher",
    "Limits",
    "NoteCallback",
    "Progress",
    "download_checkpoint",
    "download_trace",
    "folder_name",
    "new_fetcher",
    "trace_file",
]

# An archive route that answers these is gone (a service on the 0.38 protocol): export instead.
_GONE = frozenset({404, 405, 410})

ConfirmExport = Callable[[CheckpointRef], Awaitable[bool]]
NoteCallback = Callable[[str], None]


class ArchiveSource(ArchiveUrlSource, FileMapSource, TraceSource, ExportSource, Protocol):
    """What downloads need from the API client (`TinkerAPI` provides all of it)."""

    @property
    def flavor(self) -> Flavor:
        """`tinker` or `hpcai`."""
        ...

    async def list_checkpoints(self, run_id: str) -> CheckpointsListResponse:
        """Every checkpoint of a run."""
        ...


class ExportDeclinedError(DownloadError):
    """The download needs the billable export flow and it was not confirmed."""


@dataclass(frozen=True, slots=True)
class CheckpointDownload:
    """One checkpoint to fetch: where to, under which name, extracted or not, replacing or not."""

    ref: CheckpointRef
    out_dir: Path
    name: str | None = None
    extract: bool = True
    force: bool = False
    expected_size: int | None = None

    @property
    def folder(self) -> str:
        """The name of what is written into `out_dir` (without `.tar`)."""
        return self.name or folder_name(self.ref)

    @property
    def final_path(self) -> Path:
        """What exists once the download is complete: a folder, or a `.tar` with no extraction."""
        if self.ref.kind is CheckpointKind.EXTERNAL or self.extract:
            return self.out_dir / self.folder
        return self.out_dir / f"{self.folder}.tar"


@dataclass(frozen=True, slots=True)
class DownloadResult:
    """A finished download: what, where, how many bytes, and whether it was already there."""

    label: str
    path: Path
    bytes: int
    extracted: bool
    status: Literal["completed", "skipped"] = "completed"
    notes: tuple[str, ...] = ()


def folder_name(ref: CheckpointRef) -> str:
    """The official CLI's folder name: the path without its scheme, each `/` replaced by `_`;
    refused (one line) when that is not a usable file name."""
    name = ref.path.split("://", 1)[1].replace("/", "_")
    return safe_name(name, "checkpoint path")


def new_fetcher(*, timeout: float = 60.0) -> Fetcher:
    """The fetcher for download URLs: no credentials unless a target carries them for its own
    origin, redirects followed by hand, proxies from the environment."""
    return Fetcher(timeout=timeout)


async def download_checkpoint(
    source: ArchiveSource,
    fetcher: Fetcher,
    job: CheckpointDownload,
    *,
    on_progress: ProgressCallback | None = None,
    limits: Limits = DEFAULT_LIMITS,
    confirm_export: ConfirmExport | None = None,
    on_note: NoteCallback | None = None,
) -> DownloadResult:
    """Download one checkpoint as `job` says; returns where it went.

    Raises `DownloadError`, `ExtractError` or an API error; in every case nothing exists under the
    final name (a `.part` may remain for a later resume). `confirm_export` is asked before the
    export flow starts a billable session (None: allowed); `on_note` hears what happened to the
    flow's temporary export.
    """
    label = job.ref.path
    folder = safe_name(job.folder, "checkpoint path")
    there = _already_there(job, folder)
    if there is not None:
        report_done(on_progress, 0, label)
        return DownloadResult(label, there, 0, extracted=False, status="skipped")
    _check_writable(job.out_dir)
    if job.ref.kind is CheckpointKind.EXTERNAL:
        size = await download_files(
            fetcher,
            UrlMap(source, job.ref),
            job.out_dir / folder,
            label=label,
            expected_size=job.expected_size,
            on_progress=on_progress,
            limits=limits,
            source=label,
        )
        write_receipt(job.out_dir / folder, label)
        report_done(on_progress, size, label)
        return DownloadResult(label, job.out_dir / folder, size, extracted=False)
    try:
        path, size = await fetch_archive(
            source,
            fetcher,
            job.ref,
            tar=job.final_path if not job.extract else hidden_archive(job.out_dir, folder),
            folder=job.out_dir / folder if job.extract else None,
            force=job.force,
            expected_size=job.expected_size,
            on_progress=on_progress,
            limits=limits,
        )
    except (APIError, UnsupportedError) as error:
        if job.ref.kind is not CheckpointKind.TRAINING or not _archive_gone(error):
            raise not_exportable(job.ref, error) from None
        if not await _listed(source, job.ref):
            raise  # the checkpoint is missing, not the route: no session for nothing
        return await _export(
            source, fetcher, job, folder, on_progress, limits, confirm_export, on_note
        )
    write_receipt(path, label)
    report_done(on_progress, size, label)
    return DownloadResult(label, path, size, extracted=job.extract)


async def download_trace(
    source: TraceSource,
    fetcher: Fetcher,
    session_id: str,
    dest: Path,
    *,
    force: bool = False,
    poll_seconds: float = TRACE_POLL_SECONDS,
    on_progress: ProgressCallback | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> DownloadResult:
    """Wait for a session's trace export (polling every few seconds), then save it to `dest`
    (`trace_file` names it safely after the session). Cancelling stops the polling; a later
    call resumes the file."""
    label = f"trace of {session_id}"
    if _existing(dest, force, f"trace:{session_id}") is not None:
        report_done(on_progress, 0, dest.name)
        return DownloadResult(label, dest, 0, extracted=False, status="skipped")
    _check_writable(dest.parent)
    size = await poll_trace(
        fetcher,
        source,
        session_id,
        dest,
        poll_seconds=poll_seconds,
        on_progress=on_progress,
        limits=limits,
    )
    write_receipt(dest, f"trace:{session_id}")
    report_done(on_progress, size, dest.name)
    return DownloadResult(label, dest, size, extracted=False)


async def _export(
    source: ArchiveSource,
    fetcher: Fetcher,
    job: CheckpointDownload,
    folder: str,
    on_progress: ProgressCallback | None,
    limits: Limits,
    confirm_export: ConfirmExport | None,
    on_note: NoteCallback | None,
) -> DownloadResult:
    label = job.ref.path
    final = job.out_dir / folder
    there = _existing(final, job.force, label)
    if there is not None:  # a --no-extract re-run after an export: the folder is the result
        report_done(on_progress, 0, label)
        return DownloadResult(label, there, 0, extracted=False, status="skipped")
    if confirm_export is not None and not await confirm_export(job.ref):
        raise ExportDeclinedError(f"Not downloading {label}: {BILLABLE}; not confirmed")
    exporter = Exporter(source, job.ref, on_progress=on_progress)
    try:
        async with exporter:
            export = await exporter.run()
            size = await download_files(
                fetcher,
                UrlMap(source, export, on_signed=exporter.renew),
                final,
                label=label,
                expected_size=exporter.size_bytes,
                on_progress=on_progress,
                limits=limits,
                source=label,
            )
    except LazytinkerError as error:
        note = f"; {exporter.note}" if exporter.note else ""
        raise DownloadError(f"{error}{note}") from None
    except BaseException:  # cancelled or interrupted: the note is all there is to say
        if on_note is not None and exporter.note:
            on_note(exporter.note)
        raise
    if on_note is not None and exporter.note:
        on_note(exporter.note)
    write_receipt(final, label)
    report_done(on_progress, size, label)
    notes = (exporter.note,) if exporter.note else ()
    return DownloadResult(label, final, size, extracted=False, notes=notes)


async def _listed(source: ArchiveSource, ref: CheckpointRef) -> bool:
    """Whether the run lists the checkpoint (when the server cannot say, assume it does)."""
    try:
        listing = await source.list_checkpoints(ref.run_id)
    except NotFoundError:
        return False
    except LazytinkerError:
        return True
    return any(c.path == ref.path for c in listing.checkpoints)


def _archive_gone(error: Exception) -> bool:
    return isinstance(error, UnsupportedError) or (
        isinstance(error, APIError) and error.status in _GONE
    )


def _already_there(job: CheckpointDownload, folder: str) -> Path | None:
    """What already exists under the final name (the folder, or the `.tar`), if anything."""
    if job.ref.kind is CheckpointKind.EXTERNAL or job.extract:
        return _existing(job.out_dir / folder, job.force, job.ref.path)
    return _existing(job.out_dir / f"{folder}.tar", job.force, job.ref.path)


def _existing(path: Path, force: bool, source: str) -> Path | None:
    """`path` when a complete, verified download of `source` is there (and not to be replaced);
    anything else in the way is refused in one line."""
    try:
        info = path.lstat()
    except OSError:
        return None
    if stat.S_ISLNK(info.st_mode):
        if force:
            return None  # the link itself is replaced at the end, never followed
        raise DownloadError(f"{path} is a symbolic link; remove it, or use --force to replace it")
    if force:
        return None
    if verified(path, source):
        return path
    raise DownloadError(f"{path} already exists; use --force to replace it")


def _check_writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DownloadError(f"Cannot create {folder}: {error.strerror or error}") from None
    if not folder.is_dir():
        raise DownloadError(f"{folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DownloadError(f"Cannot write to {folder}: permission denied")

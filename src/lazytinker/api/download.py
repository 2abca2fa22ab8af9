"""Downloading checkpoints and trace exports (design.md §6, protocol.md §4.3, §4.4, §4.8, §8.4, §9).

One streaming path (`stream.fetch_to_file`) serves the three contracts:

- archive URL: `GET …/archive` answers 302 `Location` or 200 JSON `{url, expires}` (asked through
  the API client); 503 means "still being built" and is waited out, showing `Retry-After`;
- direct bytes (hpcai): `GET …/archive` with the API key, following redirects to the tar itself;
- external weights: a map of relative file names to signed URLs, each streamed into the folder.

Archives land as `NAME.tar` (via `NAME.tar.part`) with no extraction, or are fetched to a hidden
`.NAME.tar` and extracted, by default, into `NAME/` with `extract.safe_extract`; external weights
are written into `NAME.part/` and renamed to `NAME/` once every file is complete. `NAME` follows
the official CLI: the path without its scheme, every `/` replaced by `_`.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Protocol

import httpcore
import httpx

from lazytinker.api.errors import (
    InvalidRequestError,
    LazytinkerError,
    NotFoundError,
)
from lazytinker.api.extract import ExtractError, safe_extract
from lazytinker.api.models import (
    CheckpointArchiveUrlResponse,
    ExternalWeightsUrlsResponse,
    TraceExportResponse,
)
from lazytinker.api.paths import CheckpointKind, CheckpointRef, Flavor
from lazytinker.api.stream import (
    DEFAULT_LIMITS,
    DownloadError,
    Limits,
    Progress,
    ProgressCallback,
    RateMeter,
    Resolver,
    Target,
    fetch_to_file,
    part_path,
)

__all__ = [
    "ArchiveSource",
    "CheckpointDownload",
    "DownloadError",
    "DownloadResult",
    "Limits",
    "Progress",
    "download_checkpoint",
    "download_trace",
    "folder_name",
    "new_http_client",
]

# Re-sign the external-weights map when it expires within this margin (as the official CLI does).
_RESIGN_MARGIN = timedelta(minutes=5)
TRACE_POLL_SECONDS = 5.0


class ArchiveSource(Protocol):
    """What downloads need from the API client (`TinkerAPI` provides all of it)."""

    @property
    def flavor(self) -> Flavor:
        """`tinker` or `hpcai`."""
        ...

    async def get_archive_url(self, ref: CheckpointRef) -> CheckpointArchiveUrlResponse:
        """The signed archive URL (302 or 200 JSON); raises ArchiveNotReadyError on 503."""
        ...

    async def get_external_weights_urls(self, ref: CheckpointRef) -> ExternalWeightsUrlsResponse:
        """The signed URL of every file of an external-weights checkpoint."""
        ...

    async def get_trace_export(self, session_id: str) -> TraceExportResponse:
        """The state of a session's trace export, starting it if needed."""
        ...

    def auth_headers_for(self, url: str) -> dict[str, str]:
        """Headers for fetching `url`: the credential only on the API's own origin (hpcai bytes)."""
        ...


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
    """A completed download: what was fetched, where it went, how many bytes came over the wire."""

    label: str
    path: Path
    bytes: int
    extracted: bool


def folder_name(ref: CheckpointRef) -> str:
    """The official CLI's folder name: the path without its scheme, each `/` replaced by `_`."""
    path = ref.path
    return path.split("://", 1)[1].replace("/", "_")


# httpcore reads 64 KiB per socket read; over loopback or a fast link that makes h11 parse
# (and us write) sixteen times more pieces than needed, which costs a core at ~500 MB/s. A
# larger read only lets the kernel hand over more of what has already arrived.
_READ_BYTES = 1024 * 1024


def new_http_client(*, timeout: float = 60.0) -> httpx.AsyncClient:
    """The client for signed URLs: no credentials, redirects followed, a generous read timeout."""
    connection = httpcore.AsyncHTTP11Connection
    connection.READ_NUM_BYTES = max(connection.READ_NUM_BYTES, _READ_BYTES)
    return httpx.AsyncClient(
        follow_redirects=True,
        timeout=httpx.Timeout(timeout, connect=10.0),
        headers={"User-Agent": "lazytinker-download"},
    )


async def download_checkpoint(
    source: ArchiveSource,
    http: httpx.AsyncClient,
    job: CheckpointDownload,
    *,
    on_progress: ProgressCallback | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> DownloadResult:
    """Download one checkpoint as `job` says; returns where it went.

    Raises `DownloadError`, `ExtractError` or an API error; in every case nothing exists under the
    final name (a `.part` may remain for a later resume).
    """
    _prepare(job)
    if job.ref.kind is CheckpointKind.EXTERNAL:
        return await _download_external(source, http, job, on_progress, limits)
    return await _download_archive(source, http, job, on_progress, limits)


async def download_trace(
    source: ArchiveSource,
    http: httpx.AsyncClient,
    session_id: str,
    dest: Path,
    *,
    force: bool = False,
    poll_seconds: float = TRACE_POLL_SECONDS,
    on_progress: ProgressCallback | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> DownloadResult:
    """Wait for a session's trace export (polling every few seconds), then save it to `dest`.

    Cancelling the task stops the polling; a later call resumes the same export.
    """
    if dest.exists() and not force:
        raise DownloadError(f"{dest} already exists; use --force to replace it")
    _check_writable(dest.parent)

    async def resolve() -> Target:
        while True:
            state = await source.get_trace_export(session_id)
            if state.status == "ready" and state.url:
                return Target(state.url)
            if state.status == "failed":
                raise DownloadError(
                    f"Trace export failed for session {session_id}: {state.error or 'no reason'}"
                )
            if on_progress is not None:
                on_progress(Progress("building", file=dest.name, retry_after=poll_seconds))
            await asyncio.sleep(poll_seconds)

    size = await fetch_to_file(
        http, resolve, dest, on_progress=on_progress, limits=limits, label=dest.name
    )
    _done(on_progress, size, dest.name)
    return DownloadResult(f"trace of {session_id}", dest, size, extracted=False)


def _prepare(job: CheckpointDownload) -> None:
    final = job.final_path
    if final.exists() and not job.force:
        raise DownloadError(f"{final} already exists; use --force to replace it")
    _check_writable(job.out_dir)


def _check_writable(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DownloadError(f"Cannot create {folder}: {error.strerror or error}") from None
    if not folder.is_dir():
        raise DownloadError(f"{folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise DownloadError(f"Cannot write to {folder}: permission denied")


async def _download_archive(
    source: ArchiveSource,
    http: httpx.AsyncClient,
    job: CheckpointDownload,
    on_progress: ProgressCallback | None,
    limits: Limits,
) -> DownloadResult:
    ref = job.ref
    label = ref.path

    async def resolve() -> Target:
        # Asked again after a refusal: a signed URL that expired gets a new signature, and the
        # hpcai archive endpoint (which streams the bytes itself) answers its own errors.
        try:
            signed = await source.get_archive_url(ref)
        except (NotFoundError, InvalidRequestError) as error:
            raise _not_exportable(ref, error) from None
        return Target(signed.url, headers=source.auth_headers_for(signed.url))

    # Extracting: the tar is a hidden working file (resumable as `.NAME.tar.part`), so it never
    # collides with a `NAME.tar` the user kept from a `--no-extract` download. With --force the
    # old file or folder is replaced only once the new one is complete.
    tar = job.final_path if not job.extract else job.out_dir / f".{job.folder}.tar"
    size = await fetch_to_file(
        http,
        resolve,
        tar,
        on_progress=on_progress,
        limits=limits,
        label=label,
        overall_total=job.expected_size,
    )
    if not job.extract:
        _done(on_progress, size, label)
        return DownloadResult(label, tar, size, extracted=False)
    if on_progress is not None:
        on_progress(Progress("extracting", done=size, total=size, file=label))
    try:
        await asyncio.to_thread(safe_extract, tar, job.final_path, force=job.force)
    except ExtractError:
        # A refused archive is not kept: what it holds is not what a checkpoint holds.
        tar.unlink(missing_ok=True)
        raise
    tar.unlink(missing_ok=True)
    _done(on_progress, size, label)
    return DownloadResult(label, job.final_path, size, extracted=True)


def _not_exportable(ref: CheckpointRef, error: LazytinkerError) -> LazytinkerError:
    if ref.kind is CheckpointKind.SAMPLER:
        return DownloadError(
            f"{ref} is a sampler checkpoint, which this server cannot export for download"
        )
    return error


class _UrlMap:
    """The external-weights map, re-signed when it is about to expire or a URL was refused."""

    def __init__(self, source: ArchiveSource, ref: CheckpointRef) -> None:
        self.source = source
        self.ref = ref
        self.current: ExternalWeightsUrlsResponse | None = None

    async def refresh(self) -> ExternalWeightsUrlsResponse:
        try:
            self.current = await self.source.get_external_weights_urls(self.ref)
        except (NotFoundError, InvalidRequestError) as error:
            raise _not_exportable(self.ref, error) from None
        return self.current

    async def fresh(self) -> ExternalWeightsUrlsResponse:
        if self.current is None or datetime.now(UTC) >= self.current.expires - _RESIGN_MARGIN:
            return await self.refresh()
        return self.current

    def resolver(self, name: str) -> Resolver:
        first = True

        async def resolve() -> Target:
            nonlocal first
            urls = await self.fresh() if first else await self.refresh()
            first = False
            url = urls.urls.get(name)
            if url is None:
                raise DownloadError(f"{self.ref}: the server no longer lists {name}")
            return Target(url)

        return resolve


async def _download_external(
    source: ArchiveSource,
    http: httpx.AsyncClient,
    job: CheckpointDownload,
    on_progress: ProgressCallback | None,
    limits: Limits,
) -> DownloadResult:
    label = job.ref.path
    urls = _UrlMap(source, job.ref)
    names = sorted((await urls.fresh()).urls)
    if not names:
        raise DownloadError(f"{label}: the external weights checkpoint has no files")
    staging = part_path(job.final_path)
    for name in names:
        _check_relative(name, label)
    staging.mkdir(parents=True, exist_ok=True)
    meter = RateMeter()
    done = 0
    for name in names:
        dest = staging / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists():
            done += dest.stat().st_size  # completed in an earlier, interrupted run
            continue
        done += await fetch_to_file(
            http,
            urls.resolver(name),
            dest,
            on_progress=on_progress,
            limits=limits,
            label=name,
            base_done=done,
            overall_total=job.expected_size,
            meter=meter,
        )
    final = job.final_path
    if final.exists():
        shutil.rmtree(final) if final.is_dir() else final.unlink()
    os.replace(staging, final)
    _done(on_progress, done, label)
    return DownloadResult(label, final, done, extracted=False)


def _check_relative(name: str, label: str) -> None:
    parts = PurePosixPath(name).parts
    if not parts or name.startswith("/") or ".." in parts or "\\" in name or "\x00" in name:
        raise DownloadError(f"{label}: refused unsafe file name {name!r} in the server's list")


def _done(on_progress: ProgressCallback | None, size: int, label: str) -> None:
    if on_progress is not None:
        on_progress(Progress("done", done=size, total=size, file=label))

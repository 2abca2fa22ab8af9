"""External weights: a map of file names to signed URLs, each file streamed into the folder.

Files are fetched in sorted order into `NAME.part/` (each resumable as `file.part`), and the folder
is renamed to `NAME` once every file is complete. The map is signed again when it is about to
expire (as the official CLI does, five minutes ahead) or when a URL was refused; `on_signed` is
told each time (the export flow renews its temporary checkpoint's TTL then). File names from the
server are checked to stay inside the folder before anything is written.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from lazytinker.api.errors import InvalidRequestError, NotFoundError
from lazytinker.api.models import ExternalWeightsUrlsResponse
from lazytinker.api.names import relative_path
from lazytinker.api.partfile import part_path
from lazytinker.api.paths import CheckpointKind, CheckpointRef
from lazytinker.api.rawhttp import Fetcher
from lazytinker.api.stream import fetch_to_file
from lazytinker.api.transfer import (
    DownloadError,
    Limits,
    Progress,
    ProgressCallback,
    RateMeter,
    Resolver,
    Target,
)
from lazytinker.api.transfer_body import bound_for

__all__ = [
    "FileMapSource",
    "UrlMap",
    "download_files",
    "make_inside",
    "not_exportable",
    "report_done",
]

# Re-sign the map when it expires within this margin (as the official CLI does).
RESIGN_MARGIN = timedelta(minutes=5)


class FileMapSource(Protocol):
    """What a file-map download needs from the API client."""

    async def get_external_weights_urls(self, ref: CheckpointRef) -> ExternalWeightsUrlsResponse:
        """The signed URL of every file of an external-weights checkpoint."""
        ...


def not_exportable(ref: CheckpointRef, error: Exception) -> Exception:
    """The explanation for a sampler checkpoint no route can export; other errors unchanged."""
    if ref.kind is CheckpointKind.SAMPLER:
        return DownloadError(
            f"{ref} is a sampler checkpoint, which this server cannot export for download "
            "(only training and external-weights checkpoints have a route)"
        )
    return error


class UrlMap:
    """The external-weights map, re-signed when it is about to expire or a URL was refused."""

    def __init__(
        self,
        source: FileMapSource,
        ref: CheckpointRef,
        on_signed: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.source = source
        self.ref = ref
        self.on_signed = on_signed
        self.current: ExternalWeightsUrlsResponse | None = None

    async def refresh(self) -> ExternalWeightsUrlsResponse:
        """Ask for the map again (new signatures)."""
        try:
            self.current = await self.source.get_external_weights_urls(self.ref)
        except (NotFoundError, InvalidRequestError) as error:
            raise not_exportable(self.ref, error) from None
        if self.on_signed is not None:
            await self.on_signed()
        return self.current

    async def fresh(self) -> ExternalWeightsUrlsResponse:
        """The map, signed again when it expires within the margin."""
        if self.current is None or datetime.now(UTC) >= self.current.expires - RESIGN_MARGIN:
            return await self.refresh()
        return self.current

    def resolver(self, name: str) -> Resolver:
        """The resolver of one file: the current map first, a new signature after a refusal."""
        first = True

        async def resolve() -> Target:
            nonlocal first
            urls = await self.fresh() if first else await self.refresh()
            first = False
            url = urls.urls.get(name)
            if url is None:
                raise DownloadError(f"{self.ref}: the server no longer lists {name!r}")
            return Target(url)

        return resolve


async def download_files(
    fetcher: Fetcher,
    urls: UrlMap,
    final: Path,
    *,
    label: str,
    expected_size: int | None,
    on_progress: ProgressCallback | None,
    limits: Limits,
    source: str | None = None,
) -> int:
    """Every file of the map into `final` (a folder, replaced once complete); returns the bytes."""
    listed = await urls.fresh()
    names = sorted(listed.urls)
    if not names:
        raise DownloadError(f"{label}: the external weights checkpoint has no files")
    staging = part_path(final)
    dests = {name: relative_path(staging, name, "file name") for name in names}
    _refuse_collisions(names, dests, label)
    await asyncio.to_thread(make_inside, final.parent, staging)
    meter = RateMeter()
    done = 0
    bound = bound_for(expected_size)
    for name in names:
        dest = dests[name]
        await asyncio.to_thread(make_inside, staging, dest.parent)
        if dest.is_file() and not dest.is_symlink():
            done += dest.stat().st_size  # completed in an earlier, interrupted run
            continue
        done += await fetch_to_file(
            fetcher,
            urls.resolver(name),
            dest,
            on_progress=on_progress,
            limits=limits,
            label=name,
            base_done=done,
            overall_total=expected_size,
            meter=meter,
            max_bytes=None if bound is None else max(0, bound - done),
            source=source,
        )
    await asyncio.to_thread(_settle, staging, final)
    return done


def _refuse_collisions(names: list[str], dests: dict[str, Path], label: str) -> None:
    seen: dict[str, str] = {}
    for name in names:
        key = str(dests[name]).casefold()
        if key in seen:
            raise DownloadError(
                f"{label}: the files {seen[key]!r} and {name!r} would land on the same name"
            )
        seen[key] = name
    folders = {str(p).casefold() for d in dests.values() for p in d.parents}
    for name in names:
        if str(dests[name]).casefold() in folders:
            raise DownloadError(f"{label}: {name!r} is both a file and a folder in the list")


def make_inside(root: Path, folder: Path) -> None:
    """Create `folder` and the folders between `root` and it, none of them through a link."""
    step = root
    for part in folder.relative_to(root).parts:
        step = step / part
        if step.is_symlink():
            raise DownloadError(f"{step} is a symbolic link; refusing to write through it")
        try:
            step.mkdir(exist_ok=True)
        except FileExistsError:
            raise DownloadError(f"{step} is in the way (a file, not a folder)") from None
        except OSError as error:
            raise DownloadError(f"Cannot create {step}: {error.strerror or error}") from None


def _settle(staging: Path, final: Path) -> None:
    if final.is_symlink() or final.is_file():
        final.unlink()
    elif final.exists():
        shutil.rmtree(final)
    os.replace(staging, final)


def report_done(on_progress: ProgressCallback | None, size: int, label: str) -> None:
    """The last progress event of a download."""
    if on_progress is not None:
        on_progress(Progress("done", done=size, total=size, file=label))

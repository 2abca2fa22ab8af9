"""The archive contracts: `GET …/archive` answering 302 to a signed URL or 200 JSON `{url,
expires}` (503 while it is built), or streaming the bytes itself (hpcai).

The tar lands as `NAME.tar` with no extraction, or, by default, as a hidden `.NAME.tar` that is
extracted into `NAME/` with `extract.safe_extract` and then removed. A refused archive is removed
too; an extraction that ran out of disk keeps it, and the next run extracts it without fetching
it again.
"""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path
from typing import Protocol

from lazytinker.api.extract import ExtractDiskError, ExtractError, safe_extract
from lazytinker.api.models import CheckpointArchiveUrlResponse
from lazytinker.api.paths import CheckpointRef
from lazytinker.api.rawhttp import Fetcher
from lazytinker.api.stream import fetch_to_file
from lazytinker.api.transfer import DownloadError, Limits, Progress, ProgressCallback, Target
from lazytinker.api.transfer_body import bound_for

__all__ = ["ArchiveUrlSource", "fetch_archive", "hidden_archive"]


class ArchiveUrlSource(Protocol):
    """What an archive download needs from the API client."""

    async def get_archive_url(self, ref: CheckpointRef) -> CheckpointArchiveUrlResponse:
        """The signed archive URL (302 or 200 JSON); raises ArchiveNotReadyError on 503."""
        ...

    def auth_headers_for(self, url: str) -> dict[str, str]:
        """Headers for fetching `url`: the credential only on the API's own origin."""
        ...


def hidden_archive(out_dir: Path, folder: str) -> Path:
    """Where an archive waits for its extraction: `.NAME.tar`, beside where `NAME/` will be."""
    return out_dir / f".{folder}.tar"


async def fetch_archive(
    source: ArchiveUrlSource,
    fetcher: Fetcher,
    ref: CheckpointRef,
    *,
    tar: Path,
    folder: Path | None,
    force: bool,
    expected_size: int | None,
    on_progress: ProgressCallback | None,
    limits: Limits,
) -> tuple[Path, int]:
    """Download `ref`'s archive to `tar` and, when `folder` is given, extract it there.

    Returns what now exists (the tar or the folder) and the archive's size.
    """
    label = ref.path

    async def resolve() -> Target:
        # Asked again after a refusal: a signed URL that expired gets a new signature, and the
        # hpcai archive endpoint (which streams the bytes itself) answers its own errors.
        signed = await source.get_archive_url(ref)
        return Target(signed.url, headers=source.auth_headers_for(signed.url))

    if folder is not None and _kept(tar):
        size = tar.stat().st_size  # downloaded before; its extraction ran out of room
    else:
        size = await fetch_to_file(
            fetcher,
            resolve,
            tar,
            on_progress=on_progress,
            limits=limits,
            label=label,
            overall_total=expected_size,
            max_bytes=bound_for(expected_size),
            source=label,
            extract=folder is not None,
        )
    if folder is None:
        return tar, size
    if on_progress is not None:
        on_progress(Progress("extracting", done=size, total=size, file=label))
    try:
        await asyncio.to_thread(safe_extract, tar, folder, force=force)
    except ExtractDiskError as error:
        raise DownloadError(
            f"{error}; the downloaded archive is kept at {tar}: free some space and run the "
            "download again to extract it without fetching it anew"
        ) from None
    except ExtractError:
        # A refused archive is not kept: what it holds is not what a checkpoint holds.
        tar.unlink(missing_ok=True)
        raise
    tar.unlink(missing_ok=True)
    return folder, size


def _kept(tar: Path) -> bool:
    """Whether a complete archive from an earlier run waits at `tar` (only a complete, verified
    download is ever renamed to it)."""
    try:
        info = tar.lstat()
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_size > 0

"""`lazytinker download PATH…`: download checkpoints without the UI, for scripts.

The same engine as the app (`api.download`): streamed to `NAME.part`, resumed after a cut or a
restart (run the same command again), verified, renamed into place, extracted safely. Each
checkpoint lands in `DIR/NAME` where NAME follows the official CLI (the path without its scheme,
`/` replaced by `_`) and DIR is `-o` or the current folder. A progress line goes to stderr when it
is a terminal; `--json` prints one JSON object per checkpoint on stdout. Exit status: 0 when every
download completed, 1 when one failed, 2 for bad input, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from lazytinker import human
from lazytinker.api.client import TinkerAPI
from lazytinker.api.download import (
    CheckpointDownload,
    DownloadResult,
    Progress,
    download_checkpoint,
    new_http_client,
)
from lazytinker.api.errors import LazytinkerError
from lazytinker.api.paths import CheckpointRef, InvalidPathError
from lazytinker.api.transport import DEADLINE
from lazytinker.cli.output import json_line, say, warn
from lazytinker.config import Profile, load_settings, resolve_profile
from lazytinker.text import printable

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def build_parser() -> argparse.ArgumentParser:
    """The download command's options."""
    parser = argparse.ArgumentParser(
        prog="lazytinker download",
        description="Download checkpoints: streamed, resumable, verified, extracted safely.",
        epilog="Interrupted downloads resume when the same command is run again.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="tinker:// or hpcai:// path")
    parser.add_argument(
        "-o", "--output", metavar="DIR", type=Path, help="folder to download into (default: .)"
    )
    parser.add_argument("--no-extract", action="store_true", help="keep the archive as NAME.tar")
    parser.add_argument("--force", action="store_true", help="replace an existing NAME")
    parser.add_argument("--json", action="store_true", help="one JSON object per checkpoint")
    parser.add_argument("--profile", metavar="NAME", help="profile of the config file to use")
    parser.add_argument("--base-url", metavar="URL", help="service URL (overrides the profile)")
    parser.add_argument("--flavor", choices=("tinker", "hpcai"), help="service flavor")
    parser.add_argument(
        "--insecure", action="store_true", help="allow plain http:// to a non-loopback host"
    )
    parser.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=float,
        default=DEADLINE,
        help="give up on one API call after this long, retries included (default 60)",
    )
    return parser


def main(argv: Sequence[str]) -> int:
    """Download the named checkpoints; returns the process exit status."""
    args = build_parser().parse_args(list(argv))
    try:
        refs = [CheckpointRef.parse(text.strip()) for text in args.paths]
        settings = load_settings()
        profile = resolve_profile(
            settings=settings,
            profile=args.profile,
            base_url=args.base_url,
            flavor=args.flavor,
            insecure=args.insecure,
        )
    except (InvalidPathError, LazytinkerError) as error:
        warn("lazytinker download", error)
        return EXIT_USAGE
    jobs = [
        CheckpointDownload(
            ref, args.output or Path.cwd(), extract=not args.no_extract, force=args.force
        )
        for ref in refs
    ]
    bar = ProgressLine(sys.stderr) if sys.stderr.isatty() else None
    try:
        return asyncio.run(
            _run(profile, jobs, as_json=args.json, bar=bar, deadline=max(args.timeout, 0.1))
        )
    except KeyboardInterrupt:
        if bar is not None:
            bar.clear()
        warn("lazytinker download", "interrupted; run the same command again to resume")
        return EXIT_INTERRUPTED


async def _run(
    profile: Profile,
    jobs: list[CheckpointDownload],
    *,
    as_json: bool,
    bar: ProgressLine | None,
    deadline: float = DEADLINE,
) -> int:
    failed = 0
    async with TinkerAPI(profile.target(), deadline=deadline) as api, new_http_client() as http:
        for job in jobs:
            label = job.ref.path
            try:
                result = await download_checkpoint(
                    api, http, job, on_progress=bar.update if bar is not None else None
                )
            except LazytinkerError as error:
                failed += 1
                if bar is not None:
                    bar.clear()
                _report_failure(label, str(error), as_json=as_json)
                continue
            if bar is not None:
                bar.clear()
            _report_success(result, as_json=as_json)
    return EXIT_FAILED if failed else EXIT_OK


def _report_success(result: DownloadResult, *, as_json: bool) -> None:
    if as_json:
        record = {
            "checkpoint_path": result.label,
            "status": "completed",
            "destination": str(result.path),
            "size_bytes": result.bytes,
            "extracted": result.extracted,
        }
        json_line(record)
    else:
        size = human.size(result.bytes)
        say(f"{result.label} -> {result.path} ({size})")


def _report_failure(label: str, message: str, *, as_json: bool) -> None:
    if as_json:
        json_line({"checkpoint_path": label, "status": "failed", "error": message})
    warn("lazytinker download", f"{label}: {message}")


class ProgressLine:
    """A one-line progress bar redrawn in place on a terminal."""

    WIDTH = 24

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.shown = False

    def update(self, event: Progress) -> None:
        """Redraw the line for one progress event."""
        # The file name is the server's: through the one rule, like every line we print.
        self.stream.write("\r\x1b[2K" + printable(render_progress(event, self.WIDTH)))
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        """Remove the line, so the next message starts on a clean line."""
        if self.shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self.shown = False


def render_progress(event: Progress, width: int = 24) -> str:
    """One line describing a progress event: bar, bytes, rate and ETA, or what is awaited."""
    name = event.file or ""
    if event.phase == "building":
        wait = f" (asking again in {event.retry_after:g} s)" if event.retry_after else ""
        return f"{name}: the server is preparing it{wait}"
    if event.phase == "extracting":
        return f"{name}: extracting…"
    done = human.size(event.done)
    fraction = event.fraction
    if fraction is None:
        bar, amount = "", done
    else:
        filled = int(fraction * width)
        bar = "[" + "#" * filled + "-" * (width - filled) + f"] {fraction:4.0%} "
        amount = f"{done} / {human.size(event.total or 0)}"
    rate = f"  {human.rate(event.rate)}" if event.rate else ""
    eta = f"  ETA {_clock(event.eta)}" if event.eta is not None else ""
    return f"{name} {bar}{amount}{rate}{eta}"


def _clock(seconds: float) -> str:
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"

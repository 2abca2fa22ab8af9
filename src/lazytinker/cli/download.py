"""`lazytinker download PATH…`: download checkpoints without the UI, for scripts.

The same engine as the app (`api.download`): streamed to `NAME.part`, resumed after a cut or a
restart (run the same command again), verified, renamed into place, extracted safely. Each
checkpoint lands in `DIR/NAME` where NAME follows the official CLI (the path without its scheme,
`/` replaced by `_`) and DIR is `-o` or the current folder; one already there, complete and
verified, is skipped. When the service no longer serves archives, a training checkpoint is
exported through a short (billable) training session, as the official CLI does: asked first on a
terminal, allowed by `--yes`. A progress line that fits the terminal goes to stderr when it is a
terminal; `--json` prints one JSON object per checkpoint on stdout. Exit status: 0 when every
download completed or was already there, 1 when one failed, 2 for bad input, 130 when
interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from lazytinker.api.client import TinkerAPI
from lazytinker.api.download import (
    CheckpointDownload,
    DownloadResult,
    ExportDeclinedError,
    download_checkpoint,
    new_fetcher,
)
from lazytinker.api.errors import LazytinkerError
from lazytinker.api.export import BILLABLE
from lazytinker.api.paths import CheckpointRef, InvalidPathError
from lazytinker.api.transport import DEADLINE
from lazytinker.cli.output import json_line, say, warn
from lazytinker.cli.progress_line import ProgressLine, render_progress, size_text
from lazytinker.cli.service_options import add_service_options, profile_from
from lazytinker.config import Profile, load_settings

__all__ = ["build_parser", "main", "render_progress"]

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
    parser.add_argument(
        "-y",
        "--yes",
        action="store_true",
        help="allow the export flow's short training session (billable) without asking",
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per checkpoint")
    add_service_options(parser)
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
        profile = profile_from(args, settings)
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
    run = _Run(
        profile,
        jobs,
        as_json=args.json,
        bar=bar,
        allow_export=args.yes,
        deadline=max(args.timeout, 0.1),
    )
    try:
        return asyncio.run(run.all())
    except KeyboardInterrupt:
        if bar is not None:
            bar.clear()
        warn("lazytinker download", "interrupted; run the same command again to resume")
        return EXIT_INTERRUPTED


class _Run:
    """One invocation: the downloads in turn, each reported as it ends."""

    def __init__(
        self,
        profile: Profile,
        jobs: list[CheckpointDownload],
        *,
        as_json: bool,
        bar: ProgressLine | None,
        allow_export: bool,
        deadline: float = DEADLINE,
    ) -> None:
        self.profile = profile
        self.deadline = deadline
        self.jobs = jobs
        self.as_json = as_json
        self.bar = bar
        self.allow_export = allow_export

    async def all(self) -> int:
        failed = 0
        fetcher = new_fetcher()
        async with TinkerAPI(self.profile.target(), deadline=self.deadline) as api:
            for number, job in enumerate(self.jobs, 1):
                if self.bar is not None and len(self.jobs) > 1:
                    self.bar.prefix = f"[{number}/{len(self.jobs)}] "
                started = time.monotonic()
                try:
                    result = await download_checkpoint(
                        api,
                        fetcher,
                        job,
                        on_progress=self.bar.update if self.bar is not None else None,
                        confirm_export=self._confirm,
                        on_note=self._note,
                    )
                except LazytinkerError as error:
                    failed += 1
                    self._failure(job.ref.path, error)
                    continue
                self._success(result, time.monotonic() - started)
        return EXIT_FAILED if failed else EXIT_OK

    async def _confirm(self, ref: CheckpointRef) -> bool:
        self._clear()
        warn("lazytinker download", f"{ref}: {BILLABLE}.")
        if self.allow_export:
            return True
        if not (sys.stdin.isatty() and sys.stderr.isatty()):
            return False
        sys.stderr.write("Start the export session? [y/N] ")
        sys.stderr.flush()
        answer = await asyncio.to_thread(sys.stdin.readline)
        return answer.strip().lower() in ("y", "yes")

    def _note(self, note: str) -> None:
        self._clear()
        warn("lazytinker download", note)

    def _clear(self) -> None:
        if self.bar is not None:
            self.bar.clear()

    def _success(self, result: DownloadResult, seconds: float) -> None:
        self._clear()
        if self.as_json:
            record: dict[str, object] = {
                "checkpoint_path": result.label,
                "status": result.status,
                "destination": str(result.path),
                "extracted": result.extracted,
                "elapsed_seconds": round(seconds, 3),
            }
            if result.status == "completed":
                record["size_bytes"] = result.bytes
            if result.notes:
                record["notes"] = list(result.notes)
            json_line(record)
        elif result.status == "skipped":
            say(f"{result.label}: already there in {result.path}")
        else:
            say(f"{result.label} -> {result.path} ({size_text(result.bytes)})")

    def _failure(self, label: str, error: LazytinkerError) -> None:
        self._clear()
        message = str(error)
        if isinstance(error, ExportDeclinedError):
            message = "not started: the export session needs your consent (run again with --yes)"
        if self.as_json:
            json_line({"checkpoint_path": label, "status": "failed", "error": message})
        warn("lazytinker download", f"{label}: {message}")

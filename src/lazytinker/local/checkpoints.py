"""Which service runs a log folder belongs to, and the checkpoints it recorded.

Two sources name runs: `checkpoints.jsonl` (one record per completed save, with `tinker://RUN/...`
paths) and `logs.log` (the SDK logs "TrainingClient initialized for model RUN" when a process
starts, before its first save). A resumed run gets a new run id but keeps the folder, so one folder
can name several runs; they are kept in the order they started.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lazytinker.local.safe_io import parse_object

MAX_CHECKPOINTS = 10_000
"""Records kept per folder (the newest): a save every 20 steps for 200,000 steps."""
MAX_RUN_IDS = 256
MAX_RUN_ID_CHARS = 256

_TRAINING_CLIENT_LINE = re.compile(rb"TrainingClient initialized for model (\S+)")
_RUN_ID = re.compile(r"[^\s/\x00-\x1f\x7f]+")


def run_id_of_path(path: str | None) -> str | None:
    """The run id of a `tinker://RUN/kind/name` (or `hpcai://...`) path, or None."""
    if not path:
        return None
    _, sep, rest = path.partition("://")
    return valid_run_id(rest.split("/", 1)[0]) if sep else None


def valid_run_id(text: str) -> str | None:
    """`text` if it can be a run id (no spaces, slashes or control characters, not too long)."""
    if 0 < len(text) <= MAX_RUN_ID_CHARS and _RUN_ID.fullmatch(text):
        return text
    return None


@dataclass(frozen=True, slots=True)
class LocalCheckpoint:
    """One record of checkpoints.jsonl: a save the training script saw complete."""

    name: str
    run_id: str | None
    """The run of its paths (state path first), or None if neither parses."""
    step: int | None
    """The training step: the record's `step`, else its numeric name (`000040`), else its
    `batch` when there is no `epoch` (RL counts batches as steps)."""
    batch: int | None
    epoch: int | None
    final: bool
    rolling: bool
    """A rolling save, which the cookbook deletes from the server once the next one is saved."""
    state_path: str | None
    sampler_path: str | None

    @property
    def paths(self) -> tuple[str, ...]:
        """The service paths this record names (state, then sampler)."""
        return tuple(path for path in (self.state_path, self.sampler_path) if path)


def checkpoint_from_record(record: dict[str, Any]) -> LocalCheckpoint | None:
    """The checkpoint a parsed record describes, or None without a usable name."""
    name = record.get("name")
    if not isinstance(name, str) or not name or len(name) > MAX_RUN_ID_CHARS:
        return None
    state_path = _path(record.get("state_path"))
    sampler_path = _path(record.get("sampler_path"))
    batch = _integer(record.get("batch"))
    epoch = _integer(record.get("epoch"))
    step = _integer(record.get("step"))
    if step is None and name.isascii() and name.isdigit():
        step = int(name)
    if step is None and epoch is None:
        step = batch
    return LocalCheckpoint(
        name=name,
        run_id=run_id_of_path(state_path) or run_id_of_path(sampler_path),
        step=step,
        batch=batch,
        epoch=epoch,
        final=record.get("final") is True or name == "final",
        rolling=record.get("rolling") is True,
        state_path=state_path,
        sampler_path=sampler_path,
    )


class CheckpointsLog:
    """A `LineSink` for checkpoints.jsonl: the records, newest kept, and the runs they name."""

    def __init__(self, max_records: int = MAX_CHECKPOINTS) -> None:
        self.records: deque[LocalCheckpoint] = deque(maxlen=max_records)
        self.run_ids: dict[str, None] = {}
        self.bad_lines = 0
        self.revision = 0

    def restart(self) -> None:
        """Forget every record: the file was replaced."""
        self.records.clear()
        self.run_ids.clear()
        self.bad_lines = 0
        self.revision += 1

    def feed(self, lines: list[bytes]) -> None:
        """Parse and keep complete records."""
        for line in lines:
            record = parse_object(line)
            checkpoint = checkpoint_from_record(record) if record is not None else None
            if checkpoint is None:
                self.bad_lines += 1
                continue
            self.records.append(checkpoint)
            if checkpoint.run_id is not None and len(self.run_ids) < MAX_RUN_IDS:
                self.run_ids.setdefault(checkpoint.run_id, None)
        self.revision += 1


class RunIdLog:
    """A `LineSink` for logs.log: run ids of its "TrainingClient initialized" lines, in order."""

    def __init__(self) -> None:
        self.run_ids: dict[str, None] = {}
        self.revision = 0

    def restart(self) -> None:
        """Forget the runs: the file was replaced."""
        self.run_ids.clear()
        self.revision += 1

    def feed(self, lines: list[bytes]) -> None:
        """Pick the run ids out of complete lines."""
        text = b"\n".join(lines)  # one search in C over a chunk, not a loop over its lines
        if b"TrainingClient" not in text:
            return
        for match in _TRAINING_CLIENT_LINE.finditer(text):
            run_id = valid_run_id(match.group(1).decode("utf-8", "replace"))
            if run_id is None or run_id in self.run_ids or len(self.run_ids) >= MAX_RUN_IDS:
                continue
            self.run_ids[run_id] = None
            self.revision += 1


def ordered_run_ids(started: Iterable[str], saved: Iterable[str]) -> tuple[str, ...]:
    """All run ids, in the order the runs started.

    `started` (from logs.log) is in start order; a run only `saved` names (logs.log missing or not
    read that far) goes right after the run saved before it, or first if none was.
    """
    order = list(dict.fromkeys(started))
    known = set(order)
    previous: str | None = None
    for run_id in saved:
        if run_id not in known:
            at = order.index(previous) + 1 if previous is not None else 0
            order.insert(at, run_id)
            known.add(run_id)
        previous = run_id
    return tuple(order)


def _path(value: object) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= 1000 else None


def _integer(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None

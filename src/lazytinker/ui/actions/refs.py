"""Checkpoints as the API addresses them: a path that parses becomes a ref, the rest are said.

A server may list checkpoints whose paths have a shape of its own (four parts, an unknown kind,
no `tinker://` at all). They are shown like any other row, but no action can address them, so
an action on a selection that holds some acts on the others and says, once, what it left alone;
it never ends in a crash.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from lazytinker.api.models import Checkpoint
from lazytinker.api.paths import CheckpointRef
from lazytinker.text import one_line

__all__ = ["actionable", "run_id_or_none"]


def run_id_or_none(path: str) -> str | None:
    """The run a checkpoint path names, or None when the path does not parse."""
    try:
        return CheckpointRef.parse(path).run_id
    except ValueError:
        return None


def actionable(
    checkpoints: Iterable[Checkpoint], warn: Callable[[str], None]
) -> list[CheckpointRef]:
    """The refs of the checkpoints whose paths parse; `warn` is told of the others, once."""
    refs: list[CheckpointRef] = []
    odd: list[str] = []
    for checkpoint in checkpoints:
        try:
            refs.append(CheckpointRef.parse(checkpoint.path))
        except ValueError:
            odd.append(checkpoint.path)
    if odd:
        first = one_line(odd[0], 60) or "(empty)"
        if len(odd) == 1:
            what = f"Left 1 checkpoint alone: its path {first} is"
        else:
            what = f"Left {len(odd)} checkpoints alone: their paths ({first} and more) are"
        warn(f"{what} not of a shape lazytinker can act on (tinker://RUN/KIND/NAME).")
    return refs

"""The field terms `/` understands on checkpoints and on runs (README: "Filter terms").

Checkpoints: `type:sampler`, `public:yes`, `size:>1GB`, `age:>30d`, `expires:<7d`,
`expires:never`, `run:<text>`. Runs: `run:<text>`, `model:<text>`, `age:>7d` (since the last
request), `size:>10GB` (the run's checkpoints, once counted). Comparisons take `>`, `>=`, `<`,
`<=`, `=`; without one a size or age means "at least", an expiry "within". Words also match
metadata (`dataset=math-500`): `metadata_text` is what the row model adds to its search text.
No Textual here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from lazytinker.api.models import Checkpoint, TrainingRun
from lazytinker.store import RunTotal
from lazytinker.ui.table.query import (
    Field,
    TermError,
    Test,
    comparison,
    duration_seconds,
    size_bytes,
    yes_no,
)

Clock = Callable[[], datetime]

_TYPES = {
    "training": "training",
    "train": "training",
    "weights": "training",
    "sampler": "sampler",
    "sampler_weights": "sampler",
    "external": "external",
    "external_weights": "external",
}


def run_of_path(path: str) -> str:
    """The run id in a `tinker://RUN/kind/name` (or `hpcai://`) path, without parsing it all."""
    parts = path.split("/", 3)
    return parts[2] if len(parts) > 2 else ""


def metadata_text(item: Checkpoint | TrainingRun) -> str:
    """`key=value` pairs of a row's metadata, for `/` to find (`/math` -> `dataset=math-500`)."""
    metadata = item.user_metadata or {}
    return " ".join(f"{key}={value}" for key, value in metadata.items())


def _type(value: str) -> Test[Checkpoint]:
    word = value.casefold()
    kinds = {kind for alias, kind in _TYPES.items() if alias.startswith(word)}
    if not kinds:
        raise TermError("training, sampler or external")
    return lambda c: c.checkpoint_type in kinds


def _public(value: str) -> Test[Checkpoint]:
    wanted = yes_no(value)
    return lambda c: bool(c.public) == wanted


def _size(value: str) -> Test[Checkpoint]:
    compare, rest = comparison(value)
    limit = size_bytes(rest)
    return lambda c: c.size_bytes is not None and compare(c.size_bytes, limit)


def _age(now: Clock) -> Callable[[str], Test[Checkpoint]]:
    def parse(value: str) -> Test[Checkpoint]:
        compare, rest = comparison(value)
        seconds = duration_seconds(rest)
        return lambda c: compare((now() - c.time).total_seconds(), seconds)

    return parse


def _expires(now: Clock) -> Callable[[str], Test[Checkpoint]]:
    def parse(value: str) -> Test[Checkpoint]:
        word = value.casefold()
        if word in ("never", "no", "none"):
            return lambda c: c.expires_at is None
        if word in ("yes", "set", "any"):
            return lambda c: c.expires_at is not None
        compare, rest = comparison(value, default="<=")
        try:
            seconds = duration_seconds(rest)
        except TermError:
            raise TermError("never, or a time left such as <7d, >30d, <12h") from None
        return lambda c: c.expires_at is not None and compare(
            (c.expires_at - now()).total_seconds(), seconds
        )

    return parse


def _run(value: str) -> Test[Checkpoint]:
    needle = value.casefold()
    return lambda c: needle in run_of_path(c.path).casefold()


def checkpoint_fields(now: Clock) -> dict[str, Field[Checkpoint]]:
    """The terms of a checkpoint list, timed by the store's clock."""
    fields = [
        Field("type", _type, "training, sampler or external"),
        Field("public", _public, "yes or no"),
        Field("size", _size, ">1GB, <500MB"),
        Field("age", _age(now), ">30d, <12h"),
        Field("expires", _expires(now), "never, <7d, >30d"),
        Field("run", _run, "part of a run id"),
    ]
    return {field.name: field for field in fields}


def run_fields(
    now: Clock, totals: Callable[[str], RunTotal | None]
) -> dict[str, Field[TrainingRun]]:
    """The terms of the runs pane; `size:` needs the run's checkpoints counted (`totals`)."""

    def run(value: str) -> Test[TrainingRun]:
        needle = value.casefold()
        return lambda r: needle in r.training_run_id.casefold()

    def model(value: str) -> Test[TrainingRun]:
        needle = value.casefold()
        return lambda r: needle in r.base_model.casefold()

    def age(value: str) -> Test[TrainingRun]:
        compare, rest = comparison(value)
        seconds = duration_seconds(rest)
        return lambda r: compare((now() - r.last_request_time).total_seconds(), seconds)

    def size(value: str) -> Test[TrainingRun]:
        compare, rest = comparison(value)
        limit = size_bytes(rest)

        def test(r: TrainingRun) -> bool:
            total = totals(r.training_run_id)
            return total is not None and compare(total.size_bytes, limit)

        return test

    fields = [
        Field("run", run, "part of a run id"),
        Field("model", model, "part of a base model name"),
        Field("age", age, ">7d (since the last request)"),
        Field("size", size, ">10GB (the run's checkpoints)"),
    ]
    return {field.name: field for field in fields}

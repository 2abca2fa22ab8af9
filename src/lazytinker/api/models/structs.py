"""The base of the wire records the app's start parses (training runs, session search, the
handshake): msgspec structs, where the rest of the protocol is pydantic models (`base`).

Why two libraries: before the first rows could be painted, importing pydantic and building its
validators took about a fifth of the start's CPU (issue 19; 0.1 s on the benchmark machine).
msgspec imports in a few milliseconds and decodes straight from the bytes into these records.
The stand-in server serves and documents them too (`server/structs.py`), so the client and the
server still share one definition of each shape.

They read a server's answer by the pydantic models' rules: unknown fields are ignored, values are
coerced where pydantic's lax mode would (`"8"` for 8), timestamps are made timezone-aware, sizes
and counts never fail a listing (`values.count_or_none`), and what a server may leave out on
purpose can be told from a default (`NOT_SENT`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import msgspec

S = TypeVar("S", bound=msgspec.Struct)


class WireStruct(msgspec.Struct, kw_only=True):
    """Base of the msgspec wire records: keyword-only fields, unknown fields ignored."""


class TaggedStruct(WireStruct, tag_field="type"):
    """Base of a kind told apart by its `type` (an owner, a status, a failure): msgspec's tag,
    readable as `record.type` as it reads on the wire."""

    @property
    def type(self) -> str:
        """The kind's tag."""
        return str(self.__struct_config__.tag)


if TYPE_CHECKING:
    SizeField = int | None
    CountField = int
else:
    # Any JSON value is taken, then made a size or None (a count or 0) by the record's
    # `__post_init__`: one odd size must not fail a whole listing, as with pydantic's
    # `BeforeValidator` (`base.ByteCount`, `base.Count`).
    SizeField = Any
    CountField = Any

NOT_SENT: Any = msgspec.UNSET
"""The default of a field whose absence means something: the record's `__post_init__` notes
the field as not sent, then puts its usual default in its place."""


def decode_wire(data: bytes, model: type[S]) -> S:
    """`data` (JSON) as `model`; raises `msgspec.ValidationError` or `msgspec.DecodeError`."""
    return msgspec.json.decode(data, type=model, strict=False)


def convert_wire(data: Any, model: type[S]) -> S:
    """Python data (as `json.loads` gives it) as `model`; raises `msgspec.ValidationError`."""
    return msgspec.convert(data, type=model, strict=False)


def wire_data(record: Any, *, exclude_none: bool = False) -> Any:
    """A record as JSON-ready data (datetimes as RFC 3339 with `Z`), as pydantic's
    `model_dump(mode="json")` gives it; `exclude_none` leaves out every null, at any depth."""
    data = msgspec.to_builtins(record)
    return _without_none(data) if exclude_none else data


def _without_none(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _without_none(v) for k, v in data.items() if v is not None}
    if isinstance(data, list):
        return [_without_none(v) for v in data]
    return data


def wire_copy(record: S, **changes: Any) -> S:
    """`record` with `changes`, as pydantic's `model_copy(update=...)`: a field changed here
    counts as sent, the others keep what the original knew (`Checkpoint.sent`)."""
    copy = msgspec.structs.replace(record, **changes)
    unsent = getattr(record, "unsent", None)
    if unsent:
        copy.unsent = unsent - changes.keys()  # type: ignore[attr-defined]
    return copy


class Refusal(NamedTuple):
    """Where and why msgspec refused a record: the path (`["runs", "0", "id"]`), the reason,
    and whether the field was missing."""

    loc: list[str]
    msg: str
    missing: bool


_REFUSAL = re.compile(r"^(?P<msg>.*?)(?: - at `\$(?P<path>.*)`)?$", re.DOTALL)
_MISSING = re.compile(r"^Object missing required field `(?P<name>.*)`$", re.DOTALL)
_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]|\[(\.\.\.)\]")
_QUOTED = re.compile(r" '.*'$", re.DOTALL)


def refusal_of(text: str) -> Refusal:
    """msgspec's `Expected `str`, got `int` - at `$.runs[0].id`` taken apart. The value msgspec
    quotes (`Invalid enum value '...'`) is left out: it is the other side's text, and the
    field is named. A mapping's key is not named either (`<key>`): msgspec says `[...]`."""
    found = _REFUSAL.match(text)
    msg, path = (found["msg"], found["path"] or "") if found else (text, "")
    msg = _QUOTED.sub("", msg)
    loc = [name or index or "<key>" for name, index, _ in _STEP.findall(path)]
    missing = _MISSING.match(msg)
    if missing:
        loc.append(missing["name"])
    return Refusal(loc, msg, missing is not None)

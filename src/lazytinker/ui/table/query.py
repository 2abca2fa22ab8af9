"""What `/` understands: words, and field terms such as `type:sampler`, `size:>1GB`, `age:>30d`.

No Textual here (the row model uses it, and benchmarks time it). A table names the fields its
rows have (`Field`: a name and a parser of the value); a word `name:value` whose name is one of
them is a term, anything else is a word (run ids hold colons: `train:3` stays a word). A term
that does not parse is not dropped: the query says why (`problems`), and it matches no row, so
that a typo never widens what `*` then `d` would act on.

Helpers for the values most fields take: a comparison (`>1GB`, `<=7d`), a size with its unit,
a duration, a yes/no.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

import msgspec

T = TypeVar("T")
Test = Callable[[T], bool]


class TermError(ValueError):
    """A field term whose value does not parse; the message says what would."""


class Field(msgspec.Struct, Generic[T], frozen=True):
    """A field `/` can test: `name:value` becomes a test of a row, or a `TermError`."""

    name: str
    parse: Callable[[str], Test[T]]
    help: str = ""
    """What the value looks like, for the problem line and the README (`>1GB`, `<500MB`)."""


class Query(msgspec.Struct, Generic[T], frozen=True):
    """A filter as typed: the plain words (casefolded), the terms' tests, and the problems."""

    words: tuple[str, ...] = ()
    tests: tuple[Test[T], ...] = ()
    terms: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def has_terms(self) -> bool:
        """Whether a field term (good or bad) is in the query."""
        return bool(self.terms)


def _nothing(_item: Any) -> bool:
    return False


def parse_query(text: str, fields: Mapping[str, Field[T]]) -> Query[T]:
    """Split `text` into words and field terms; a term that does not parse matches nothing."""
    words: list[str] = []
    tests: list[Test[T]] = []
    terms: list[str] = []
    problems: list[str] = []
    for token in text.split():
        name, colon, value = token.partition(":")
        field = fields.get(name.casefold()) if colon else None
        if field is None:
            words.append(token.casefold())
            continue
        terms.append(token)
        try:
            if not value:
                raise TermError(f"needs a value{': ' + field.help if field.help else ''}")
            tests.append(field.parse(value))
        except TermError as error:
            problems.append(f"{token}: {error}")
            tests.append(_nothing)
    return Query(tuple(words), tuple(tests), tuple(terms), tuple(problems))


# --- values -------------------------------------------------------------------------------

_COMPARISON = re.compile(r"(?P<op>>=|<=|>|<|=)?(?P<rest>.*)")
_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "=": operator.eq,
}


def comparison(value: str, default: str = ">=") -> tuple[Callable[[Any, Any], bool], str]:
    """`>1GB` -> (greater-than, `1GB`); no operator means `default`."""
    match = _COMPARISON.fullmatch(value)
    assert match is not None  # the pattern accepts anything
    return _OPERATORS[match["op"] or default], match["rest"]


_SIZE = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>[a-z]*)")
_SIZE_UNITS: dict[str, float] = {
    "": 1,
    "b": 1,
    "k": 1e3,
    "kb": 1e3,
    "m": 1e6,
    "mb": 1e6,
    "g": 1e9,
    "gb": 1e9,
    "t": 1e12,
    "tb": 1e12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
}


def size_bytes(text: str) -> float:
    """`1.5GB` -> 1.5e9 bytes (decimal units as sizes are shown; KiB, MiB, GiB too)."""
    match = _SIZE.fullmatch(text.strip().casefold())
    if match is None or match["unit"] not in _SIZE_UNITS:
        raise TermError("not a size (e.g. >1GB, <500MB, >=2.5GiB)")
    return float(match["n"]) * _SIZE_UNITS[match["unit"]]


_DURATION = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>[a-z]+)")
_DURATION_UNITS: dict[str, float] = {
    "s": 1,
    "m": 60,
    "min": 60,
    "h": 3600,
    "d": 86400,
    "w": 7 * 86400,
    "mo": 30 * 86400,
    "y": 365 * 86400,
}


def duration_seconds(text: str) -> float:
    """`30d` -> seconds (s, m, h, d, w, mo, y)."""
    match = _DURATION.fullmatch(text.strip().casefold())
    if match is None or match["unit"] not in _DURATION_UNITS:
        raise TermError("not a duration (e.g. >30d, <12h, >=2w; units s m h d w mo y)")
    return float(match["n"]) * _DURATION_UNITS[match["unit"]]


_YES = frozenset({"yes", "y", "true", "1", "on"})
_NO = frozenset({"no", "n", "false", "0", "off"})


def yes_no(text: str) -> bool:
    """`yes`/`no` (also true/false, y/n, 1/0)."""
    word = text.casefold()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise TermError("yes or no")

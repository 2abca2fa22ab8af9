"""TTL text parsing: the accepted forms, the 1 hour .. 10 years range, and one-line refusals."""

from __future__ import annotations

import pytest

from lazytinker.store.ttl import (
    DAY,
    HOUR,
    MAX_TTL_SECONDS,
    MIN_TTL_SECONDS,
    YEAR,
    TtlError,
    describe_ttl,
    parse_ttl,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("12h", 12 * HOUR),
        ("7d", 7 * DAY),
        ("90d", 90 * DAY),
        ("1y", YEAR),
        ("10y", 10 * YEAR),
        ("3600", 3600),
        ("2w", 14 * DAY),
        ("  7D ", 7 * DAY),
        ("60m", HOUR),
        ("3 days", 3 * DAY),
        ("1h", MIN_TTL_SECONDS),
    ],
)
def test_accepted_forms(text: str, seconds: int) -> None:
    assert parse_ttl(text) == seconds


@pytest.mark.parametrize("text", ["never", "NEVER", " never "])
def test_never_removes_the_expiry(text: str) -> None:
    assert parse_ttl(text) is None


@pytest.mark.parametrize(
    "text", ["0", "-3d", "11y", "banana", "", "3599", "59m", "1.5d", "7x", "d", "10y1d"]
)
def test_refused_with_the_valid_range(text: str) -> None:
    with pytest.raises(TtlError) as caught:
        parse_ttl(text)
    message = str(caught.value)
    assert "1 hour to 10 years" in message
    assert "\n" not in message


def test_ttl_error_is_a_value_error() -> None:
    assert issubclass(TtlError, ValueError)


def test_range_bounds_are_inclusive() -> None:
    assert parse_ttl(str(MAX_TTL_SECONDS)) == MAX_TTL_SECONDS
    with pytest.raises(TtlError):
        parse_ttl(str(MAX_TTL_SECONDS + 1))


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "never expires"), (HOUR, "1 hour"), (12 * HOUR, "12 hours"), (YEAR, "1 year")],
)
def test_describe(seconds: int | None, text: str) -> None:
    assert describe_ttl(seconds) == text

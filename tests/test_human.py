"""One way to say a size and a time, shared by the app and the command line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lazytinker import human

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("size_bytes", "said"),
    [
        (0, "0 B"),
        (1, "1 B"),
        (999, "999 B"),
        (1000, "1.0 kB"),
        (397_100_000, "397.1 MB"),
        (999_960_000, "1.0 GB"),  # rounds up into the next unit, never "1000.0 MB"
        (111_382_938_112, "111.4 GB"),  # the API's own size_gigabytes: 111.38
        (2_700_000_000_000, "2.7 TB"),
        (None, "?"),
    ],
)
def test_sizes_are_decimal_everywhere(size_bytes: int | None, said: str) -> None:
    assert human.size(size_bytes) == said


def test_a_rate_is_a_size_per_second() -> None:
    assert human.rate(64_000_000) == "64.0 MB/s"


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (0, "0s"),
        (59.4, "59s"),
        (59.6, "1m"),  # never "60s"
        (89, "1m"),
        (91, "2m"),  # rounded, not cut down
        (3600 * 23.6, "1d"),
        (86400 * 7 - 1, "7d"),
        (86400 * 44, "44d"),
        (86400 * 90, "3mo"),
        (86400 * 365 * 1.5, "1.5y"),
        (86400 * 365 * 2, "2y"),
    ],
)
def test_spans_round_to_the_nearest_unit(seconds: float, said: str) -> None:
    assert human.span(seconds) == said


def test_a_seven_day_expiry_set_a_second_ago_reads_seven_days() -> None:
    set_at = NOW - timedelta(seconds=1)
    assert human.expires(set_at + timedelta(days=7), NOW) == "in 7d"
    assert human.moment(set_at + timedelta(days=7), NOW, future=True).endswith("(in 7d)")


def test_the_same_moment_reads_the_same_in_a_cell_and_a_sentence() -> None:
    when = NOW - timedelta(hours=3, minutes=10)
    assert human.ago(when, NOW) == "3h ago"
    assert human.moment(when, NOW) == "2026-11-20 08:50 UTC (3h ago)"


def test_a_past_moment_a_little_ahead_of_our_clock_reads_now() -> None:
    assert human.ago(NOW + timedelta(seconds=20), NOW) == "now"
    assert human.ago(NOW + timedelta(days=2), NOW) == "in 2d"
    assert human.ago(None, NOW) == "-"
    assert human.expires(None, NOW) == "never"
    assert human.expires(NOW - timedelta(seconds=1), NOW) == "expired"


def test_a_naive_moment_is_utc() -> None:
    assert human.ago(datetime(2026, 11, 20, 11, 0), NOW) == "1h ago"


@pytest.mark.parametrize(
    ("number", "said"), [(0, "0 checkpoints"), (1, "1 checkpoint"), (3, "3 checkpoints")]
)
def test_counts_agree_with_their_nouns(number: int, said: str) -> None:
    assert human.count(number, "checkpoint") == said


@pytest.mark.parametrize(
    ("done", "total", "said"),
    [(1, 1, "1 checkpoint"), (3, 3, "3 checkpoints"), (2, 3, "2 of 3 checkpoints"),
     (0, 1, "0 of 1 checkpoint")],
)  # fmt: skip
def test_part_of_a_count_agrees_with_the_whole(done: int, total: int, said: str) -> None:
    assert human.of(done, total, "checkpoint") == said

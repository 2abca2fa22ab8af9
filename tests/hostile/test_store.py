"""Bounded work against a hostile server, at the store: paging stops when a page brings nothing
new and says so; duplicate ids are one row; odd data becomes rows.

A table of listings -> scripted answers -> what the store must hold and say. Each case is bounded
in requests (never more than the first page plus the pages in flight) and in memory.
"""

from __future__ import annotations

import asyncio
import tracemalloc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest

from lazytinker.api.client import TinkerAPI
from lazytinker.api.paging import iter_offset_pages
from lazytinker.api.target import ServerTarget, StaticKey
from lazytinker.store import Notice, Store
from tests.hostile.payloads import KEY, assert_safe_line
from tests.hostile.server import Answer, HostileServer
from tests.hostile.world import (
    checkpoint,
    checkpoints_page,
    hostile_runs,
    run,
    runs_page,
)

SAME_100 = [run(f"run-{i}") for i in range(100)]
SEARCH = "/api/v1/sessions/search"


NOW = "2026-05-01T12:00:00Z"


def sessions_page(first: int, count: int, cursor: str) -> dict[str, object]:
    """A page of session search: sessions `first`.. `first + count - 1`, then a cursor."""
    sessions = [
        {
            "session_id": f"s{i}",
            "created_at": NOW,
            "owner": "me",
            "project_id": "p",
            "checkpoints_count": 0,
        }
        for i in range(first, first + count)
    ]
    return {
        "sessions": sessions,
        "next_cursor": {"last_created_at": NOW, "last_session_id": cursor},
    }


SAME_1000_CHECKPOINTS = checkpoints_page(
    [checkpoint(f"tinker://r/weights/{i}") for i in range(1000)], total=10**12
)


@dataclass(frozen=True)
class Listing:
    """One listing case: the routes, the load, and what must come of it."""

    id: str
    routes: list[tuple[str, str, Answer]]
    load: Callable[[Store], Awaitable[bool]]
    rows: Callable[[Store], int]
    expect_rows: int
    says: str = ""
    max_requests: int = 6


LISTINGS = [
    Listing(
        "runs-offset-ignored-claiming-10-to-the-12",
        [("GET", "/api/v1/training_runs", Answer(body=runs_page(SAME_100, total=10**12)))],
        lambda s: s.load_runs(),
        lambda s: len(s.state.runs),
        100,
        says="Training runs: stopped at 100 rows: the server's page at offset 100 brought "
        "nothing new",
    ),
    Listing(
        "all-checkpoints-the-same-page-for-ever",
        [("GET", "/api/v1/checkpoints", Answer(body=SAME_1000_CHECKPOINTS))],
        lambda s: s.load_user_checkpoints(),
        lambda s: len(s.state.user_checkpoints),
        1000,
        says="All checkpoints: stopped at 1,000 rows",
    ),
    Listing(
        "runs-claiming-more-then-empty",
        [("GET", "/api/v1/training_runs", Answer(body=runs_page([run("only")], total=10**12)))],
        lambda s: s.load_runs(),
        lambda s: len(s.state.runs),
        1,
        says="brought nothing new",
    ),
    Listing(
        "session-list-offset-ignored",
        [
            ("POST", "/api/v1/sessions/search", Answer(404, {"detail": "no search here"})),
            ("GET", "/api/v1/sessions", Answer(body={"sessions": [f"s{i}" for i in range(100)]})),
        ],
        lambda s: s.load_sessions(),
        lambda s: len(s.state.sessions),
        100,
        says="Sessions: stopped at 100",
        max_requests=8,
    ),
    Listing(
        "session-search-cursor-going-nowhere",
        [("POST", SEARCH, Answer(body=sessions_page(0, 3, "the-same-cursor")))],
        lambda s: s.load_sessions(),
        lambda s: len(s.state.sessions),
        3,
        says="Sessions: stopped at 3: the next page brought nothing new",
        max_requests=2,
    ),
    Listing(
        "duplicate-ids-and-payloads-are-rows",
        [("GET", "/api/v1/training_runs", Answer(body=runs_page(hostile_runs())))],
        lambda s: s.load_runs(),
        lambda s: len(s.state.runs),
        len({r["training_run_id"] for r in hostile_runs()}),
    ),
]


@pytest.mark.parametrize("case", LISTINGS, ids=[c.id for c in LISTINGS])
async def test_listing_is_bounded_and_says_why_it_stopped(case: Listing) -> None:
    with HostileServer() as server:
        for method, path, answer in case.routes:
            server.on(method, path, answer)
        api = TinkerAPI(ServerTarget(server.url, StaticKey(KEY)), deadline=5)
        store = Store(api)
        said: list[Notice] = []
        store.on_notice(said.append)
        tracemalloc.start()
        try:
            async with asyncio.timeout(20):
                ok = await case.load(store)
        finally:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            await store.close()
        listing_calls = [r for r in server.requests if "/client/" not in r.path]
    assert ok, store.errors
    assert case.rows(store) == case.expect_rows
    assert len(listing_calls) <= case.max_requests, [r.line for r in listing_calls]
    assert peak < 200 * 1024 * 1024
    if case.says:
        messages = [n.message for n in said]
        assert any(case.says in m for m in messages), messages
        for message in messages:
            assert_safe_line(message)


async def test_a_listing_stops_at_its_row_limit_and_says_so() -> None:
    """A server that brings new rows for ever is stopped by the row limit, not the claim."""
    asked: list[int] = []
    said: list[str] = []

    async def fetch(offset: int, limit: int) -> list[int]:
        asked.append(offset)
        return list(range(offset, offset + limit))

    pages = [
        page
        async for page in iter_offset_pages(
            fetch,
            page_size=10,
            total_of=lambda p: 10**12,
            keys_of=lambda p: p,
            max_items=95,
            on_stop=said.append,
        )
    ]
    assert sum(len(p) for p in pages) == 95
    assert max(asked) == 90
    assert said == [
        "stopped at 95 rows: a listing holds at most 95 rows here (it claims 1,000,000,000,000)"
    ]


async def test_a_session_search_that_never_ends_stops_at_its_page_limit_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """New sessions on every page, a cursor every time: the page limit ends it, said."""
    monkeypatch.setattr("lazytinker.store.loaders.sessions.SEARCH_MAX_PAGES", 3)
    pages = [Answer(body=sessions_page(i * 10, 10, f"c{i + 1}")) for i in range(5)]
    with HostileServer() as server:
        server.on("POST", SEARCH, *pages)
        store = Store(TinkerAPI(ServerTarget(server.url, StaticKey(KEY)), deadline=5))
        said: list[Notice] = []
        store.on_notice(said.append)
        try:
            assert await store.load_sessions()
        finally:
            await store.close()
        asked = len(server.calls("POST", SEARCH))
    assert len(store.state.sessions) == 30
    assert asked == 3
    assert [n.message for n in said] == [
        "Sessions: stopped at 30: a search reads at most 3 pages here"
    ]

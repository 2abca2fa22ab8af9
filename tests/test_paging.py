"""The paged fetcher: first page first, several in flight, yielded in order, errors and early stops.

The fetch functions here are plain coroutines over a list (no HTTP: the fetcher's job is ordering
and concurrency, whatever fetches the pages); `test_client_server.py` pages over the real server.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest

from lazytinker.api.paging import iter_offset_pages


@dataclass
class Page:
    offset: int
    items: list[int]
    total: int


@dataclass
class Source:
    """A listing of `total` items whose later pages answer sooner than earlier ones."""

    total: int
    calls: list[tuple[int, int]] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    fail_at: int | None = None
    cancelled: int = 0
    gates: dict[int, asyncio.Event] = field(default_factory=dict)

    async def fetch(self, offset: int, limit: int) -> Page:
        self.calls.append((offset, limit))
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            # Yield to the loop a number of times that shrinks with the offset, so later pages
            # finish first; ordering must not depend on completion order.
            for _ in range(max(1, 50 - offset // 10)):
                await asyncio.sleep(0)
            if offset in self.gates:
                await self.gates[offset].wait()
            if self.fail_at == offset:
                raise RuntimeError(f"page at {offset} failed")
            return Page(offset, list(range(offset, min(offset + limit, self.total))), self.total)
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        finally:
            self.in_flight -= 1


async def collect(source: Source, **kw: int) -> list[Page]:
    return [
        page
        async for page in iter_offset_pages(
            source.fetch, total_of=lambda p: p.total, page_size=kw.pop("page_size", 10), **kw
        )
    ]


async def test_pages_come_in_order_and_cover_everything() -> None:
    source = Source(total=95)
    pages = await collect(source, concurrency=4)
    assert [p.offset for p in pages] == list(range(0, 95, 10))
    assert [i for p in pages for i in p.items] == list(range(95))
    assert source.calls[0] == (0, 10)
    assert source.calls[-1] == (90, 5)


async def test_several_pages_in_flight_but_never_more_than_asked() -> None:
    source = Source(total=200)
    await collect(source, concurrency=3)
    assert source.max_in_flight == 3


async def test_first_page_is_yielded_before_the_rest_are_fetched() -> None:
    source = Source(total=100)
    pages = iter_offset_pages(source.fetch, page_size=10, total_of=lambda p: p.total)
    first = await anext(pages)
    assert first.offset == 0
    assert source.calls == [(0, 10)]
    await pages.aclose()


async def test_limit_caps_the_items_asked_for() -> None:
    source = Source(total=1000)
    pages = await collect(source, limit=25)
    assert [i for p in pages for i in p.items] == list(range(25))
    assert source.calls == [(0, 10), (10, 10), (20, 5)]


async def test_single_short_listing_and_empty_listing() -> None:
    assert [p.items for p in await collect(Source(total=3))] == [[0, 1, 2]]
    assert [p.items for p in await collect(Source(total=0))] == [[]]
    assert await collect(Source(total=50), limit=0) == []


async def test_an_error_is_raised_in_order_and_the_rest_cancelled() -> None:
    source = Source(total=100, fail_at=30)
    gate = asyncio.Event()  # never set: pages after the failure must be cancelled, not awaited
    for offset in range(40, 100, 10):
        source.gates[offset] = gate
    seen: list[int] = []

    async def consume() -> None:
        async for page in iter_offset_pages(
            source.fetch, page_size=10, total_of=lambda p: p.total, concurrency=5
        ):
            seen.append(page.offset)

    with pytest.raises(RuntimeError, match="page at 30 failed"):
        await consume()
    assert seen == [0, 10, 20]
    assert source.in_flight == 0
    assert source.cancelled >= 1


async def test_stopping_early_cancels_pages_in_flight() -> None:
    source = Source(total=100)
    gate = asyncio.Event()
    for offset in range(20, 100, 10):
        source.gates[offset] = gate
    pages = iter_offset_pages(source.fetch, page_size=10, total_of=lambda p: p.total)
    assert (await anext(pages)).offset == 0
    assert (await anext(pages)).offset == 10
    await pages.aclose()
    assert source.in_flight == 0
    assert source.cancelled >= 1


@pytest.mark.parametrize("kw", [{"page_size": 0}, {"concurrency": 0}])
async def test_bad_arguments(kw: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        await collect(Source(total=10), **kw)

"""Fetch an offset-paged listing with several pages in flight, yielding pages in order.

The first page is fetched alone (it tells how many there are) and yielded at once, so a screen
can show it while the rest arrive.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

P = TypeVar("P")


async def iter_offset_pages(
    fetch: Callable[[int, int], Awaitable[P]],
    *,
    page_size: int,
    total_of: Callable[[P], int],
    concurrency: int = 4,
    limit: int | None = None,
) -> AsyncIterator[P]:
    """Yield the pages of a listing in offset order; `fetch(offset, limit)` fetches one page.

    At most `concurrency` pages are in flight after the first. `limit` caps how many items are
    asked for in all. An error in any page is raised (in order) and the pages still in flight
    are cancelled; so are they when the caller stops iterating early.
    """
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    wanted = limit if limit is not None else None
    if wanted is not None and wanted <= 0:
        return
    first = await fetch(0, page_size if wanted is None else min(page_size, wanted))
    yield first
    total = total_of(first)
    if wanted is not None:
        total = min(total, wanted)
    offsets = deque(range(page_size, total, page_size))
    in_flight: deque[asyncio.Task[P]] = deque()

    def launch() -> None:
        while offsets and len(in_flight) < concurrency:
            offset = offsets.popleft()
            size = min(page_size, total - offset)
            in_flight.append(asyncio.ensure_future(fetch(offset, size)))

    try:
        launch()
        while in_flight:
            page = await in_flight[0]
            in_flight.popleft()
            launch()
            yield page
    finally:
        for task in in_flight:
            task.cancel()
        if in_flight:
            await asyncio.gather(*in_flight, return_exceptions=True)

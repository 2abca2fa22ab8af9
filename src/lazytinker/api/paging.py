"""Fetch an offset-paged listing with several pages in flight, yielding pages in order.

The first page is fetched alone (it tells how many there are) and yielded at once, so a screen
can show it while the rest arrive. The count a server claims only bounds the work from above:
paging stops, and says why through `on_stop`, when a page brings no row not seen before (a server
that ignores the offset, or repeats one page for ever), when a page comes back empty before the
claimed end, or at `max_items` rows. Offsets are made one page at a time, so a claimed
`total_count` of 10^12 costs nothing; memory grows with the rows received.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Iterable
from typing import TypeVar

P = TypeVar("P")

MAX_ITEMS = 1_000_000
"""Rows one listing may bring in all, whatever the server claims (ten times our benchmark's)."""


async def iter_offset_pages(
    fetch: Callable[[int, int], Awaitable[P]],
    *,
    page_size: int,
    total_of: Callable[[P], int],
    keys_of: Callable[[P], Iterable[Hashable]] | None = None,
    concurrency: int = 4,
    limit: int | None = None,
    max_items: int = MAX_ITEMS,
    on_stop: Callable[[str], None] | None = None,
) -> AsyncIterator[P]:
    """Yield the pages of a listing in offset order; `fetch(offset, limit)` fetches one page.

    `keys_of` gives the ids of a page's rows: a page none of whose ids is new ends the listing
    (every caller facing a server passes it; without it only an empty page ends a listing
    early, and pages are told apart by their position).
    At most `concurrency` pages are in flight after the first. `limit` caps how many items are
    asked for in all. An error in any page is raised (in order) and the pages still in flight
    are cancelled; so are they when the caller stops iterating early, or paging stops early
    (then `on_stop` is told why, in a phrase such as "the server's page at offset 200 brought
    nothing new").
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

    def keys(page: P, offset: int) -> list[Hashable]:
        if keys_of is not None:
            return list(keys_of(page))
        return [offset] if page else []

    seen = set(keys(first, 0))
    claimed = total_of(first)
    total = min(claimed, max_items if wanted is None else min(wanted, max_items))
    next_offset = page_size
    in_flight: deque[tuple[int, asyncio.Task[P]]] = deque()

    def launch() -> None:
        nonlocal next_offset
        while next_offset < total and len(in_flight) < concurrency:
            size = min(page_size, total - next_offset)
            in_flight.append((next_offset, asyncio.ensure_future(fetch(next_offset, size))))
            next_offset += page_size

    def stop(why: str) -> None:
        if on_stop is not None:
            on_stop(f"stopped at {len(seen):,} rows: {why} (it claims {claimed:,})")

    try:
        launch()
        while in_flight:
            offset, task = in_flight[0]
            page = await task
            in_flight.popleft()
            got = keys(page, offset)
            fresh = [k for k in got if k not in seen]
            if not fresh:
                what = "came back empty" if not got else "brought nothing new"
                stop(f"the server's page at offset {offset:,} {what}")
                return
            seen.update(fresh)
            launch()
            yield page
        if wanted is None and claimed > total:
            stop(f"a listing holds at most {max_items:,} rows here")
    finally:
        for _, task in in_flight:
            task.cancel()
        if in_flight:
            await asyncio.gather(*(t for _, t in in_flight), return_exceptions=True)

"""The API's connections (`api/pool.py`), counted by a real server on 127.0.0.1 by client port."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx
import pytest

from lazytinker.api.client import TinkerAPI
from lazytinker.api.pool import SplitPool
from lazytinker.api.tls import context_for
from lazytinker.server.runner import ServerThread
from tests.client_asgi import Receive, Scope, Send, closed_port, serve
from tests.ui.harness import profile_for


class CountPorts:
    """ASGI: notes the client port of every request; with `hold_until`, holds each request
    until that many have arrived (so that they are all under way at once)."""

    def __init__(self, app: Any = None, *, hold_until: int = 0) -> None:
        self.app = app
        self.ports: list[int] = []
        self.paths: list[str] = []
        self.hold_until = hold_until
        self._lock = threading.Lock()
        self._all_here: asyncio.Event | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        with self._lock:
            self.ports.append(scope["client"][1])
            self.paths.append(scope["path"])
            arrived = len(self.ports)
        if self.hold_until:
            if self._all_here is None:
                self._all_here = asyncio.Event()
            if arrived >= self.hold_until:
                self._all_here.set()
            await asyncio.wait_for(self._all_here.wait(), 10)
        if self.app is not None:
            await self.app(scope, receive, send)
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


async def test_one_call_at_a_time_keeps_one_connection(server: ServerThread) -> None:
    counting = CountPorts(server.app)
    with serve(counting) as url:
        async with TinkerAPI(profile_for(url).target()) as api:
            for _ in range(10):
                await api.list_training_runs(limit=1)
    # The handshake runs beside the first call: only the listings are one at a time.
    listings = [
        port
        for port, path in zip(counting.ports, counting.paths, strict=True)
        if path == "/api/v1/training_runs"
    ]
    assert len(listings) == 10
    # A pool per call would open a new connection (and over TLS two more round trips) each time.
    assert len(set(listings)) == 1


@pytest.mark.parametrize("calls", [32, 40])
async def test_at_most_32_connections_under_way_spread_over_the_pools(calls: int) -> None:
    counting = CountPorts(hold_until=32)
    pool = SplitPool(context_for("http://127.0.0.1"))
    with serve(counting) as url:
        async with httpx.AsyncClient(transport=pool, base_url=url) as client:
            answers = await asyncio.gather(*(client.get("/") for _ in range(calls)))
            assert pool.under_way == [0, 0, 0, 0]
            assert pool.pools_built == 4
    assert [a.status_code for a in answers] == [200] * calls
    # 32 were held at the server at once, each on its own connection; the rest waited for one.
    assert len(set(counting.ports)) == 32


async def test_a_call_that_fails_gives_its_place_back() -> None:
    pool = SplitPool(context_for("http://127.0.0.1"))
    async with httpx.AsyncClient(transport=pool) as client:
        for _ in range(3):
            with pytest.raises(httpx.ConnectError):
                await client.get(f"http://127.0.0.1:{closed_port()}/")
        assert pool.under_way == [0, 0, 0, 0]
        assert pool.pools_built == 1


async def test_a_body_closed_unread_gives_its_place_back() -> None:
    pool = SplitPool(context_for("http://127.0.0.1"))
    with serve(CountPorts()) as url:
        async with httpx.AsyncClient(transport=pool, base_url=url) as client:
            async with client.stream("GET", "/") as answer:
                assert answer.status_code == 200
                assert pool.under_way == [1, 0, 0, 0]
            assert pool.under_way == [0, 0, 0, 0]


async def test_the_last_pool_takes_what_is_left_of_the_connections() -> None:
    counting = CountPorts(hold_until=20)
    pool = SplitPool(context_for("http://127.0.0.1"), connections=20, per_pool=8)
    with serve(counting) as url:
        async with httpx.AsyncClient(transport=pool, base_url=url) as client:
            answers = await asyncio.gather(*(client.get("/") for _ in range(24)))
    assert [a.status_code for a in answers] == [200] * 24
    assert len(pool.under_way) == 3
    assert len(set(counting.ports)) == 20  # 8 + 8 + 4, not three pools of 8

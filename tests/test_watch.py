"""The watch: it outlives any failed refresh, backs off while the server fails, and never lets
one collection's refresh wait on another's."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from lazytinker.store import Change, Connection, StoreState
from lazytinker.store.watch import Watch

from .ui.harness import make_store


async def until(ready: Callable[[], bool], *, tries: int = 200) -> None:
    """Let the loop run until `ready()` holds (bounded: the test then asserts on state)."""
    for _ in range(tries):
        await asyncio.sleep(0.05)
        if ready():
            return
    raise AssertionError("never reached the expected state")


class ScriptedRefresh:
    """A refresh that records each call per collection, how many run at once, and does what
    the test says (`behave(name, call_number)` may raise or wait)."""

    def __init__(self, behave: Callable[[str, int], object] | None = None) -> None:
        self.calls: Counter[str] = Counter()
        self.running: Counter[str] = Counter()
        self.most_at_once: Counter[str] = Counter()
        self.behave = behave
        self.release = asyncio.Event()

    async def __call__(
        self, collections: Iterable[str] | None = None, *, watch: bool = False
    ) -> bool:
        (name,) = list(collections or ())
        self.calls[name] += 1
        self.running[name] += 1
        self.most_at_once[name] = max(self.most_at_once[name], self.running[name])
        try:
            outcome = self.behave(name, self.calls[name]) if self.behave else None
            if outcome == "hold":
                await self.release.wait()
            return True
        finally:
            self.running[name] -= 1


def watch_over(refresh: ScriptedRefresh, visible: set[str]) -> tuple[Watch, StoreState]:
    state = StoreState(lambda: datetime.now(UTC))
    state.connection = Connection.CONNECTED
    watch = Watch(state, refresh, 0.2)
    watch.set_visible(visible)
    return watch, state


async def test_a_refresh_that_raises_something_unexpected_does_not_end_the_watch() -> None:
    def behave(name: str, call: int) -> None:
        if call == 1:
            raise RuntimeError("a bug in a loader")

    refresh = ScriptedRefresh(behave)
    watch, state = watch_over(refresh, {"runs"})
    changes: list[Change] = []
    state.subscribe(changes.append)
    watch.start()
    await until(lambda: refresh.calls["runs"] >= 3)
    assert watch.started
    assert watch.stopped is None
    # The failure was filed under its collection, and the watch went on.
    assert "a bug in a loader" in state.errors["runs"]
    assert any(c.collection == "runs" for c in changes)
    watch.cancel()


async def test_a_slow_collection_never_holds_the_others_and_is_never_asked_twice() -> None:
    refresh = ScriptedRefresh(lambda name, call: "hold" if name == "sessions" else None)
    watch, _state = watch_over(refresh, {"runs", "sessions"})
    watch.start()
    await until(lambda: refresh.running["sessions"] == 1 and refresh.calls["runs"] >= 4)
    # Runs kept its beat while one sessions refresh was still in flight, and no second
    # sessions refresh was started beside it.
    assert refresh.calls["sessions"] == 1
    assert refresh.most_at_once["sessions"] == 1
    # Asking for sessions now joins the refresh in flight instead of starting another.
    joined = asyncio.ensure_future(watch.refresh(["sessions"]))
    await asyncio.sleep(0.1)
    assert refresh.calls["sessions"] == 1
    refresh.release.set()
    assert await joined
    watch.cancel()


async def test_a_watch_that_is_off_or_paused_refreshes_nothing() -> None:
    refresh = ScriptedRefresh()
    watch, _state = watch_over(refresh, {"runs"})
    watch.set_paused(True)
    watch.start()
    await asyncio.sleep(0.6)
    assert refresh.calls["runs"] == 0
    watch.set_paused(False)
    await until(lambda: refresh.calls["runs"] >= 1)
    watch.cancel()


async def test_the_watch_backs_off_while_the_server_is_down_and_heals(start_server) -> None:
    server = start_server()
    store = make_store(server.url, refresh=0.2)
    assert await store.connect()
    assert await store.load_runs()
    store.set_visible({"runs"})
    port = server.port
    server.stop()
    store.start_watch()
    await until(lambda: store.failures >= 2)
    assert store.connection is Connection.UNREACHABLE
    assert store.watch.backing_off
    assert store.next_delay > store.interval
    # The server comes back on the same port: the watch finds it by itself.
    start_server(port=port)
    await until(lambda: store.connection is Connection.CONNECTED, tries=600)
    await until(lambda: store.failures == 0)
    assert not store.watch.backing_off
    assert "runs" not in store.errors
    await store.close()


async def test_a_rejected_key_stops_the_watch_until_the_user_retries(server) -> None:
    store = make_store(server.url, key="tml-wrong", refresh=0.2)
    assert not await store.connect()
    assert store.connection is Connection.KEY_REJECTED
    store.set_visible({"runs"})
    requests: list[Change] = []
    store.subscribe(lambda c: requests.append(c) if c.collection == "clock" else None)
    store.start_watch()
    await asyncio.sleep(0.8)
    assert requests == []  # no refresh was tried with a key the server refused
    await store.close()

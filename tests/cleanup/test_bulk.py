"""Bulk actions as fast as the server allows: up to 32 in flight, slower on 429, cancellable."""

from __future__ import annotations

import asyncio

from lazytinker.api.client import TinkerAPI
from lazytinker.api.paths import CheckpointRef
from lazytinker.server.runner import ServerThread
from lazytinker.store import Change, Store
from lazytinker.store.actions.throttle import COOL_DOWN, MAX_IN_FLIGHT, Throttle
from tests.conftest import StartServer
from tests.ui.harness import profile_for


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_429_halves_the_window_once_per_burst_and_successes_widen_it() -> None:
    clock = Clock()
    throttle = Throttle(start=32, clock=clock)
    assert throttle.allowed == MAX_IN_FLIGHT == 32
    throttle.throttled(2.0)
    throttle.throttled(2.0)  # the same burst: every call in flight said 429 at once
    assert throttle.allowed == 16
    assert throttle.resume_at == clock.now + 2.0
    clock.now += COOL_DOWN
    throttle.throttled(None)
    assert throttle.allowed == 8
    assert throttle.lowest == 8
    for _ in range(9):
        throttle.succeeded()
    assert throttle.allowed == 9  # about one more call per window of successes
    for _ in range(1000):
        throttle.succeeded()
    assert throttle.allowed == 32


def test_the_window_grows_while_answers_stay_quick_and_stops_when_they_queue() -> None:
    throttle = Throttle(start=4)
    for _ in range(40):
        throttle.succeeded(0.080)  # a long link: more in flight costs nothing
    assert throttle.allowed == MAX_IN_FLIGHT
    loopback = Throttle(start=4)
    for _ in range(200):
        # Each call in flight adds its share of the client's own work to every answer.
        loopback.succeeded(0.002 * loopback.allowed)
    # It settles well short of 32 (at 32, answers would take 16 times the quickest).
    assert 1 <= loopback.allowed <= 12


def test_a_long_retry_after_is_capped() -> None:
    clock = Clock()
    throttle = Throttle(clock=clock)
    throttle.throttled(86400.0)
    assert throttle.resume_at - clock.now == 60.0


async def owned_run(store: Store) -> str:
    await store.connect()
    await store.load_runs()
    for run_id in store.runs.items:
        await store.load_checkpoints(run_id)
        if len(store.run_checkpoints(run_id)) >= 6:
            return run_id
    raise AssertionError("no run with checkpoints")


async def server_paths(url: str, run_id: str) -> set[str]:
    async with TinkerAPI(profile_for(url).target()) as api:
        return {c.path for c in (await api.list_checkpoints(run_id)).checkpoints}


async def test_a_429_storm_slows_a_bulk_delete_down_without_failures(
    start_server: StartServer,
) -> None:
    # A 429 (Retry-After: 1) on a third of the deletes; the listings are left alone.
    server = start_server(faults="429:0.35@/checkpoints/", checkpoints_per_run=12)
    store = Store(TinkerAPI(profile_for(server.url).target()), refresh=60)
    run_id = await owned_run(store)
    refs = [CheckpointRef.parse(c.path) for c in store.run_checkpoints(run_id)]
    results = await store.delete(refs)
    throttle = store.actions.bulk.last
    operation = store.operation
    await store.close()
    assert [r for r in results if not r.ok] == []
    assert await server_paths(server.url, run_id) == set()
    assert throttle is not None
    assert throttle.cuts >= 1
    assert throttle.lowest < MAX_IN_FLIGHT  # it slowed down
    assert operation is not None
    assert operation.slowed >= 1
    assert not operation.failures


async def test_a_cancelled_delete_keeps_what_was_done_and_leaves_the_rest(
    server: ServerThread,
) -> None:
    store = Store(TinkerAPI(profile_for(server.url).target()), refresh=60)
    run_id = await owned_run(store)
    refs = [CheckpointRef.parse(c.path) for c in store.run_checkpoints(run_id)]
    store.actions.bulk.in_flight = 2  # so that some are still waiting when we cancel
    notices: list[str] = []
    store.on_notice(lambda n: notices.append(n.message))

    def cancel_after_the_first(change: Change) -> None:
        operation = store.operation
        if change.collection == "operation" and operation and operation.done >= 1:
            store.cancel_operation()

    store.subscribe(cancel_after_the_first)
    results = await asyncio.wait_for(store.delete(refs), 30)
    kept = store.run_checkpoints(run_id)
    left = {r.path for r in results if not r.attempted}
    done = {r.path for r in results if r.attempted and r.ok}
    shown = set(kept.items)
    await store.close()
    assert left
    assert done
    assert await server_paths(server.url, run_id) == left  # what was done stays done
    assert shown == left  # and the rows say so
    assert any("cancelled" in n and f"{len(left)} not attempted" in n for n in notices), notices

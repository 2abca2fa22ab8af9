"""The store against the stand-in server: change announcements, mutations, watch back-off."""

from __future__ import annotations

import asyncio

import pytest

from lazytinker.api.client import TinkerAPI
from lazytinker.api.paths import CheckpointRef
from lazytinker.store import Change, ReadOnlyError, Store

from .ui.harness import make_store, profile_for


async def loaded(url: str, **kwargs: object) -> Store:
    store = make_store(url, **kwargs)  # type: ignore[arg-type]
    assert await store.connect()
    assert await store.load_runs()
    return store


async def server_checkpoints(url: str, run_id: str) -> dict[str, object]:
    async with TinkerAPI(profile_for(url).target()) as api:
        got = await api.list_checkpoints(run_id)
    return {c.path: c for c in got.checkpoints}


async def an_owned_checkpoint(store: Store, *, public: bool = False) -> CheckpointRef:
    for run in store.runs:
        await store.load_checkpoints(run.training_run_id)
        for checkpoint in store.run_checkpoints(run.training_run_id):
            if checkpoint.public == public and checkpoint.checkpoint_type != "external":
                return CheckpointRef.parse(checkpoint.path)
    raise AssertionError("the seed has no such checkpoint")


async def test_a_refresh_that_brings_nothing_new_announces_nothing(server) -> None:
    store = await loaded(server.url)
    changes: list[Change] = []
    store.subscribe(changes.append)
    assert await store.load_runs()
    assert [c for c in changes if c.collection == "runs" and not c.is_empty] == []
    await store.close()


async def test_first_load_announces_every_run_as_added(server) -> None:
    store = make_store(server.url)
    changes: list[Change] = []
    store.subscribe(changes.append)
    assert await store.connect()
    assert await store.load_runs()
    added = [k for c in changes if c.collection == "runs" for k in c.added]
    assert sorted(added) == sorted(r.training_run_id for r in store.runs)
    assert len(added) > 0
    await store.close()


async def test_publish_then_unpublish_reach_the_server(server) -> None:
    store = await loaded(server.url)
    ref = await an_owned_checkpoint(store)
    results = await store.publish([ref])
    assert results[0].ok
    assert store.find_checkpoint(ref.path).public  # type: ignore[union-attr]
    assert (await server_checkpoints(server.url, ref.run_id))[ref.path].public  # type: ignore[attr-defined]
    results = await store.unpublish([ref])
    assert results[0].ok
    assert not (await server_checkpoints(server.url, ref.run_id))[ref.path].public  # type: ignore[attr-defined]
    await store.close()


async def test_publish_of_an_already_public_checkpoint_reconciles(server) -> None:
    store = await loaded(server.url)
    ref = await an_owned_checkpoint(store)
    async with TinkerAPI(profile_for(server.url).target()) as api:
        await api.publish_checkpoint(ref)  # someone else published it meanwhile
    results = await store.publish([ref])
    assert results[0].ok
    assert "already public" in results[0].message
    assert store.find_checkpoint(ref.path).public  # type: ignore[union-attr]
    await store.close()


async def test_acting_on_a_checkpoint_deleted_elsewhere_removes_the_row(server) -> None:
    store = await loaded(server.url)
    ref = await an_owned_checkpoint(store)
    async with TinkerAPI(profile_for(server.url).target()) as api:
        await api.delete_checkpoint(ref)
    notices: list[str] = []
    store.on_notice(lambda n: notices.append(n.message))
    results = await store.set_ttl([ref], 86400)
    assert not results[0].ok
    assert store.find_checkpoint(ref.path) is None
    assert any("no longer exists" in n for n in notices)
    await store.close()


async def test_a_refused_publish_rolls_back(start_server) -> None:
    server = start_server(faults="500:1@/publish")
    store = await loaded(server.url)
    ref = await an_owned_checkpoint(store)
    results = await store.publish([ref])
    assert not results[0].ok
    assert not store.find_checkpoint(ref.path).public  # type: ignore[union-attr]
    assert not (await server_checkpoints(server.url, ref.run_id))[ref.path].public  # type: ignore[attr-defined]
    await store.close()


async def test_delete_goes_on_past_failures_and_lists_them(server) -> None:
    store = await loaded(server.url)
    ref = await an_owned_checkpoint(store)
    others = [
        CheckpointRef.parse(c.path)
        for c in store.run_checkpoints(ref.run_id)
        if c.path != ref.path and c.checkpoint_type == "training"
    ][:2]
    missing = CheckpointRef(ref.run_id, ref.kind, "no-such-step")
    results = await store.delete([ref, missing, *others])
    assert len(results) == 2 + len(others)
    assert store.operation is not None
    assert store.operation.finished
    remaining = await server_checkpoints(server.url, ref.run_id)
    for gone in [ref, *others]:
        assert gone.path not in remaining
        assert store.find_checkpoint(gone.path) is None
    await store.close()


async def test_ttl_set_and_removed(server) -> None:
    store = await loaded(server.url)
    ref = await an_owned_checkpoint(store)
    assert (await store.set_ttl([ref], 7 * 86400))[0].ok
    assert (await server_checkpoints(server.url, ref.run_id))[ref.path].expires_at is not None  # type: ignore[attr-defined]
    assert (await store.set_ttl([ref], None))[0].ok
    assert (await server_checkpoints(server.url, ref.run_id))[ref.path].expires_at is None  # type: ignore[attr-defined]
    assert store.find_checkpoint(ref.path).expires_at is None  # type: ignore[union-attr]
    await store.close()


async def test_read_only_refuses_every_mutation(server) -> None:
    store = await loaded(server.url, read_only=True)
    ref = await an_owned_checkpoint(store)
    for action in (store.publish, store.unpublish, store.delete):
        with pytest.raises(ReadOnlyError, match="Read-only"):
            await action([ref])
    with pytest.raises(ReadOnlyError):
        await store.set_ttl([ref], 3600)
    assert ref.path in await server_checkpoints(server.url, ref.run_id)
    await store.close()


async def test_the_watch_backs_off_while_the_server_fails(start_server) -> None:
    server = start_server()
    store = await loaded(server.url, refresh=0.2)
    store.set_visible({"runs"})
    server.stop()
    store.start_watch()
    for _ in range(100):
        await asyncio.sleep(0.05)
        if store.failures >= 1:
            break
    assert store.failures >= 1
    assert store.next_delay > store.interval
    assert "runs" in store.errors
    await store.close()


async def test_a_pane_that_cannot_load_keeps_the_rest_working(start_server) -> None:
    server = start_server(faults="badjson:1@/checkpoints")
    store = await loaded(server.url)
    run_id = next(iter(store.runs)).training_run_id
    assert not await store.load_checkpoints(run_id)
    assert f"checkpoints:{run_id}" in store.errors
    assert await store.load_runs()
    await store.close()


async def test_billing_without_an_admin_role_says_so(server) -> None:
    store = make_store(server.url, key="tml-user")
    assert await store.connect()
    assert not await store.load_billing()
    assert "needs an admin role" in store.errors["billing"]
    assert await store.load_runs()
    await store.close()


async def test_the_stores_attributes_are_those_of_its_parts(server) -> None:
    """The UI reads and writes `store.x`; the value lives in the part that acts on it."""
    store = await loaded(server.url)
    ref = await an_owned_checkpoint(store)
    store.read_only = True  # written on the store, obeyed by its actions
    assert store.actions.read_only
    with pytest.raises(ReadOnlyError):
        await store.publish([ref])
    manager: dict[str, object] = {"dl-1": object()}
    store.downloads = manager
    assert store.state.downloads is manager
    assert store.toggle_watch() is False
    assert store.watching is store.watch.watching is False
    store.set_visible({"runs"})
    assert store.visible == store.state.visible == {"runs"}
    assert store.collection("runs") is store.runs is store.state.runs
    assert store.collection(f"checkpoints:{ref.run_id}") is store.run_checkpoints(ref.run_id)
    assert store.collection("no-such-collection") is None
    await store.close()


def test_a_shared_attribute_must_keep_its_parts_name() -> None:
    from lazytinker.store.shared import Shared

    # Python 3.11 wraps an error of __set_name__ in a RuntimeError; 3.12 raises it as it is.
    with pytest.raises((TypeError, RuntimeError)) as caught:

        class Renamed:
            every_run: Shared[int] = Shared("state.runs")

    error = caught.value.__cause__ or caught.value
    assert isinstance(error, TypeError)
    assert "Renamed.every_run is shared as state.runs" in str(error)

"""A refresh that began before a mutation never overwrites what the mutation did (issue 15).

The fault test once saw a run's checkpoint row say `expires_at None` while the server had a
date: a watch refresh read the run's listing before "Expiry set" landed, and its answer arrived
after the set's own re-read. Here the stand-in server holds that one listing's answer (read
before the set, sent after it), so the race happens every time. The later cases hold the action
too, on its way to the server, so that the refresh begins after the action did and still reads
the state from before it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import MutableMapping
from typing import Any

import pytest

from lazytinker.api.client import TinkerAPI
from lazytinker.api.models import Checkpoint
from lazytinker.api.paths import CheckpointRef
from lazytinker.server.runner import ServerThread
from lazytinker.store import Store, checkpoints_collection
from tests.client_asgi import Receive, Scope, Send, serve
from tests.ui.harness import profile_for

Message = MutableMapping[str, Any]


class HoldOneListing:
    """ASGI: the next `GET …/checkpoints` is answered from the state of now, sent on release."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.armed = False
        self.read = threading.Event()
        self.release = threading.Event()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        listing = scope["type"] == "http" and scope["method"] == "GET"
        if not (self.armed and listing and scope["path"].endswith("/checkpoints")):
            await self.app(scope, receive, send)
            return
        self.armed = False
        held: list[Message] = []

        async def keep(message: Message) -> None:
            held.append(message)

        await self.app(scope, receive, keep)
        self.read.set()
        await asyncio.to_thread(self.release.wait, 30)
        for message in held:
            await send(message)


async def until(event: threading.Event) -> None:
    for _ in range(500):
        if event.is_set():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the held listing was never read")


async def first_run_loaded(url: str) -> tuple[Store, str]:
    """A store on `url` holding the runs and the first run's checkpoints; that run's id."""
    store = Store(TinkerAPI(profile_for(url).target()), refresh=60)
    await store.connect()
    await store.load_runs()
    run_id = next(iter(store.runs.items))
    await store.load_checkpoints(run_id)
    return store, run_id


async def server_says(url: str, run_id: str) -> dict[str, Checkpoint]:
    """The run's checkpoints as the server has them now, by path."""
    async with TinkerAPI(profile_for(url).target()) as api:
        return {c.path: c for c in (await api.list_checkpoints(run_id)).checkpoints}


async def test_a_refresh_begun_before_an_expiry_set_never_undoes_it(server: ServerThread) -> None:
    hold = HoldOneListing(server.app)
    with serve(hold) as url:
        store, run_id = await first_run_loaded(url)
        keyed = store.run_checkpoints(run_id)
        target = next(c for c in keyed if c.expires_at is None)
        ref = CheckpointRef.parse(target.path)

        hold.armed = True
        refresh = asyncio.create_task(store.refresh([checkpoints_collection(run_id)], watch=True))
        await until(hold.read)  # the refresh has read the run: no expiry yet
        (result,) = await store.set_ttl([ref], 7 * 86400)
        assert result.ok
        assert keyed.get(target.path).expires_at is not None  # type: ignore[union-attr]
        hold.release.set()
        assert await refresh  # the stale listing lands now

        shown = keyed.get(target.path)
        truth = await server_says(url, run_id)
        await store.close()
    assert truth[target.path].expires_at is not None
    assert shown is not None
    assert shown.expires_at == truth[target.path].expires_at


async def test_a_refresh_begun_before_a_delete_never_brings_the_row_back(
    server: ServerThread,
) -> None:
    hold = HoldOneListing(server.app)
    with serve(hold) as url:
        store, run_id = await first_run_loaded(url)
        keyed = store.run_checkpoints(run_id)
        target = next(iter(keyed))

        hold.armed = True
        refresh = asyncio.create_task(store.refresh([checkpoints_collection(run_id)]))
        await until(hold.read)
        (result,) = await store.delete([CheckpointRef.parse(target.path)])
        assert result.ok
        hold.release.set()
        assert await refresh
        still = target.path in keyed
        await store.close()
    assert not still


class HoldOneAction:
    """ASGI: the next `method` request waits, before the server acts on it, until released (a
    slow link, or a busy server, on the way there)."""

    def __init__(self, app: Any, method: str) -> None:
        self.app = app
        self.method = method
        self.armed = False
        self.arrived = threading.Event()
        self.release = threading.Event()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.armed and scope["type"] == "http" and scope["method"] == self.method:
            self.armed = False
            self.arrived.set()
            await asyncio.to_thread(self.release.wait, 30)
        await self.app(scope, receive, send)


@pytest.mark.parametrize("action", ["publish", "delete"])
async def test_a_refresh_begun_while_an_action_is_on_its_way_never_undoes_it(
    server: ServerThread, action: str
) -> None:
    # The fault test's "is now public" beside a private row: the refresh began after the
    # publish did (so the old rule let it write), read the run before the publish reached the
    # server, and landed after the publish was confirmed.
    on_its_way = HoldOneAction(server.app, "POST" if action == "publish" else "DELETE")
    hold = HoldOneListing(on_its_way)
    with serve(hold) as url:
        store, run_id = await first_run_loaded(url)
        keyed = store.run_checkpoints(run_id)
        target = next(c for c in keyed if not c.public and c.checkpoint_type != "external")
        ref = CheckpointRef.parse(target.path)

        on_its_way.armed = True
        acting = asyncio.create_task(
            store.publish([ref]) if action == "publish" else store.delete([ref])
        )
        await until(on_its_way.arrived)  # the server has not acted yet
        hold.armed = True
        refresh = asyncio.create_task(store.refresh([checkpoints_collection(run_id)]))
        await until(hold.read)  # the refresh read the run as it was
        on_its_way.release.set()
        (result,) = await acting
        assert result.ok
        hold.release.set()
        assert await refresh  # the stale listing lands now

        shown = keyed.get(target.path)
        truth = await server_says(url, run_id)
        await store.close()
    if action == "publish":
        assert truth[target.path].public
        assert shown is not None
        assert shown.public
    else:
        assert target.path not in truth
        assert shown is None


class FailOneAction(HoldOneAction):
    """ASGI: the next `method` request waits until released, then fails with a 500 without
    the server acting on it."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.armed and scope["type"] == "http" and scope["method"] == self.method:
            self.armed = False
            self.arrived.set()
            await asyncio.to_thread(self.release.wait, 30)
            body = b'{"detail": "it broke"}'
            headers = [(b"content-type", b"application/json"), (b"content-length", b"22")]
            await send({"type": "http.response.start", "status": 500, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


async def test_a_failed_publish_is_undone_under_a_newer_expiry_set(server: ServerThread) -> None:
    # The fault test's public row the server had never made public: a publish on its way, an
    # expiry set on the same checkpoint meanwhile (its row built on the publish's), then the
    # publish failed; its roll-back was skipped for the newer change, which kept "public".
    failing = FailOneAction(server.app, "POST")
    with serve(failing) as url:
        store, run_id = await first_run_loaded(url)
        keyed = store.run_checkpoints(run_id)
        target = next(
            c
            for c in keyed
            if not c.public and c.expires_at is None and c.checkpoint_type != "external"
        )
        ref = CheckpointRef.parse(target.path)

        failing.armed = True
        publishing = asyncio.create_task(store.publish([ref]))
        await until(failing.arrived)
        assert keyed.get(target.path).public  # type: ignore[union-attr]  (shown at once)
        (expiry,) = await store.set_ttl([ref], 7 * 86400)
        assert expiry.ok
        failing.release.set()
        (published,) = await publishing
        assert not published.ok

        shown = keyed.get(target.path)
        truth = (await server_says(url, run_id))[target.path]
        await store.close()
    assert not truth.public
    assert truth.expires_at is not None
    assert shown is not None
    assert not shown.public
    # The expiry the set showed (now + 7 days here, not read back): the server's, to the second.
    assert shown.expires_at is not None
    assert abs((shown.expires_at - truth.expires_at).total_seconds()) < 60

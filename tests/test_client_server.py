"""Every client endpoint against the stand-in server over real HTTP (tests/conftest.py fixtures)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from lazytinker.api.client import TinkerAPI
from lazytinker.api.errors import (
    ArchiveNotReadyError,
    BadResponseError,
    ConflictError,
    InvalidRequestError,
    KeyRejectedError,
    NotFoundError,
    NotPermittedError,
    RateLimitedError,
    ServerError,
    UnreachableError,
)
from lazytinker.api.models import Checkpoint, CheckpointsListResponse, SessionSearchRequest
from lazytinker.api.paging import iter_offset_pages
from lazytinker.api.paths import CheckpointKind, CheckpointRef, Flavor
from lazytinker.api.retry import RetryPolicy
from lazytinker.config import Profile

from .conftest import StartServer


async def _noop_sleep(delay: float) -> None:
    """Retries without waiting: these tests look at outcomes, not at timing."""


FAST = RetryPolicy(sleep=_noop_sleep)


def client(url: str, key: str = "tml-demo", flavor: Flavor = "tinker") -> TinkerAPI:
    return TinkerAPI(
        Profile(name="t", flavor=flavor, base_url=url, api_key=key, key_source="test").target(),
        retry=FAST,
    )


@pytest.fixture
async def api(server: Any) -> AsyncIterator[TinkerAPI]:
    async with client(server.url) as api:
        yield api


async def own_checkpoints(api: TinkerAPI) -> list[Checkpoint]:
    page = await api.list_user_checkpoints(limit=1000)
    return page.checkpoints


async def pick(api: TinkerAPI, kind: CheckpointKind, *, public: bool | None = None) -> Checkpoint:
    for checkpoint in await own_checkpoints(api):
        ref = CheckpointRef.parse(checkpoint.path)
        if ref.kind is kind and (public is None or checkpoint.public is public):
            return checkpoint
    pytest.fail(f"the seed has no {kind} checkpoint with public={public}")


async def test_runs_pages_scopes_and_lookups(api: TinkerAPI) -> None:
    first = await api.list_training_runs(limit=3)
    owned = [
        run
        async for page in iter_offset_pages(
            lambda offset, limit: api.list_training_runs(limit=limit, offset=offset),
            page_size=3,
            total_of=lambda p: p.cursor.total_count,
        )
        for run in page.training_runs
    ]
    assert owned[:3] == first.training_runs
    assert len(owned) == first.cursor.total_count
    assert len({r.training_run_id for r in owned}) == len(owned)
    accessible = await api.list_training_runs(limit=100, access_scope="accessible")
    assert accessible.cursor.total_count > len(owned)
    run = owned[0]
    assert ":train:" in run.training_run_id
    assert (await api.get_training_run(run.training_run_id)) == run
    if run.last_checkpoint is not None:
        by_path = await api.get_training_run_by_path(CheckpointRef.parse(run.last_checkpoint.path))
        assert by_path.training_run_id == run.training_run_id
    with pytest.raises(NotFoundError):
        await api.get_training_run("no-such-run:train:0")


async def test_checkpoints_of_a_run_and_of_the_user(api: TinkerAPI) -> None:
    runs = await api.list_training_runs(limit=100)
    run = runs.training_runs[0]
    listing = await api.list_checkpoints(run.training_run_id)
    assert listing.cursor is None
    assert listing.checkpoints
    assert all(c.path.startswith(f"tinker://{run.training_run_id}/") for c in listing.checkpoints)

    whole = await api.list_user_checkpoints(limit=1000)
    assert whole.cursor is not None
    pages: list[CheckpointsListResponse] = [
        page
        async for page in iter_offset_pages(
            lambda offset, limit: api.list_user_checkpoints(limit=limit, offset=offset),
            page_size=7,
            total_of=lambda p: p.cursor.total_count if p.cursor else 0,
            concurrency=3,
        )
    ]
    paged = [c for page in pages for c in page.checkpoints]
    assert paged == whole.checkpoints
    times = [c.time for c in paged]
    assert times == sorted(times, reverse=True)


async def test_publish_unpublish_and_conflicts(api: TinkerAPI) -> None:
    checkpoint = await pick(api, CheckpointKind.TRAINING, public=False)
    ref = CheckpointRef.parse(checkpoint.path)
    await api.publish_checkpoint(ref)
    assert (await find(api, ref)).public is True
    with pytest.raises(ConflictError, match="already public"):
        await api.publish_checkpoint(ref)
    await api.unpublish_checkpoint(ref)
    assert (await find(api, ref)).public is False
    with pytest.raises(ConflictError, match="already private"):
        await api.unpublish_checkpoint(ref)


async def find(api: TinkerAPI, ref: CheckpointRef) -> Checkpoint:
    listing = await api.list_checkpoints(ref.run_id)
    (checkpoint,) = [c for c in listing.checkpoints if c.path == ref.path]
    return checkpoint


async def test_ttl_set_remove_and_out_of_range(api: TinkerAPI) -> None:
    ref = CheckpointRef.parse((await pick(api, CheckpointKind.SAMPLER)).path)
    await api.set_checkpoint_ttl(ref, 7200)
    expires = (await find(api, ref)).expires_at
    assert expires is not None
    assert expires.tzinfo is not None
    await api.set_checkpoint_ttl(ref, None)
    assert (await find(api, ref)).expires_at is None
    with pytest.raises(InvalidRequestError, match="ttl_seconds"):
        await api.set_checkpoint_ttl(ref, 5)


async def test_delete(api: TinkerAPI) -> None:
    ref = CheckpointRef.parse((await pick(api, CheckpointKind.TRAINING)).path)
    await api.delete_checkpoint(ref)
    listing = await api.list_checkpoints(ref.run_id)
    assert ref.path not in {c.path for c in listing.checkpoints}
    with pytest.raises(NotFoundError):
        await api.delete_checkpoint(ref)


async def test_another_users_checkpoints_cannot_be_changed(api: TinkerAPI) -> None:
    owned = {r.training_run_id for r in (await api.list_training_runs(limit=100)).training_runs}
    visible = await api.list_training_runs(limit=100, access_scope="accessible")
    theirs = [r for r in visible.training_runs if r.training_run_id not in owned]
    assert theirs, "the seed should include runs of another user"
    listing = await api.list_checkpoints(theirs[0].training_run_id)
    ref = CheckpointRef.parse(listing.checkpoints[0].path)
    for action in (api.delete_checkpoint, api.publish_checkpoint):
        with pytest.raises((NotPermittedError, NotFoundError)):
            await action(ref)


async def test_weights_info_external_urls_and_archive(api: TinkerAPI) -> None:
    training = CheckpointRef.parse((await pick(api, CheckpointKind.TRAINING)).path)
    info = await api.get_weights_info(training)
    assert info.base_model

    external = CheckpointRef.parse((await pick(api, CheckpointKind.EXTERNAL)).path)
    urls = await api.get_external_weights_urls(external)
    assert urls.urls
    assert urls.expires.tzinfo is not None

    archive = await api.get_archive_url(training)
    assert archive.expires > datetime.now(UTC)
    # The signed URL needs no key: fetch its first bytes bare.
    async with (
        httpx.AsyncClient() as bare,
        bare.stream("GET", archive.url, headers={"Range": "bytes=0-99"}) as resp,
    ):
        assert resp.status_code in (200, 206)


async def test_archive_still_being_built(start_server: StartServer) -> None:
    server = start_server(archive_build_seconds=120)
    async with client(server.url) as api:
        ref = CheckpointRef.parse((await pick(api, CheckpointKind.SAMPLER)).path)
        with pytest.raises(ArchiveNotReadyError) as info:
            await api.get_archive_url(ref)
    assert info.value.retry_after is not None
    assert info.value.retry_after > 0


async def test_sessions_search_samplers_and_trace(api: TinkerAPI) -> None:
    ids = (await api.list_sessions(limit=100)).sessions
    assert ids
    found: list[str] = []
    request = SessionSearchRequest(limit=2)
    while True:
        page = await api.search_sessions(request)
        found += [s.session_id for s in page.sessions]
        if page.next_cursor is None:
            break
        request = SessionSearchRequest(limit=2, cursor=page.next_cursor)
    assert sorted(found) == sorted(ids)

    session = await api.get_session(ids[0])
    assert session.training_run_ids or session.sampler_ids
    sampler_ids = [s for sid in ids for s in (await api.get_session(sid)).sampler_ids]
    sampler = await api.get_sampler(sampler_ids[0])
    assert sampler.sampler_id == sampler_ids[0]

    states = []
    for _ in range(10):
        trace = await api.get_trace_export(ids[0])
        states.append(trace.status)
        if trace.status != "pending":
            break
    assert states[-1] == "ready"


async def test_service_usage_and_audit(api: TinkerAPI, server: Any) -> None:
    assert (await api.health()).status == "ok"
    assert (await api.get_server_capabilities()).supported_models
    storage = await api.get_checkpoint_storage_usage()
    assert storage.data
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    billing = await api.get_billing_usage(end - timedelta(days=2), end)
    assert billing.data is not None
    audit = await api.get_audit_log()
    assert isinstance(audit.entries, list)
    async with client(server.url, key="tml-user") as member:
        with pytest.raises(NotPermittedError, match=r"127\.0\.0\.1"):
            await member.get_checkpoint_storage_usage()


async def test_jwt_server_gives_whoami(start_server: StartServer) -> None:
    server = start_server(jwt=True)
    async with client(server.url) as api:
        await api.list_training_runs(limit=1)
        await api.connect()  # the handshake (and so the JWT) runs beside the first call
        assert api.whoami is not None
        assert api.whoami.user_urn


async def test_wrong_key_is_rejected_without_echoing_it(server: Any) -> None:
    async with client(server.url, key="tml-wrong-secret") as api:
        with pytest.raises(KeyRejectedError) as info:
            await api.connect()
    assert "tml-wrong-secret" not in str(info.value)


async def test_hpcai_flavor(start_server: StartServer) -> None:
    server = start_server(flavor="hpcai")
    async with client(server.url, flavor="hpcai") as api:
        runs = await api.list_training_runs(limit=100)
        run = runs.training_runs[0]
        listing = await api.list_checkpoints(run.training_run_id)
        paths = [c.path for c in listing.checkpoints]
        assert all(p.startswith("hpcai://") for p in paths)
        ref = CheckpointRef.parse(paths[0])
        archive = await api.get_archive_url(ref)
        assert archive.url.startswith("http")
        await api.delete_checkpoint(ref)
        after = await api.list_checkpoints(run.training_run_id)
        assert ref.path not in {c.path for c in after.checkpoints}


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("500:1@/healthz", ServerError),
        ("429:1@/healthz", RateLimitedError),
        ("badjson:1@/healthz", BadResponseError),
        ("cut:1@/healthz", UnreachableError),
    ],
)
async def test_server_faults_become_our_errors(
    start_server: StartServer, fault: str, error: type[Exception]
) -> None:
    server = start_server(faults=fault)
    async with client(server.url) as api:
        with pytest.raises(error) as info:
            await api.health()
    assert "127.0.0.1" in str(info.value)


async def test_a_slow_server_times_out_as_unreachable(start_server: StartServer) -> None:
    server = start_server(faults="slow:1@/healthz", slow_seconds=3.0)
    profile = Profile(name="t", flavor="tinker", base_url=server.url, api_key="tml-demo")
    async with TinkerAPI(
        profile.target(), retry=RetryPolicy(max_attempts=2, sleep=_noop_sleep), timeout=0.3
    ) as api:
        with pytest.raises(UnreachableError, match="timed out"):
            await api.health()


async def test_a_cut_publish_is_not_repeated_and_says_so(start_server: StartServer) -> None:
    server = start_server(faults="cut:1@/publish")
    async with client(server.url) as api:
        ref = CheckpointRef.parse((await pick(api, CheckpointKind.TRAINING, public=False)).path)
        with pytest.raises(UnreachableError, match="may or may not have taken effect"):
            await api.publish_checkpoint(ref)

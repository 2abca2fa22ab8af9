"""What a server supports, learned from its answers (issue 17), against the stand-in playing
partial servers (`--without`) and data quirks (`--quirks`)."""

from __future__ import annotations

from typing import Any

import pytest

from lazytinker.api.capabilities import Capability, Support
from lazytinker.api.client import TinkerAPI
from lazytinker.api.errors import NotFoundError, NotOfferedError, NotPermittedError
from lazytinker.api.handshake import HandshakeState
from lazytinker.api.models import SessionSearchRequest
from lazytinker.api.paths import CheckpointRef
from lazytinker.config import Profile
from tests.conftest import StartServer

from .requests_log import LoggedServer


def client(url: str, *, key: str = "tml-demo", flavor: str = "tinker") -> TinkerAPI:
    return TinkerAPI(
        Profile("t", flavor, url, api_key=key, key_source="test").target()  # type: ignore[arg-type]
    )


async def some_checkpoint(api: TinkerAPI) -> CheckpointRef:
    runs = await api.list_training_runs(limit=5)
    for run in runs.training_runs:
        got = await api.list_checkpoints(run.training_run_id)
        if got.checkpoints:
            return CheckpointRef.parse(got.checkpoints[0].path)
    raise AssertionError("no checkpoint on the stand-in")


async def test_missing_routes_are_learned_with_their_reason(start_server: StartServer) -> None:
    server = start_server(without=("sessions-search", "publish", "ttl", "user-checkpoints"))
    async with client(server.url) as api:
        await api.connect()
        assert api.supports(Capability.SESSION_SEARCH)  # not asked yet: the preset's guess
        with pytest.raises(NotOfferedError, match="session search"):
            await api.search_sessions(SessionSearchRequest())
        learned = api.capabilities.learned(Capability.SESSION_SEARCH)
        assert learned.support is Support.MISSING
        assert "HTTP 405" in learned.reason
        assert not learned.assumed
        ref = await some_checkpoint(api)
        with pytest.raises(NotOfferedError, match="publish"):
            await api.publish_checkpoint(ref)  # 404 with FastAPI's own "Not Found"
        with pytest.raises(NotOfferedError, match="TTL"):
            await api.set_checkpoint_ttl(ref, 7200)  # 405
        with pytest.raises(NotOfferedError):
            await api.list_user_checkpoints()
        for capability in (Capability.PUBLISH, Capability.TTL, Capability.USER_CHECKPOINTS):
            assert not api.supports(capability)
        # The session list is still there, and is learned as such.
        await api.list_sessions()
        assert api.capabilities.learned(Capability.SESSIONS).support is Support.SUPPORTED


async def test_a_missing_capability_is_refused_without_asking_again() -> None:
    server = LoggedServer(_config(without=("sessions-search",)))
    server.start()
    try:
        async with client(server.url) as api:
            for _ in range(3):
                with pytest.raises(NotOfferedError):
                    await api.search_sessions(SessionSearchRequest())
        searches = [e for e in server.log.snapshot() if e.path == "/api/v1/sessions/search"]
        assert len(searches) == 1
    finally:
        server.stop()


def _config(**fields: Any) -> Any:
    from lazytinker.server.config import ServerConfig

    return ServerConfig(**{"sessions": 4, "runs": 6, "checkpoints_per_run": 3, **fields})


async def test_an_item_that_is_not_there_is_not_a_missing_route(server: Any) -> None:
    async with client(server.url) as api:
        with pytest.raises(NotFoundError):
            await api.get_session("no-such-session")
        assert api.supports(Capability.SESSIONS)
        await api.get_sampler(await _a_sampler(api))
        with pytest.raises(NotFoundError):
            await api.get_sampler("no-such-session:sample:0")
        assert api.capabilities.learned(Capability.SAMPLERS).support is Support.SUPPORTED


async def _a_sampler(api: TinkerAPI) -> str:
    for session_id in (await api.list_sessions(limit=20)).sessions:
        got = await api.get_session(session_id)
        if got.sampler_ids:
            return got.sampler_ids[0]
    raise AssertionError("no sampler on the stand-in")


async def test_a_refusal_is_forbidden_not_missing(server: Any) -> None:
    async with client(server.url, key="tml-user") as api:
        with pytest.raises(NotPermittedError):
            await api.get_checkpoint_storage_usage()
        learned = api.capabilities.learned(Capability.STORAGE)
        assert learned.support is Support.FORBIDDEN
        assert "403" in learned.reason
        assert api.supports(Capability.STORAGE)
        assert not api.capabilities.allowed(Capability.STORAGE)
        assert "may not use" in api.capabilities.why_not(Capability.STORAGE)


async def test_a_server_without_client_config_is_used_without_the_handshake(
    start_server: StartServer,
) -> None:
    server = start_server(without=("client-config",))
    async with client(server.url) as api:
        await api.connect()
        assert api.handshake_state is HandshakeState.SKIPPED
        runs = await api.list_training_runs(limit=3)
        assert runs.training_runs
        assert not api.supports(Capability.HANDSHAKE)


async def test_an_hpcai_server_that_gained_a_route_gets_it(start_server: StartServer) -> None:
    server = start_server(flavor="hpcai")
    async with client(server.url, flavor="hpcai") as api:
        assert not api.supports(Capability.MODELS)  # the preset does not expect it
        await api.probe([Capability.MODELS, Capability.SESSIONS, Capability.USER_CHECKPOINTS])
        assert api.supports(Capability.MODELS)  # this hpcai server answers it
        assert api.capabilities.learned(Capability.MODELS).support is Support.SUPPORTED
        assert not api.supports(Capability.SESSIONS)
        assert "HTTP 404" in api.capabilities.learned(Capability.SESSIONS).reason
        models = await api.get_server_capabilities()
        assert models.supported_models

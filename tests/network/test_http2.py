"""HTTP/2 where an https server offers it: the client's calls share a connection per pool, and
the start-up's early requests (HTTP/1.1 through the standard library) still answer first.

The server is the stand-in under hypercorn (uvicorn speaks no HTTP/2), with a certificate from
a throw-away CA; a recording layer notes each request's HTTP version and the client's port
(one port per connection).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from lazytinker.api import tls
from lazytinker.api.client import TinkerAPI
from lazytinker.api.pool import CONNECTIONS, HTTP2_SWITCH, PER_POOL
from lazytinker.server.app import create_app
from lazytinker.server.config import ServerConfig
from tests.h2_server import Recording, serve_https_h2
from tests.network.early_cases import early_client
from tests.ui.harness import profile_for

POOLS = CONNECTIONS // PER_POOL
AT_ONCE = 24


@pytest.fixture
def served(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> Iterator[tuple[str, Recording]]:
    """The stand-in of the flavor asked (`indirect`) over https with HTTP/2, its CA trusted."""
    monkeypatch.setattr(tls, "_built", {})
    monkeypatch.setattr(tls, "_threads", {})
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    monkeypatch.delenv(HTTP2_SWITCH, raising=False)
    ca = trustme.CA()
    certfile = tmp_path / "served.pem"
    ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(certfile))
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    config = ServerConfig(flavor=request.param, sessions=2, runs=AT_ONCE, checkpoints_per_run=1)
    recording = Recording(create_app(config))
    with serve_https_h2(recording, str(certfile)) as url:
        yield url, recording


@pytest.mark.parametrize("served", ["tinker"], indirect=True)
async def test_calls_at_once_share_a_connection_per_pool(served: tuple[str, Recording]) -> None:
    url, recording = served
    async with TinkerAPI(profile_for(url).target()) as api:
        page = await api.list_training_runs(limit=AT_ONCE, offset=0)
        runs = [run.training_run_id for run in page.training_runs]
        assert len(runs) == AT_ONCE
        recording.seen.clear()
        listings = await asyncio.gather(*(api.list_checkpoints(run) for run in runs))
    assert all(listing.checkpoints for listing in listings)
    assert {version for version, _ in recording.seen} == {"2"}
    # Over HTTP/1.1 these would have needed one connection each (24); each pool opens one.
    assert len({port for _, port in recording.seen}) <= POOLS


@pytest.mark.parametrize("served", ["hpcai"], indirect=True)
async def test_the_early_answer_is_used_and_later_calls_multiplex(
    served: tuple[str, Recording],
) -> None:
    url, recording = served
    async with early_client(url) as api:
        page = await api.list_training_runs(limit=100, offset=0)
        assert api.transport.answered_early == 1
        runs = [run.training_run_id for run in page.training_runs]
        await asyncio.gather(*(api.list_checkpoints(run) for run in runs))
    first, *later = recording.seen
    assert first[0] == "1.1"  # the early request: the standard library, no ALPN
    assert {version for version, _ in later} == {"2"}
    assert len({port for _, port in later}) <= POOLS


@pytest.mark.parametrize("served", ["tinker"], indirect=True)
async def test_http2_can_be_turned_off(
    served: tuple[str, Recording], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, recording = served
    monkeypatch.setenv(HTTP2_SWITCH, "0")
    async with TinkerAPI(profile_for(url).target()) as api:
        await asyncio.gather(*(api.list_training_runs(limit=1, offset=i) for i in range(8)))
    assert {version for version, _ in recording.seen} == {"1.1"}


@pytest.mark.parametrize("served", ["hpcai"], indirect=True)
async def test_an_early_connection_that_agreed_on_http2_is_not_read_as_http1(
    served: tuple[str, Recording],
) -> None:
    """The pools set ALPN on the context the early requests share: a connection made after
    that may agree on HTTP/2, which they do not speak. What comes back is no HTTP/1.1 answer,
    so it is dropped as a broken one is, and the client asks itself."""
    url, recording = served
    tls.prepare(url)
    tls.context_for(url).set_alpn_protocols(["h2", "http/1.1"])  # as httpcore sets it
    async with early_client(url) as api:
        page = await api.list_training_runs(limit=100, offset=0)
        assert api.transport.answered_early == 0
    assert page.training_runs
    assert [version for version, _ in recording.seen] == ["2"]  # the client's own call

"""TLS at start-up: the context built before httpx is imported trusts what httpx would, and the
early requests speak https with it, failing on a bad certificate as the client's own would.
The servers are real (uvicorn on 127.0.0.1) with certificates from a throw-away CA.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import trustme

from lazytinker.api import tls
from tests.client_asgi import Reply, ScriptedApp, serve

from .early_cases import early_client, run_refused, unreachable_both_ways

RUNS = {"training_runs": [], "cursor": {"offset": 0, "limit": 100, "total_count": 0}}


@pytest.fixture
def fresh_context(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget the context an earlier test built: this one trusts other CAs."""
    monkeypatch.setattr(tls, "_built", {})
    monkeypatch.setattr(tls, "_threads", {})
    for name in ("SSL_CERT_FILE", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def https_url(tmp_path: Path) -> Iterator[tuple[str, trustme.CA]]:
    """A scripted https server whose certificate a throw-away CA signed (the CA is yielded)."""
    ca = trustme.CA()
    served = tmp_path / "served.pem"
    ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(served))
    app = ScriptedApp()
    app.on("GET", "/api/v1/training_runs", Reply(body=RUNS))
    with serve(app, ssl_certfile=str(served), ssl_keyfile=str(served)) as url:
        yield url, ca


def _trust(ca: trustme.CA, where: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bundle = where / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))


def _same(ours: ssl.SSLContext, theirs: ssl.SSLContext) -> None:
    assert ours.verify_mode == theirs.verify_mode == ssl.CERT_REQUIRED
    assert ours.check_hostname
    assert theirs.check_hostname
    assert ours.cert_store_stats() == theirs.cert_store_stats()
    assert ours.get_ca_certs() == theirs.get_ca_certs()


@pytest.mark.parametrize("source", ["certifi", "SSL_CERT_FILE", "SSL_CERT_DIR"])
def test_the_context_trusts_what_httpx_would(
    source: str, fresh_context: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ca = trustme.CA()
    if source == "SSL_CERT_FILE":
        _trust(ca, tmp_path, monkeypatch)
    elif source == "SSL_CERT_DIR":
        monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    _same(tls.verifying_context(), httpx.create_ssl_context())
    if source == "SSL_CERT_FILE":
        assert len(tls.verifying_context().get_ca_certs()) == 1


async def test_the_early_requests_speak_https(
    https_url: tuple[str, trustme.CA],
    fresh_context: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, ca = https_url
    _trust(ca, tmp_path, monkeypatch)
    async with early_client(url) as api:
        page = await api.list_training_runs(limit=100, offset=0)
        assert api.transport.answered_early == 1
    assert page.cursor.total_count == 0


async def test_a_certificate_nobody_trusts_fails_the_same_way_early(
    https_url: tuple[str, trustme.CA],
    fresh_context: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, _ = https_url
    _trust(trustme.CA(), tmp_path, monkeypatch)  # another CA: the server's is not trusted
    without, early = await unreachable_both_ways(url)
    assert early == without
    assert "CERTIFICATE_VERIFY_FAILED" in early


@pytest.mark.parametrize("bundle", ["missing", "not a bundle"])
def test_cas_that_cannot_be_loaded_are_one_line(
    bundle: str, tmp_path: Path, fresh_context: None
) -> None:
    """A mistyped SSL_CERT_FILE, or one that holds no certificate: one line, no traceback,
    whether it is seen at once (missing) or by the thread that loads it."""
    named = tmp_path / "ca.pem"
    if bundle == "not a bundle":
        named.write_text("not a certificate\n")
    done = run_refused(["--base-url", "https://127.0.0.1:9"], tmp_path, SSL_CERT_FILE=str(named))
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"lazytinker: The CA certificates of SSL_CERT_FILE ({named})")
    assert "Traceback" not in done.stdout + done.stderr

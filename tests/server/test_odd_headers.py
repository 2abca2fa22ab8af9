"""Signatures and headers that once made the server answer 500 get a clean 4xx JSON answer:
a non-ASCII signature on a signed URL, a non-ASCII JWT signature, a Range of thousands of digits."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from lazytinker.server.runner import ServerThread
from tests.conftest import StartServer

KEY = {"X-API-Key": "tml-demo"}


def _signed_archive_url(server: ServerThread) -> str:
    checkpoints = httpx.get(f"{server.url}/api/v1/checkpoints?limit=1000", headers=KEY).json()
    sampler = min(
        (c for c in checkpoints["checkpoints"] if c["checkpoint_type"] == "sampler"),
        key=lambda c: c["size_bytes"],
    )
    run_id, checkpoint_id = sampler["tinker_path"].removeprefix("tinker://").split("/", 1)
    url = f"{server.url}/api/v1/training_runs/{run_id}/checkpoints/{checkpoint_id}/archive"
    location: str = httpx.get(url, headers=KEY).headers["location"]
    return location


@pytest.mark.parametrize("text", ["é", "日本", "\u202e", "%FF"])
def test_non_ascii_url_signature_is_403(server: ServerThread, text: str) -> None:
    url = _signed_archive_url(server)
    assert httpx.get(url).status_code == 200
    signature = url.split("signature=")[1]
    forged = url.replace(f"signature={signature}", f"signature={signature[:-2]}{quote(text)}")
    response = httpx.get(forged)
    assert response.status_code == 403
    assert "signature" in response.json()["detail"]


HUGE = 5000  # digits; int() refuses more than 4300


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        pytest.param("bytes=" + "1" * HUGE + "-", "416", id="start-past-any-end"),
        pytest.param("bytes=0-" + "9" * HUGE, "all", id="end-past-the-end"),
        pytest.param("bytes=-" + "7" * HUGE, "all", id="suffix-longer-than-the-file"),
        pytest.param("bytes=" + "0" * HUGE + "1-" + "0" * HUGE + "2", "1-2", id="leading-zeros"),
    ],
)
def test_ranges_of_thousands_of_digits(server: ServerThread, header: str, expected: str) -> None:
    url = _signed_archive_url(server)
    total = int(httpx.head(url).headers["content-length"])
    response = httpx.get(url, headers={"Range": header})
    if expected == "416":
        assert response.status_code == 416
        assert response.headers["content-range"] == f"bytes */{total}"
        assert "outside" in response.json()["detail"]
        assert len(response.json()["detail"]) < 200
    elif expected == "all":
        assert response.status_code == 206
        assert response.headers["content-range"] == f"bytes 0-{total - 1}/{total}"
        assert len(response.content) == total
    else:
        assert response.status_code == 206
        assert response.headers["content-range"] == f"bytes 1-2/{total}"
        assert len(response.content) == 2


@pytest.mark.parametrize("signature", ["é", "日本語", "sig\u00ff"])
def test_non_ascii_jwt_signature_is_401(start_server: StartServer, signature: str) -> None:
    server = start_server(jwt=True)
    jwt = httpx.post(f"{server.url}/api/v1/auth/token", headers=KEY, json={}).json()["jwt"]
    header, payload, _ = jwt.split(".")
    # Headers travel as latin-1 bytes; anything else arrives as its UTF-8 bytes.
    forged = f"{header}.{payload}.{signature}".encode()
    response = httpx.get(f"{server.url}/api/v1/training_runs", headers={"X-API-Key": forged})
    assert response.status_code == 401
    assert response.json()["detail"] == "JWT signature is not valid"
    assert 'error="invalid_token"' in response.headers["www-authenticate"]
    assert httpx.get(f"{server.url}/api/v1/training_runs", headers={"X-API-Key": jwt}).is_success

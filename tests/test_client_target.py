"""The client is given a `ServerTarget` (base URL, flavor, credential source, key source), not a
profile: it works with any credential source, asks it again only when the server says keys come
from a command, and `Profile.target()` hands over what the profile resolved.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator

import pytest

from lazytinker.api.client import TinkerAPI
from lazytinker.api.errors import KeyRejectedError
from lazytinker.api.target import ServerTarget, StaticKey
from lazytinker.config import Profile

from .client_asgi import Reply, ScriptedApp, serve

RUNS_PATH = "/api/v1/training_runs"
RUNS = {"training_runs": [], "cursor": {"offset": 0, "limit": 100, "total_count": 0}}
INVALID_TOKEN = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


class KeySequence:
    """A credential source that gives the next key each time it is asked (a rotating command)."""

    def __init__(self, *keys: str) -> None:
        self.keys = list(keys)
        self.asked = 0

    async def __call__(self) -> str:
        key = self.keys[min(self.asked, len(self.keys) - 1)]
        self.asked += 1
        return key


def make_jwt(sub: str) -> str:
    def part(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none'})}.{part({'sub': sub, 'exp': time.time() + 3600})}.sig"


@pytest.fixture
def app() -> ScriptedApp:
    return ScriptedApp()


@pytest.fixture
def base_url(app: ScriptedApp) -> Iterator[str]:
    with serve(app) as url:
        yield url


async def test_any_credential_source_will_do(app: ScriptedApp, base_url: str) -> None:
    source = KeySequence("tml-from-vault")
    app.on("GET", RUNS_PATH, Reply(body=RUNS), Reply(401, {"detail": "bad key tml-from-vault"}))
    target = ServerTarget(base_url=base_url + "/", credential=source, key_source="the vault")
    async with TinkerAPI(target) as api:
        assert api.base_url == base_url
        await api.list_training_runs()
        with pytest.raises(KeyRejectedError) as info:
            await api.list_training_runs()
    assert {r.headers["x-api-key"] for r in app.requests} == {"tml-from-vault"}
    assert source.asked == 1
    assert "the vault" in str(info.value)
    assert "tml-from-vault" not in str(info.value)


@pytest.mark.parametrize(("default_source", "reads"), [("credential_cmd", 3), ("api_key", 1)])
async def test_the_key_is_read_again_before_a_jwt_exchange_only_for_command_keys(
    app: ScriptedApp, base_url: str, default_source: str, reads: int
) -> None:
    config = {"pjwt_auth_enabled": True, "credential_default_source": default_source}
    app.on("POST", "/api/v1/client/config", Reply(body=config))
    app.on(
        "POST",
        "/api/v1/auth/token",
        Reply(body={"jwt": make_jwt("user:1")}),
        Reply(body={"jwt": make_jwt("user:2")}),
    )
    app.on("GET", RUNS_PATH, Reply(401, {"detail": "expired"}, INVALID_TOKEN), Reply(body=RUNS))
    source = KeySequence("tml-key-1", "tml-key-2", "tml-key-3")
    async with TinkerAPI(ServerTarget(base_url=base_url, credential=source)) as api:
        await api.connect()
        await api.list_training_runs()
        assert api.whoami is not None
        assert api.whoami.user_urn == "user:2"
    sent = [r.headers["x-api-key"] for r in app.calls("POST", "/api/v1/auth/token")]
    assert source.asked == reads
    assert sent == (["tml-key-2", "tml-key-3"] if reads == 3 else ["tml-key-1", "tml-key-1"])


async def test_a_profile_hands_over_what_it_resolved() -> None:
    static = Profile(
        "p", "hpcai", "https://example.test/base", api_key="tml-s3cret", key_source="HPCAI_API_KEY"
    ).target()
    assert (static.base_url, static.flavor, static.key_source, static.host) == (
        "https://example.test/base",
        "hpcai",
        "HPCAI_API_KEY",
        "example.test",
    )
    assert await static.credential() == "tml-s3cret"
    assert "tml-s3cret" not in repr(static)
    assert "tml-s3cret" not in repr(StaticKey("tml-s3cret"))
    by_command = Profile(
        "c", "tinker", "https://example.test", credential_cmd="echo tml-from-command"
    ).target()
    assert await by_command.credential() == "tml-from-command"

"""The API layer against the hostile server: every case of `cases.py`.

Each case ends in data or in one of our errors, whose message is one line with nothing a
terminal would act on and no piece of the key; no request to another origin carries the key;
the call ends within seconds (a guard, not a timing) and within 200 MB (traced).
"""

from __future__ import annotations

import asyncio
import tracemalloc
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from lazytinker.api.client import TinkerAPI
from lazytinker.api.errors import LazytinkerError
from lazytinker.api.paths import CheckpointRef
from lazytinker.api.retry import RetryPolicy
from lazytinker.api.target import ServerTarget, StaticKey
from tests.hostile.cases import CASES, Case
from tests.hostile.payloads import KEY, assert_safe_line
from tests.hostile.server import Answer, HostileServer, hostile_pair

FAST = RetryPolicy(base_delay=0.01, max_delay=0.05, retry_after_cap=0.1, budget=1.0)
DEADLINE = 2.0
GUARD = 20.0
MEMORY = 200 * 1024 * 1024

CALLS: dict[str, Callable[[TinkerAPI], Awaitable[Any]]] = {
    "runs": lambda api: api.list_training_runs(),
    "checkpoints": lambda api: api.list_checkpoints("run-1"),
    "connect": lambda api: api.connect(),
    "weights": lambda api: api.get_weights_info(CheckpointRef.parse("tinker://run-1/weights/a")),
}


def script(server: HostileServer, routes: Any, other: HostileServer) -> None:
    """Put a case's routes on a server, `{other}` naming the second listener."""
    port = other.url.rsplit(":", 1)[1]
    for method, path, answers in routes:
        fixed = []
        for answer in answers:
            headers = {
                k: v.replace("{other}", other.url).replace(
                    "{other_localhost}", f"http://localhost:{port}"
                )
                for k, v in dict(answer.headers).items()
            }
            fixed.append(Answer(**{**answer.__dict__, "headers": headers}))
        server.on(method, path, *fixed)


def api_for(url: str) -> TinkerAPI:
    """A client with the hostile key, quick retries and a short deadline."""
    return TinkerAPI(ServerTarget(url, StaticKey(KEY)), retry=FAST, deadline=DEADLINE)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
async def test_a_hostile_answer_becomes_data_or_one_safe_line(case: Case) -> None:
    with hostile_pair() as (server, other):
        script(server, case.routes, other)
        script(other, case.other, other)
        tracemalloc.start()
        try:
            async with api_for(server.url) as api:
                async with asyncio.timeout(GUARD):
                    outcome: Any = await CALLS[case.call](api)
        except LazytinkerError as error:
            outcome = error
        finally:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        leaked = [r.line for r in other.requests if "x-api-key" in r.headers]
    assert peak < MEMORY, f"peak {peak / 2**20:.0f} MiB"
    assert not leaked, f"the key went to another origin: {leaked}"
    if case.error is not None:
        assert isinstance(outcome, case.error), f"{type(outcome).__name__}: {outcome}"
        message = str(outcome)
        assert_safe_line(message)
        assert case.says in message, message
    else:
        assert not isinstance(outcome, Exception), outcome
        assert case.check is not None
        assert case.check(outcome), outcome


@pytest.mark.parametrize(
    ("url", "same"),
    [
        ("http://127.0.0.1:8000/api/v1/x", True),
        ("http://127.0.0.1:8000", True),
        ("https://127.0.0.1:8000/api", False),
        ("http://127.0.0.1:8001/api", False),
        ("http://localhost:8000/api", False),
        ("http://user@127.0.0.1:8000/api", True),
        ("http://127.0.0.1:8000@evil.example/api", False),
        ("http://evil.example/127.0.0.1:8000", False),
    ],
)
def test_the_key_goes_only_to_the_apis_scheme_host_and_port(url: str, same: bool) -> None:
    api = api_for("http://127.0.0.1:8000")
    assert api.transport._same_origin(url) is same
    headers = api.transport.auth_headers_for(url)
    assert ("X-API-Key" in headers) is (same and api.transport.credentials.key is not None)

"""The start-up's first requests, sent before the client exists (`api/early.py`,
`cli/first_wave.py`), against real servers on 127.0.0.1.

What matters: the server sees exactly what the client would have sent, once; the client takes
every early answer (so the list cannot drift from what the store asks); and an early answer
that failed or came broken leaves the client where it would have been without it.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lazytinker.api import early as early_module
from lazytinker.api.client import TinkerAPI
from lazytinker.api.early import EarlyRequests, proxied
from lazytinker.cli.first_wave import first_wave, start_early
from lazytinker.config import Profile
from lazytinker.server.runner import ServerThread
from lazytinker.store import Store
from tests.client_asgi import Receive, Reply, Scope, ScriptedApp, Send, closed_port, serve
from tests.conftest import StartServer
from tests.downloads.raw import Request, response, serve_raw
from tests.ui.harness import profile_for

from .early_cases import run_refused, unreachable_both_ways

FLAVORS = ("tinker", "hpcai")
Seen = tuple[str, str, str, tuple[tuple[str, str], ...], bytes]
"""One request as a server read it: method, path, query, headers (but Connection), body."""


class Recording:
    """ASGI: every request as the server read it, then handed to `app`."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: list[Seen] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        messages: list[Any] = []
        while True:
            message = await receive()
            messages.append(message)
            if not message.get("more_body"):
                break
        headers = tuple(
            sorted(
                (name.decode().lower(), value.decode())
                for name, value in scope["headers"]
                if name.decode().lower() != "connection"
            )
        )
        body = b"".join(m.get("body", b"") for m in messages)
        self.seen.append(
            (scope["method"], scope["path"], scope["query_string"].decode(), headers, body)
        )

        async def replay() -> Any:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    def first_wave_of(self, flavor: str) -> list[Seen]:
        """The requests of the first wave, in the order they arrived."""
        wanted = {(r.method, r.path.split("?")[0]) for r in first_wave(flavor)}
        return [s for s in self.seen if (s[0], s[1]) in wanted]


@pytest.fixture
def recorded(start_server: StartServer) -> Iterator[tuple[Recording, str, ServerThread]]:
    server = start_server(api_keys=("tml-demo",))
    recording = Recording(server.app)
    with serve(recording) as url:
        yield recording, url, server


def started(profile: Profile) -> EarlyRequests:
    early = start_early(profile)
    assert early is not None
    return early


async def start_store(profile: Profile, early: EarlyRequests | None) -> tuple[Store, TinkerAPI]:
    api = TinkerAPI(profile.target(), early=early)
    store = Store(api, profile_name="test")
    assert await store.start()
    return store, api


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_the_server_sees_what_the_client_would_have_sent(
    recorded: tuple[Recording, str, ServerThread], flavor: str
) -> None:
    recording, url, _ = recorded
    profile = profile_for(url, flavor=flavor)
    store, _ = await start_store(profile, None)
    await store.close()
    by_client = recording.first_wave_of(flavor)
    recording.seen.clear()

    store, api = await start_store(profile, started(profile))
    try:
        assert api.transport.answered_early == len(first_wave(flavor))
    finally:
        await store.close()
    early = recording.first_wave_of(flavor)
    # Byte for byte (headers, Content-Length and body included), and each once.
    assert len(by_client) == len(first_wave(flavor))
    assert sorted(early) == sorted(by_client)


@pytest.mark.parametrize("flavor", FLAVORS)
async def test_the_store_takes_every_early_answer(
    recorded: tuple[Recording, str, ServerThread], flavor: str
) -> None:
    """The written-out first wave and the store's own start-up must not drift apart: were one
    request different, the store would send its own and the server would see it twice."""
    recording, url, _ = recorded
    profile = profile_for(url, flavor=flavor)
    store, _ = await start_store(profile, None)
    without = sorted(store.state.runs.items), sorted(store.state.sessions.items)
    await store.close()
    recording.seen.clear()
    store, api = await start_store(profile, started(profile))
    try:
        assert api.transport.answered_early == len(first_wave(flavor))
        # What the early answers said is what the store shows.
        assert (sorted(store.state.runs.items), sorted(store.state.sessions.items)) == without
        assert without[0]
    finally:
        await store.close()
    lines = [(s[0], s[1], s[2]) for s in recording.first_wave_of(flavor)]
    assert len(lines) == len(set(lines)) == len(first_wave(flavor))


async def test_a_server_that_wants_the_token_exchange_gets_the_second_call_with_the_token(
    start_server: StartServer,
) -> None:
    """The early `dynamic_config` carries the key, as `client/config` does; a server that asks
    for the exchange must get the client's own, with the token. The early answer then matches
    nothing and is dropped; everything else is still taken early."""
    server = start_server(api_keys=("tml-demo",), jwt=True)
    recording = Recording(server.app)
    with serve(recording) as url:
        profile = profile_for(url)
        store, api = await start_store(profile, started(profile))
        try:
            assert api.transport.answered_early == len(first_wave("tinker")) - 1
            assert store.state.runs.items
        finally:
            await store.close()
    keys = [
        dict(seen[3])["x-api-key"]
        for seen in recording.seen
        if seen[1] == "/api/v1/client/dynamic_config"
    ]
    assert len(keys) == 2
    assert keys[0] == "tml-demo"
    assert keys[1].startswith("eyJ")


def scripted_runs(app: ScriptedApp, *replies: Reply) -> None:
    app.on("GET", "/api/v1/training_runs", *replies)


RUNS = {"training_runs": [], "cursor": {"offset": 0, "limit": 100, "total_count": 0}}


async def test_an_early_error_goes_through_the_clients_retries() -> None:
    """A 503 to the early request is the client's first attempt: it tries again, as always."""
    app = ScriptedApp()
    scripted_runs(app, Reply(503, {"detail": "busy"}), Reply(body=RUNS))
    with serve(app) as url:
        profile = profile_for(url, flavor="hpcai")
        async with TinkerAPI(profile.target(), early=started(profile)) as api:
            page = await api.list_training_runs(limit=100, offset=0)
            assert api.transport.answered_early == 1
    assert page.training_runs == []
    assert len(app.calls("GET", "/api/v1/training_runs")) == 2


async def test_an_early_connection_refused_fails_as_the_clients_own() -> None:
    without, early = await unreachable_both_ways(f"http://127.0.0.1:{closed_port()}")
    assert early == without
    assert "connection failed" in early


def cut_first(answer: bytes) -> Any:
    """A raw handler: the first request's body stops short, the rest get `answer`."""
    count = 0

    def handle(request: Request) -> Iterator[bytes]:
        nonlocal count
        count += 1
        if count == 1:
            yield response("200 OK", {"Content-Length": str(len(answer) + 50)}, answer)
        else:
            yield response("200 OK", {"Content-Length": str(len(answer))}, answer)

    return handle


async def test_an_early_answer_cut_short_is_asked_for_again() -> None:
    import json

    body = json.dumps(RUNS).encode()
    with serve_raw(cut_first(body)) as raw:
        profile = profile_for(raw.url, flavor="hpcai")
        async with TinkerAPI(profile.target(), early=started(profile)) as api:
            page = await api.list_training_runs(limit=100, offset=0)
            assert api.transport.answered_early == 0
    assert page.cursor.total_count == 0
    assert [r.target for r in raw.requests] == [raw.requests[0].target] * 2


async def test_an_early_answer_past_the_cap_is_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(early_module, "ANSWER_CAP", 16)
    app = ScriptedApp()
    scripted_runs(app, Reply(body=RUNS))
    with serve(app) as url:
        profile = profile_for(url, flavor="hpcai")
        async with TinkerAPI(profile.target(), early=started(profile)) as api:
            await api.list_training_runs(limit=100, offset=0)
            assert api.transport.answered_early == 0
    # Kept from nobody: the client read it itself, within its own cap.
    assert len(app.calls("GET", "/api/v1/training_runs")) == 2


async def test_an_early_redirect_is_the_clients_to_follow() -> None:
    """The early request follows nothing: the redirect reaches the client, which follows it
    without the key (another port is another origin)."""
    other = ScriptedApp()
    scripted_runs(other, Reply(body=RUNS))
    with serve(other) as elsewhere:
        app = ScriptedApp()
        scripted_runs(app, Reply(307, headers={"Location": f"{elsewhere}/api/v1/training_runs"}))
        with serve(app) as url:
            profile = profile_for(url, flavor="hpcai")
            async with TinkerAPI(profile.target(), early=started(profile)) as api:
                await api.list_training_runs(limit=100, offset=0)
                assert api.transport.answered_early == 1
    (followed,) = other.calls("GET", "/api/v1/training_runs")
    assert "x-api-key" not in followed.headers
    assert len(app.calls("GET", "/api/v1/training_runs")) == 1


def test_what_nobody_takes_is_dropped_and_a_silent_server_let_go(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past the deadline the answers not taken are dropped, and a request the server never
    answers is cut: no thread is left waiting on it."""
    monkeypatch.setattr(early_module, "GIVE_UP", 0.3)
    answered = threading.Event()

    def silent(request: Request) -> Iterator[bytes]:
        answered.wait(30)  # holds the connection open, answering nothing
        yield b""

    with serve_raw(silent) as raw:
        early = started(profile_for(raw.url, flavor="hpcai"))
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and _early_threads():
                time.sleep(0.05)
            assert _early_threads() == []
            assert early.waiting == 0
        finally:
            answered.set()


def _early_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "lazytinker-early"]


def test_no_early_requests_through_a_proxy_or_with_a_key_command() -> None:
    assert proxied({"HTTPS_PROXY": "http://proxy:3128"})
    assert proxied({"all_proxy": "socks5://proxy"})
    assert not proxied({"NO_PROXY": "*"})
    commanded = Profile(
        name="cmd", flavor="tinker", base_url="http://127.0.0.1:9", credential_cmd="pass key"
    )
    assert start_early(commanded) is None


def test_the_first_wave_is_sent_at_once(
    recorded: tuple[Recording, str, ServerThread],
) -> None:
    """All of it before the client exists: the server has every request of the first wave
    before any store is built."""
    recording, url, _ = recorded
    early = started(profile_for(url))
    deadline = time.monotonic() + 20
    wave = len(first_wave("tinker"))
    while len(recording.first_wave_of("tinker")) < wave and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(recording.first_wave_of("tinker")) == len(first_wave("tinker"))
    assert early.waiting == len(first_wave("tinker"))


THREAD_IMPORTS = """
import sys, threading, time
seen = []

class Watch:
    def find_spec(self, name, path, target=None):
        if threading.current_thread() is not threading.main_thread():
            seen.append(name)

sys.meta_path.insert(0, Watch())
from lazytinker.cli.first_wave import start_early
from lazytinker.config import Profile

profile = Profile(name="t", flavor="tinker", base_url=sys.argv[1], api_key="tml-demo")
early = start_early(profile)
deadline = time.monotonic() + 20
while any(t.name == "lazytinker-early" for t in threading.enumerate()):
    if time.monotonic() > deadline:
        sys.exit("the early threads did not end")
    time.sleep(0.02)
print(seen)
"""


def test_the_early_threads_import_nothing(
    recorded: tuple[Recording, str, ServerThread],
) -> None:
    """Whatever they need is imported before they start: a thread importing beside the main
    thread's own imports makes both slower (checked in a fresh interpreter)."""
    _, url, _ = recorded
    done = subprocess.run(
        [sys.executable, "-c", THREAD_IMPORTS, url], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.strip() == "[]"


def test_an_early_answer_is_timed_from_its_own_request() -> None:
    """The about panel's round trips: an answer handed over at once still took the time its
    early request waited (the server holds it 0.3 s here), not the moment of handing over."""
    app = ScriptedApp()
    scripted_runs(app, Reply(body=RUNS, delay=0.3))
    with serve(app) as url:
        profile = profile_for(url, flavor="hpcai")
        early = started(profile)
        deadline = time.monotonic() + 20
        while not app.calls("GET", "/api/v1/training_runs") and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.6)  # the answer is in before the client asks

        async def ask() -> tuple[int, float | None]:
            async with TinkerAPI(profile.target(), early=early) as api:
                await api.list_training_runs(limit=100, offset=0)
                return api.transport.answered_early, api.transport.timing.fastest

        answered, fastest = asyncio.run(ask())
    assert answered == 1
    assert fastest is not None
    assert fastest >= 0.3


async def test_when_no_thread_can_be_had_the_client_sends_the_rest(
    recorded: tuple[Recording, str, ServerThread], monkeypatch: pytest.MonkeyPatch
) -> None:
    recording, url, _ = recorded
    start = threading.Thread.start
    allowed = [1]

    def scarce(thread: threading.Thread) -> None:
        if thread.name == "lazytinker-early":
            if not allowed:
                raise RuntimeError("can't start new thread")
            allowed.pop()
        start(thread)

    profile = profile_for(url)
    with monkeypatch.context() as patched:
        patched.setattr(threading.Thread, "start", scarce)
        early = started(profile)
    assert early.waiting == 1
    store, api = await start_store(profile, early)
    try:
        assert api.transport.answered_early == 1
    finally:
        await store.close()
    lines = [(s[0], s[1], s[2]) for s in recording.first_wave_of("tinker")]
    assert len(lines) == len(set(lines)) == len(first_wave("tinker"))


def test_an_option_refused_at_once_sends_nothing(
    recorded: tuple[Recording, str, ServerThread], tmp_path: Path
) -> None:
    """A mistyped theme is refused before anything leaves: the server sees no request."""
    recording, url, _ = recorded
    done = run_refused(["--theme", "no-such-theme"], tmp_path, TINKER_BASE_URL=url)
    assert done.returncode == 2
    assert "no-such-theme" in done.stderr
    time.sleep(0.5)  # anything sent would have arrived by now
    assert recording.seen == []

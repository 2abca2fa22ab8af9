"""The API client over real HTTP against a scripted ASGI app: handshake, retries, errors, URLs.

These are the cases the stand-in server cannot produce on demand (503 twice then 200, a 429 with
`Retry-After`, garbage JSON, a missing field); endpoint coverage runs against the server itself.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from lazytinker.api.client import Capability, TinkerAPI
from lazytinker.api.errors import (
    ArchiveNotReadyError,
    BadResponseError,
    ConflictError,
    InvalidRequestError,
    KeyRejectedError,
    NoCredentialError,
    NotFoundError,
    NotPermittedError,
    RateLimitedError,
    ServerError,
    UnreachableError,
    UnsupportedError,
)
from lazytinker.api.models import SessionSearchRequest
from lazytinker.api.paths import CheckpointRef
from lazytinker.api.retry import RetryPolicy
from lazytinker.config import Profile

from .client_asgi import Reply, ScriptedApp, closed_port, serve

KEY = "tml-secret-key-123"
RUN = "sess-a:train:0"
RUNS_PATH = "/api/v1/training_runs"
CKPT = {
    "checkpoint_id": "weights/0001",
    "checkpoint_type": "training",
    "time": "2026-01-01T00:00:00Z",
    "tinker_path": f"tinker://{RUN}/weights/0001",
}
RUN_JSON = {
    "training_run_id": RUN,
    "base_model": "Qwen/Qwen3-8B",
    "model_owner": "me",
    "is_lora": True,
    "last_request_time": "2026-01-01T00:00:00Z",
}
RUNS = {"training_runs": [RUN_JSON], "cursor": {"offset": 0, "limit": 100, "total_count": 1}}


class SleepLog:
    """Records the delays the retry policy asked for, without waiting them out."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


@pytest.fixture
def app() -> ScriptedApp:
    return ScriptedApp()


@pytest.fixture
def base_url(app: ScriptedApp) -> Iterator[str]:
    with serve(app) as url:
        yield url


@pytest.fixture
def sleeps() -> SleepLog:
    return SleepLog()


def profile(base_url: str, flavor: str = "tinker", **kw: object) -> Profile:
    return Profile(
        name="test",
        flavor="hpcai" if flavor == "hpcai" else "tinker",
        base_url=base_url,
        api_key=kw.pop("api_key", KEY),  # type: ignore[arg-type]
        key_source="TINKER_API_KEY",
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture
async def api(base_url: str, sleeps: SleepLog) -> AsyncIterator[TinkerAPI]:
    async with TinkerAPI(profile(base_url).target(), retry=RetryPolicy(sleep=sleeps)) as client:
        yield client


def make_jwt(sub: str = "user:1", exp_in: float = 3600) -> str:
    def part(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    claims = {"sub": sub, "org_id": "org1", "email": "a@b.c", "exp": time.time() + exp_in}
    return f"{part({'alg': 'none'})}.{part(claims)}.sig"


# --- handshake ------------------------------------------------------------------------------


async def test_tinker_handshake_runs_config_then_dynamic_config_then_the_call(
    app: ScriptedApp, api: TinkerAPI
) -> None:
    app.on("GET", RUNS_PATH, Reply(body=RUNS))
    page = await api.list_training_runs(limit=5, offset=10)
    assert page.training_runs[0].training_run_id == RUN
    lines = [r.line for r in app.requests]
    assert lines == [
        "POST /api/v1/client/config",
        "POST /api/v1/client/dynamic_config",
        "GET /api/v1/training_runs?limit=5&offset=10&access_scope=owned",
    ]
    first = app.requests[0]
    assert first.json() == {"sdk_version": first.json()["sdk_version"]}
    for request in app.requests:
        assert request.headers["x-api-key"] == KEY
        assert request.headers["user-agent"].startswith("lazytinker/")
        assert "authorization" not in request.headers


async def test_handshake_happens_once(app: ScriptedApp, api: TinkerAPI) -> None:
    app.on("GET", RUNS_PATH, Reply(body=RUNS))
    await api.connect()
    await api.list_training_runs()
    await api.list_training_runs()
    assert len(app.calls("POST", "/api/v1/client/config")) == 1


async def test_config_404_fails_connect(app: ScriptedApp, api: TinkerAPI) -> None:
    app.on("POST", "/api/v1/client/config", Reply(404, {"detail": "Not Found"}))
    with pytest.raises(NotFoundError, match=r"127\.0\.0\.1"):
        await api.connect()


async def test_jwt_exchange_when_the_server_asks(app: ScriptedApp, api: TinkerAPI) -> None:
    token = make_jwt()
    app.on("POST", "/api/v1/client/config", Reply(body={"pjwt_auth_enabled": True}))
    app.on("POST", "/api/v1/auth/token", Reply(body={"jwt": token}))
    app.on("POST", "/api/v1/client/dynamic_config", Reply(body={"refresh_interval_sec": 60}))
    app.on("GET", RUNS_PATH, Reply(body=RUNS))
    await api.list_training_runs()
    assert [r.raw_path for r in app.requests] == [
        "/api/v1/client/config",
        "/api/v1/auth/token",
        "/api/v1/client/dynamic_config",
        RUNS_PATH,
    ]
    assert app.requests[1].headers["x-api-key"] == KEY
    assert app.requests[1].json() == {}
    assert [r.headers["x-api-key"] for r in app.requests[2:]] == [token, token]
    assert api.whoami is not None
    assert (api.whoami.user_urn, api.whoami.org_urn, api.whoami.email) == (
        "user:1",
        "tml:organization:org1",
        "a@b.c",
    )
    assert api.dynamic_config is not None
    assert api.dynamic_config.refresh_interval_sec == 60


async def test_invalid_token_401_re_exchanges_once_and_replays(
    app: ScriptedApp, api: TinkerAPI
) -> None:
    first, second = make_jwt("user:first"), make_jwt("user:second")
    app.on("POST", "/api/v1/client/config", Reply(body={"pjwt_auth_enabled": True}))
    app.on("POST", "/api/v1/auth/token", Reply(body={"jwt": first}), Reply(body={"jwt": second}))
    invalid = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
    app.on("GET", RUNS_PATH, Reply(401, {"detail": "expired"}, invalid), Reply(body=RUNS))
    await api.list_training_runs()
    calls = app.calls("GET", RUNS_PATH)
    assert [c.headers["x-api-key"] for c in calls] == [first, second]
    assert len(app.calls("POST", "/api/v1/auth/token")) == 2


async def test_a_second_invalid_token_401_is_reported(app: ScriptedApp, api: TinkerAPI) -> None:
    app.on("POST", "/api/v1/client/config", Reply(body={"pjwt_auth_enabled": True}))
    app.on("POST", "/api/v1/auth/token", Reply(body={"jwt": make_jwt()}))
    invalid = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
    app.on("GET", RUNS_PATH, Reply(401, {"detail": "expired"}, invalid))
    with pytest.raises(KeyRejectedError):
        await api.list_training_runs()
    assert len(app.calls("GET", RUNS_PATH)) == 2


async def test_expired_jwt_is_refreshed_before_use(app: ScriptedApp, api: TinkerAPI) -> None:
    app.on("POST", "/api/v1/client/config", Reply(body={"pjwt_auth_enabled": True}))
    app.on("POST", "/api/v1/auth/token", Reply(body={"jwt": make_jwt(exp_in=10)}))
    app.on("GET", RUNS_PATH, Reply(body=RUNS))
    await api.list_training_runs()
    # 10 s of life is inside the refresh margin: every call exchanges again first.
    assert len(app.calls("POST", "/api/v1/auth/token")) >= 2


async def test_hpcai_has_no_handshake_and_no_access_scope(
    app: ScriptedApp, base_url: str, sleeps: SleepLog
) -> None:
    app.on("GET", RUNS_PATH, Reply(body=RUNS))
    async with TinkerAPI(profile(base_url, "hpcai", api_key="anything").target()) as api:
        await api.list_training_runs(limit=20)
        with pytest.raises(UnsupportedError, match="publish"):
            await api.publish_checkpoint(CheckpointRef.parse(f"hpcai://{RUN}/training/1"))
        assert not api.supports(Capability.SESSIONS)
        assert api.supports(Capability.ARCHIVE)
    assert [r.line for r in app.requests] == ["GET /api/v1/training_runs?limit=20&offset=0"]
    assert app.requests[0].headers["x-api-key"] == "anything"


async def test_credential_command_supplies_the_key(app: ScriptedApp, base_url: str) -> None:
    app.on("GET", RUNS_PATH, Reply(body=RUNS))
    prof = profile(base_url, api_key=None, credential_cmd="echo tml-from-command")
    async with TinkerAPI(prof.target()) as api:
        await api.list_training_runs()
    assert {r.headers["x-api-key"] for r in app.requests} == {"tml-from-command"}


async def test_failing_credential_command_is_a_clear_error(base_url: str) -> None:
    prof = profile(base_url, api_key=None, credential_cmd="echo oops >&2; exit 3")
    async with TinkerAPI(prof.target()) as api:
        # Issue 13: by its exit status only; what it printed could be a secret.
        with pytest.raises(NoCredentialError, match="exit status 3") as info:
            await api.connect()
    assert "oops" not in str(info.value)


# --- retries --------------------------------------------------------------------------------


async def test_503_twice_then_200_succeeds(
    app: ScriptedApp, api: TinkerAPI, sleeps: SleepLog
) -> None:
    busy = Reply(503, {"detail": "busy"})
    app.on("GET", RUNS_PATH, busy, busy, Reply(body=RUNS))
    page = await api.list_training_runs()
    assert page.cursor.total_count == 1
    assert len(app.calls("GET", RUNS_PATH)) == 3
    assert len(sleeps.delays) == 2


async def test_persistent_5xx_gives_up_within_the_policy(
    app: ScriptedApp, api: TinkerAPI, sleeps: SleepLog
) -> None:
    app.on("GET", RUNS_PATH, Reply(500, {"detail": "boom"}))
    with pytest.raises(ServerError) as info:
        await api.list_training_runs()
    assert len(app.calls("GET", RUNS_PATH)) == api.retry.max_attempts
    assert sum(sleeps.delays) <= api.retry.budget
    assert "127.0.0.1" in str(info.value)
    assert "boom" in str(info.value)
    assert KEY not in str(info.value)


async def test_409_is_not_retried(app: ScriptedApp, api: TinkerAPI, sleeps: SleepLog) -> None:
    path = f"{RUNS_PATH}/{RUN}/checkpoints/weights/0001/publish"
    app.on("POST", path, Reply(409, {"detail": "Checkpoint is already public"}))
    with pytest.raises(ConflictError, match="already public"):
        await api.publish_checkpoint(CheckpointRef.parse(f"tinker://{RUN}/weights/0001"))
    assert len(app.calls("POST", path)) == 1
    assert sleeps.delays == []
    assert app.calls("POST", path)[0].body == b""


async def test_5xx_on_publish_is_not_retried(
    app: ScriptedApp, api: TinkerAPI, sleeps: SleepLog
) -> None:
    path = f"{RUNS_PATH}/{RUN}/checkpoints/weights/0001/publish"
    app.on("POST", path, Reply(500, {"detail": "boom"}))
    with pytest.raises(ServerError):
        await api.publish_checkpoint(CheckpointRef.parse(f"tinker://{RUN}/weights/0001"))
    assert len(app.calls("POST", path)) == 1


async def test_5xx_on_delete_and_ttl_is_retried(app: ScriptedApp, api: TinkerAPI) -> None:
    base = f"{RUNS_PATH}/{RUN}/checkpoints/weights/0001"
    busy = Reply(502, {"detail": "bad gateway"})
    app.on("DELETE", base, busy, Reply(body={}))
    app.on("PUT", f"{base}/ttl", busy, Reply(204))
    ref = CheckpointRef.parse(f"tinker://{RUN}/weights/0001")
    await api.delete_checkpoint(ref)
    await api.set_checkpoint_ttl(ref, None)
    assert len(app.calls("DELETE", base)) == 2
    ttl_calls = app.calls("PUT", f"{base}/ttl")
    assert len(ttl_calls) == 2
    assert ttl_calls[-1].json() == {"ttl_seconds": None}


async def test_429_waits_its_retry_after(
    app: ScriptedApp, api: TinkerAPI, sleeps: SleepLog
) -> None:
    app.on(
        "GET",
        RUNS_PATH,
        Reply(429, {"detail": "slow down"}, {"Retry-After": "2"}),
        Reply(body=RUNS),
    )
    await api.list_training_runs()
    assert sleeps.delays == [2.0]


async def test_429_retry_after_is_capped_and_reported(
    app: ScriptedApp, api: TinkerAPI, sleeps: SleepLog
) -> None:
    app.on("GET", RUNS_PATH, Reply(429, {"detail": "slow down"}, {"Retry-After": "120"}))
    with pytest.raises(RateLimitedError) as info:
        await api.list_training_runs()
    assert all(d <= api.retry.retry_after_cap for d in sleeps.delays)
    assert sum(sleeps.delays) <= api.retry.budget
    assert info.value.retry_after == 120


async def test_empty_400_is_an_edge_rejection_and_retried(
    app: ScriptedApp, api: TinkerAPI, sleeps: SleepLog
) -> None:
    app.on("GET", RUNS_PATH, Reply(400), Reply(body=RUNS))
    await api.list_training_runs()
    assert len(app.calls("GET", RUNS_PATH)) == 2


async def test_400_with_a_body_is_not_retried(
    app: ScriptedApp, api: TinkerAPI, sleeps: SleepLog
) -> None:
    app.on("GET", RUNS_PATH, Reply(400, {"detail": "limit out of range"}))
    with pytest.raises(InvalidRequestError, match="limit out of range"):
        await api.list_training_runs(limit=5000)
    assert len(app.calls("GET", RUNS_PATH)) == 1


# --- error classes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, KeyRejectedError),
        (403, NotPermittedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, InvalidRequestError),
        (402, InvalidRequestError),
    ],
)
async def test_each_status_has_its_error_with_host_and_no_key(
    app: ScriptedApp, api: TinkerAPI, status: int, error: type[Exception]
) -> None:
    # A careless server echoing the key must not make us print it.
    app.on("GET", f"{RUNS_PATH}/{RUN}", Reply(status, {"detail": f"nope for {KEY}\nsecond line"}))
    with pytest.raises(error) as info:
        await api.get_training_run(RUN)
    message = str(info.value)
    assert "127.0.0.1" in message
    assert KEY not in message
    assert "\n" not in message
    assert len(app.calls("GET", f"{RUNS_PATH}/{RUN}")) == 1


@pytest.mark.parametrize(
    ("body", "shown", "hidden"),
    [
        (b'{"detail":"Checkpoint \'tinker://r/weights/0001\' not fo', "not fo…", '{"detail"'),
        (b"<html><body>404 Not Found</body></html>", "HTTP 404", "<html>"),
        (b'{"oops": [1, 2', "HTTP 404", '{"oops"'),
    ],
)
async def test_a_cut_or_html_error_body_gives_a_clean_line(
    app: ScriptedApp, api: TinkerAPI, body: bytes, shown: str, hidden: str
) -> None:
    app.on("GET", f"{RUNS_PATH}/{RUN}", Reply(404, body, content_type="text/html"))
    with pytest.raises(NotFoundError) as info:
        await api.get_training_run(RUN)
    message = str(info.value)
    assert shown in message
    assert hidden not in message


async def test_non_json_body_is_a_bad_response(app: ScriptedApp, api: TinkerAPI) -> None:
    app.on("GET", RUNS_PATH, Reply(body=b"<html>oops</html>", content_type="text/html"))
    with pytest.raises(BadResponseError, match="not JSON") as info:
        await api.list_training_runs()
    assert info.value.endpoint == "GET /api/v1/training_runs"


async def test_missing_required_field_names_endpoint_and_field(
    app: ScriptedApp, api: TinkerAPI
) -> None:
    app.on("GET", RUNS_PATH, Reply(body={"training_runs": []}))
    with pytest.raises(BadResponseError) as info:
        await api.list_training_runs()
    assert info.value.field == "cursor"
    assert info.value.endpoint == "GET /api/v1/training_runs"
    assert "cursor" in str(info.value)
    assert "127.0.0.1" in str(info.value)


async def test_wrong_literal_is_a_bad_response(app: ScriptedApp, api: TinkerAPI) -> None:
    bad = dict(CKPT, checkpoint_type="mystery")
    app.on("GET", f"{RUNS_PATH}/{RUN}/checkpoints", Reply(body={"checkpoints": [bad]}))
    with pytest.raises(BadResponseError) as info:
        await api.list_checkpoints(RUN)
    assert info.value.field == "checkpoints.0.checkpoint_type"


async def test_unreachable_host(sleeps: SleepLog) -> None:
    prof = profile(f"http://127.0.0.1:{closed_port()}")
    async with TinkerAPI(prof.target(), retry=RetryPolicy(sleep=sleeps)) as api:
        with pytest.raises(UnreachableError, match=r"Cannot reach 127\.0\.0\.1") as info:
            await api.list_training_runs()
    assert KEY not in str(info.value)
    assert len(sleeps.delays) == api.retry.max_attempts - 1


# --- URLs and bodies ------------------------------------------------------------------------


async def test_run_ids_keep_colons_and_names_are_percent_encoded(
    app: ScriptedApp, api: TinkerAPI
) -> None:
    ref = CheckpointRef.parse(f"tinker://{RUN}/weights/step 10#x")
    path = f"{RUNS_PATH}/{RUN}/checkpoints/weights/step%2010%23x"
    app.on("DELETE", path, Reply(204))
    await api.delete_checkpoint(ref)
    (call,) = app.calls("DELETE", path)
    assert call.path == f"{RUNS_PATH}/{RUN}/checkpoints/weights/step 10#x"


async def test_hpcai_checkpoint_id_is_the_name(
    app: ScriptedApp, base_url: str, sleeps: SleepLog
) -> None:
    path = f"{RUNS_PATH}/{RUN}/checkpoints/a/b"
    app.on("DELETE", path, Reply(200, {}))
    async with TinkerAPI(profile(base_url, "hpcai").target()) as api:
        # A tinker path works against an hpcai service: it is rewritten to that flavor.
        await api.delete_checkpoint(CheckpointRef.parse(f"hpcai://{RUN}/sampler/a/b"))
    assert len(app.calls("DELETE", path)) == 1


async def test_search_and_weights_info_bodies(app: ScriptedApp, api: TinkerAPI) -> None:
    app.on("POST", "/api/v1/sessions/search", Reply(body={"sessions": [], "next_cursor": None}))
    info = {"base_model": "m", "is_lora": True, "lora_rank": 8}
    app.on("POST", "/api/v1/weights_info", Reply(body=info))
    await api.search_sessions(SessionSearchRequest())
    weights = await api.get_weights_info(CheckpointRef.parse(f"tinker://{RUN}/weights/0001"))
    assert weights.optimizer_config == {"type": "adamw"}
    (search,) = app.calls("POST", "/api/v1/sessions/search")
    assert search.json() == {"user_metadata": {}, "owner": {"type": "own"}, "limit": 50}
    (winfo,) = app.calls("POST", "/api/v1/weights_info")
    assert winfo.json() == {"tinker_path": f"tinker://{RUN}/weights/0001"}


async def test_billing_window_is_sent_as_rfc3339_z(app: ScriptedApp, api: TinkerAPI) -> None:
    app.on("GET", "/api/v1/billing/usage/events", Reply(body={"data": []}))
    start = datetime(2026, 7, 13, tzinfo=UTC)
    await api.get_billing_usage(start, start + timedelta(hours=2))
    (call,) = app.calls("GET", "/api/v1/billing/usage/events")
    assert call.query == (
        "starting_on=2026-07-13T00%3A00%3A00Z&ending_before=2026-07-13T02%3A00%3A00Z"
    )


async def test_redirect_to_another_origin_drops_the_key(
    app: ScriptedApp, api: TinkerAPI, base_url: str
) -> None:
    other = base_url.replace("127.0.0.1", "localhost")
    app.on("GET", "/api/v1/audit", Reply(302, headers={"Location": f"{other}/signed/audit"}))
    app.on("GET", "/signed/audit", Reply(body={"entries": []}))
    log = await api.get_audit_log()
    assert log.entries == []
    (audit,) = app.calls("GET", "/api/v1/audit")
    (signed,) = app.calls("GET", "/signed/audit")
    assert audit.headers["x-api-key"] == KEY
    assert "x-api-key" not in signed.headers
    assert audit.query == "event_type=all"


async def test_same_origin_307_keeps_method_body_and_key(app: ScriptedApp, api: TinkerAPI) -> None:
    app.on("POST", "/api/v1/sessions/search", Reply(307, headers={"Location": "/v2/search"}))
    app.on("POST", "/v2/search", Reply(body={"sessions": []}))
    await api.search_sessions(SessionSearchRequest(limit=7))
    (moved,) = app.calls("POST", "/v2/search")
    assert moved.json()["limit"] == 7
    assert moved.headers["x-api-key"] == KEY


# --- archive --------------------------------------------------------------------------------

ARCHIVE = f"{RUNS_PATH}/{RUN}/checkpoints/sampler_weights/s1/archive"
SAMPLER_REF = CheckpointRef.parse(f"tinker://{RUN}/sampler_weights/s1")


async def test_archive_302_relative_location_and_expires(
    app: ScriptedApp, api: TinkerAPI, base_url: str
) -> None:
    headers = {"Location": "/signed/abc?sig=1", "Expires": "Wed, 01 Jul 2026 10:00:00 GMT"}
    app.on("GET", ARCHIVE, Reply(302, headers=headers))
    answer = await api.get_archive_url(SAMPLER_REF)
    assert answer.url == f"{base_url}/signed/abc?sig=1"
    assert answer.expires == datetime(2026, 7, 1, 10, tzinfo=UTC)
    assert app.calls("GET", "/signed/abc") == []  # not followed


async def test_archive_302_without_expires_defaults_to_15_minutes(
    app: ScriptedApp, api: TinkerAPI
) -> None:
    app.on("GET", ARCHIVE, Reply(302, headers={"Location": "https://cdn.example/x.tar"}))
    before = datetime.now(UTC)
    answer = await api.get_archive_url(SAMPLER_REF)
    assert answer.url == "https://cdn.example/x.tar"
    assert before + timedelta(minutes=14) < answer.expires < before + timedelta(minutes=16)


async def test_archive_200_json(app: ScriptedApp, api: TinkerAPI) -> None:
    body = {"url": "https://cdn.example/y.tar", "expires": "2026-07-01T10:00:00Z"}
    app.on("GET", ARCHIVE, Reply(body=body))
    answer = await api.get_archive_url(SAMPLER_REF)
    assert (answer.url, answer.expires.tzinfo is not None) == ("https://cdn.example/y.tar", True)


async def test_archive_503_is_not_ready_with_retry_after(
    app: ScriptedApp, api: TinkerAPI, sleeps: SleepLog
) -> None:
    app.on("GET", ARCHIVE, Reply(503, {"detail": "building"}, {"Retry-After": "7"}))
    with pytest.raises(ArchiveNotReadyError) as info:
        await api.get_archive_url(SAMPLER_REF)
    assert info.value.retry_after == 7
    assert len(app.calls("GET", ARCHIVE)) == 1
    assert sleeps.delays == []


async def test_hpcai_archive_bytes_mean_the_endpoint_is_the_url(
    app: ScriptedApp, base_url: str
) -> None:
    path = f"{RUNS_PATH}/{RUN}/checkpoints/s1/archive"
    app.on("GET", path, Reply(body=b"\x1f\x8b" + b"0" * 100_000, content_type="application/gzip"))
    async with TinkerAPI(profile(base_url, "hpcai").target()) as api:
        answer = await api.get_archive_url(CheckpointRef.parse(f"hpcai://{RUN}/sampler/s1"))
        assert answer.url == f"{base_url}{path}"
        assert api.auth_headers_for(answer.url)["X-API-Key"] == KEY
        assert "X-API-Key" not in api.auth_headers_for("https://cdn.example/x")


async def test_external_weights_urls_need_an_external_ref(api: TinkerAPI) -> None:
    with pytest.raises(InvalidRequestError, match="external_weights"):
        await api.get_external_weights_urls(SAMPLER_REF)


def test_repr_hides_the_key(base_url: str) -> None:
    prof = profile(base_url)
    assert KEY not in repr(prof)
    assert KEY not in str(prof)
    assert KEY not in repr(TinkerAPI(prof.target()))

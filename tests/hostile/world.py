"""Wire data a hostile server answers with: runs, checkpoints, sessions and the rest, each field
carrying a payload, an odd shape or an extreme value, and the whole world for the app.

Built as plain dicts (what goes on the wire), not through our models: the point is to send what
our models might not expect.
"""

from __future__ import annotations

from typing import Any

from tests.hostile.payloads import EVIL, KEY
from tests.hostile.server import Answer, HostileServer, gzip_bomb

NOW = "2026-05-01T12:00:00Z"
EXTREME_DATES = [
    "0001-01-01T00:00:00+14:00",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59-14:00",
    "9999-12-31T23:59:59Z",
    "2026-05-01T12:00:00+05:45",
]
ODD_SIZES: list[Any] = [-1, 10**30, 1e30, "lots", None, 0]
ODD_PATHS = [
    f"tinker://run-evil/weights/{EVIL}",
    "tinker://run-evil/weights/a/b/c",  # four parts
    "tinker://run-evil/bogus_kind/x",  # an unknown kind
    "not-a-path-at-all",
    "tinker://",
]


def run(run_id: str, **over: Any) -> dict[str, Any]:
    """A training run as the wire has it."""
    body: dict[str, Any] = {
        "training_run_id": run_id,
        "base_model": "Qwen/Qwen3-8B",
        "model_owner": "someone",
        "is_lora": True,
        "lora_rank": 32,
        "corrupted": False,
        "last_request_time": NOW,
        "user_metadata": {},
    }
    return {**body, **over}


def checkpoint(path: str, **over: Any) -> dict[str, Any]:
    """A checkpoint as the wire has it."""
    cid = path.split("://", 1)[-1].split("/", 1)[-1]
    body: dict[str, Any] = {
        "checkpoint_id": cid,
        "checkpoint_type": "training",
        "time": NOW,
        "tinker_path": path,
        "size_bytes": 1234,
        "public": False,
    }
    return {**body, **over}


def runs_page(runs: list[dict[str, Any]], total: int | None = None) -> dict[str, Any]:
    """A page of `GET /api/v1/training_runs`."""
    count = len(runs) if total is None else total
    return {"training_runs": runs, "cursor": {"offset": 0, "limit": 100, "total_count": count}}


def checkpoints_page(items: list[dict[str, Any]], total: int | None = None) -> dict[str, Any]:
    """A page of a checkpoint listing."""
    count = len(items) if total is None else total
    return {"checkpoints": items, "cursor": {"offset": 0, "limit": 1000, "total_count": count}}


def hostile_runs() -> list[dict[str, Any]]:
    """Runs with a payload in every text field, extreme dates, duplicate ids, the key."""
    runs = [
        run(
            f"run-evil-{EVIL}",
            base_model=EVIL,
            model_owner=f"owner {KEY}",
            user_metadata={EVIL: EVIL, "key": KEY, KEY: "echoed as a field name"},
        ),
        run("run-evil", last_checkpoint=checkpoint(ODD_PATHS[0], time=EXTREME_DATES[0])),
        run("run-dup", base_model="first"),
        run("run-dup", base_model="second"),
        run("run-\x00nul-\ud800surrogate"),
    ]
    runs += [run(f"run-date-{i}", last_request_time=d) for i, d in enumerate(EXTREME_DATES)]
    return runs


def hostile_checkpoints() -> list[dict[str, Any]]:
    """Checkpoints with odd paths, sizes and dates, and payloads in their metadata."""
    items = [
        checkpoint(path, size_bytes=size, time=date, expires_at=date, user_metadata={"m": EVIL})
        for path, size, date in zip(ODD_PATHS, ODD_SIZES, EXTREME_DATES, strict=False)
    ]
    items.append(checkpoint("tinker://run-evil/weights/dup", size_bytes=1))
    items.append(checkpoint("tinker://run-evil/weights/dup", size_bytes=2))
    items.append(checkpoint(f"tinker://run-evil/sampler_weights/{KEY}", checkpoint_type="sampler"))
    return items


def hostile_sessions() -> dict[str, Any]:
    """A page of session search with payloads in names, owners and statuses."""
    sessions = [
        {
            "session_id": f"sess-{EVIL}",
            "created_at": EXTREME_DATES[2],
            "owner": f"owner {KEY}",
            "project_id": EVIL,
            "checkpoints_count": -5,
            "display_name": EVIL,
            "user_metadata": {"k": EVIL},
            "checkpoint_storage_bytes": 10**30,
            "status": {
                "type": "failed",
                "category": "user",
                "message": EVIL,
                "reason": {"type": "request", "request_id": EVIL, "request_type": EVIL},
            },
        },
        {
            "session_id": "sess-plain",
            "created_at": EXTREME_DATES[0],
            "owner": "me",
            "project_id": "p",
            "checkpoints_count": 1,
        },
    ]
    return {"sessions": sessions, "next_cursor": None}


def script_world(server: HostileServer) -> None:
    """The whole hostile world the app is pointed at: every endpoint it calls answers with
    payloads, and some with errors whose detail carries payloads and the key."""
    runs = hostile_runs()
    checkpoints = hostile_checkpoints()
    # Paging: a claimed 10^12 runs, and the offset ignored (the same page for ever).
    server.on("GET", "/api/v1/training_runs", Answer(body=runs_page(runs, total=10**12)))
    server.on("GET", "/api/v1/training_runs/*", Answer(body=checkpoints_page(checkpoints)))
    server.on("GET", "/api/v1/checkpoints", Answer(body=checkpoints_page(checkpoints, 10**12)))
    server.on("POST", "/api/v1/sessions/search", Answer(body=hostile_sessions()))
    # Opening a session: a gzip bomb (4 MB inflating to 4 GiB).
    server.on(
        "GET", "/api/v1/sessions/*", Answer(body=gzip_bomb(), headers={"Content-Encoding": "gzip"})
    )
    server.on(
        "GET",
        "/api/v1/get_server_capabilities",
        Answer(
            body={
                "supported_models": [
                    {"model_name": EVIL, "max_context_length": -1},
                    {"model_name": None},
                ]
            }
        ),
    )
    server.on(
        "POST",
        "/api/v1/weights_info",
        # A FastAPI error of odd shape whose message carries every payload and echoes the key.
        Answer(422, {"detail": [{"loc": None, "msg": f"{EVIL} {KEY}", "type": "x"}, {"loc": 5}]}),
    )
    # Storage trickles a byte every half second: the call's deadline ends it.
    server.on(
        "GET",
        "/api/v1/billing/usage/checkpoints/current",
        Answer(body={"data": []}, trickle=0.5),
    )
    # Billing: JSON nested 100,000 deep.
    server.on("GET", "/api/v1/billing/usage/events", Answer(body=b"[" * 100_000 + b"]" * 100_000))


if __name__ == "__main__":
    # `python -m tests.hostile.world`: serve the hostile world until interrupted, to look at the
    # app on it (`lazytinker --base-url URL` with TINKER_API_KEY set to payloads.KEY).
    import time

    with HostileServer() as world:
        script_world(world)
        print(world.url, flush=True)
        while True:
            time.sleep(3600)

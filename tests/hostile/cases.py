"""The hostile cases of the API layer, as a table: what the server answers -> what must happen.

Each case scripts routes on the API's server (and, for redirects, on a second listener: another
origin, written `{other}` in a `Location`), makes one call, and says what must come of it: an
error of our kind whose one-line message holds `says`, or data a `check` accepts. Whatever the
case, the message is one safe line, no request to the other origin carries the key, and the call
ends in seconds and in bounded memory (`test_api.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lazytinker.api.errors import (
    BadResponseError,
    InvalidRequestError,
    KeyRejectedError,
    LazytinkerError,
    NotFoundError,
    NotPermittedError,
    ServerError,
    UnreachableError,
)
from tests.hostile.payloads import EVIL, KEY
from tests.hostile.server import Answer, gzip_bomb
from tests.hostile.world import (
    EXTREME_DATES,
    ODD_PATHS,
    checkpoint,
    checkpoints_page,
    hostile_checkpoints,
    hostile_runs,
    run,
    runs_page,
)

RUNS = "/api/v1/training_runs"
CHECKPOINTS = "/api/v1/training_runs/run-1/checkpoints"
CONFIG = "/api/v1/client/config"
Route = tuple[str, str, list[Answer]]


@dataclass(frozen=True)
class Case:
    """One hostile case: the routes scripted, the call made, what must come of it."""

    id: str
    routes: list[Route]
    call: str = "runs"
    error: type[LazytinkerError] | None = None
    says: str = ""
    check: Callable[[Any], bool] | None = None
    other: list[Route] = field(default_factory=list)


def runs(*answers: Answer) -> list[Route]:
    """Script `GET /api/v1/training_runs`."""
    return [("GET", RUNS, list(answers))]


def checkpoint_typed(kind: str) -> list[Route]:
    """Script a page of one run whose last checkpoint's type is `kind`."""
    last = checkpoint("tinker://r/weights/1", checkpoint_type=kind)
    return runs(Answer(body=runs_page([run("r", last_checkpoint=last)])))


def fastapi(*errors: Any) -> dict[str, Any]:
    """A FastAPI validation error body."""
    return {"detail": list(errors)}


def _sizes_known_or_none(page: Any) -> bool:
    sizes = [c.size_bytes for c in page.checkpoints]
    return None in sizes and 10**30 in sizes and all(s is None or s >= 0 for s in sizes)


def _dates_kept(page: Any) -> bool:
    return {r.last_request_time.year for r in page.training_runs} >= {1, 9999}


async def _forty_mib() -> Any:
    for _ in range(40):
        yield bytes(1 << 20)


CASES = [
    # --- the terminal and the key: server text in error messages ----------------------------
    Case(
        "detail-with-every-payload",
        runs(Answer(500, {"detail": EVIL})),
        error=ServerError,
        says="evil\\x1b]52;c;UFdORUQ=\\x07",
    ),
    Case(
        "detail-echoes-the-key",
        runs(Answer(401, {"detail": f"bad key {KEY}!"})),
        error=KeyRejectedError,
        says="bad key ***!",
    ),
    Case(
        "key-where-the-detail-is-cut",
        runs(Answer(404, {"detail": "x" * 190 + KEY})),
        error=NotFoundError,
    ),
    Case(
        # msgspec quotes a value it refuses ("Invalid enum value '...'"): not this one.
        "key-as-a-checkpoint-type",
        checkpoint_typed(f"{KEY}\n\x1b[2J"),
        error=BadResponseError,
        says="last_checkpoint.checkpoint_type",
    ),
    Case(
        # The same with every payload, a lone surrogate among them: msgspec cannot word that.
        "key-and-escapes-as-a-checkpoint-type",
        checkpoint_typed(f"{KEY}\n{EVIL}"),
        error=BadResponseError,
        says="last_checkpoint.checkpoint_type",
    ),
    Case(
        "key-echoed-as-a-field-name",
        runs(Answer(body=runs_page([run("r", user_metadata={KEY: 5})]))),
        error=BadResponseError,
        # The record names no metadata key (msgspec's path says `[...]`): the key is not shown.
        says="user_metadata.<key>",
    ),
    Case(
        "detail-is-a-multiline-html-page",
        runs(
            Answer(502, b"<html>\n<h1>Bad\x1b[2J gateway</h1>\n</html>", content_type="text/html")
        ),
        error=ServerError,
    ),
    Case(
        "plain-text-detail-with-payloads",
        runs(Answer(500, EVIL.encode("utf-8", "surrogatepass"), content_type="text/plain")),
        error=ServerError,
        says="evil",
    ),
    # --- FastAPI details of every shape -----------------------------------------------------
    Case(
        "fastapi-loc-null",
        runs(Answer(422, fastapi({"loc": None, "msg": EVIL}))),
        error=InvalidRequestError,
        says="evil",
    ),
    Case(
        "fastapi-loc-a-number",
        runs(Answer(422, fastapi({"loc": 5, "msg": "too big"}))),
        error=InvalidRequestError,
        says="5: too big",
    ),
    Case(
        "fastapi-loc-of-odd-parts",
        runs(Answer(422, fastapi({"loc": ["body", {"a": 1}, None, 3], "msg": {"no": "str"}}))),
        error=InvalidRequestError,
    ),
    Case(
        "fastapi-detail-list-of-strings",
        runs(Answer(422, {"detail": [EVIL, 5]})),
        error=InvalidRequestError,
    ),
    Case(
        "detail-an-object",
        runs(Answer(400, {"detail": {"nested": [EVIL]}})),
        error=InvalidRequestError,
    ),
    # --- bodies of every shape ---------------------------------------------------------------
    Case(
        "json-nested-100000-deep",
        runs(Answer(body=b"[" * 100_000 + b"]" * 100_000)),
        error=BadResponseError,
        says="'(body)' is invalid",
    ),
    Case(
        # A size takes any JSON value (odd ones mean "unknown"), so this one is read to its end.
        "a-size-nested-100000-deep",
        runs(
            Answer(
                body=b'{"training_runs": [], "cursor": {"offset": 0, "limit": 1, "total_count": '
                + b"[" * 100_000
                + b"]" * 100_000
                + b"}}"
            )
        ),
        error=BadResponseError,
        says="nested too deeply",
    ),
    Case(
        "error-detail-nested-100000-deep",
        runs(Answer(500, b'{"detail":' + b"[" * 100_000 + b"]" * 100_000 + b"}")),
        error=ServerError,
    ),
    Case(
        "not-json",
        runs(Answer(body=b"<html>hello</html>")),
        error=BadResponseError,
        says="not JSON",
    ),
    Case("not-utf8", runs(Answer(body=b"\xff\xfe{\x00")), error=BadResponseError),
    Case("empty-200", runs(Answer(body=b"")), error=BadResponseError),
    Case(
        "nan-count",
        runs(
            Answer(
                body=b'{"training_runs": [], "cursor": {"offset": 0, '
                b'"limit": 1, "total_count": NaN}}'
            )
        ),
        check=lambda page: page.cursor.total_count == 0,
    ),
    Case(
        "lone-surrogates-and-nul-in-ids",
        runs(Answer(body=runs_page([run("a\ud800\x00b")]))),
        check=lambda page: page.training_runs[0].training_run_id == "a\ud800\x00b",
    ),
    Case("a-list-where-an-object-goes", runs(Answer(body=[1, 2, 3])), error=BadResponseError),
    # --- data: odd but usable ----------------------------------------------------------------
    Case(
        "payloads-in-every-field",
        runs(Answer(body=runs_page(hostile_runs(), 10**12))),
        check=lambda page: len(page.training_runs) == len(hostile_runs()),
    ),
    Case(
        "dates-in-year-1-and-9999", runs(Answer(body=runs_page(hostile_runs()))), check=_dates_kept
    ),
    Case(
        "sizes-negative-huge-and-junk",
        [("GET", CHECKPOINTS, [Answer(body=checkpoints_page(hostile_checkpoints()))])],
        call="checkpoints",
        check=_sizes_known_or_none,
    ),
    Case(
        "paths-of-four-parts-and-unknown-kinds",
        [("GET", CHECKPOINTS, [Answer(body=checkpoints_page([checkpoint(p) for p in ODD_PATHS]))])],
        call="checkpoints",
        check=lambda page: len(page.checkpoints) == len(ODD_PATHS),
    ),
    Case(
        "extreme-expiries",
        [
            (
                "GET",
                CHECKPOINTS,
                [
                    Answer(
                        body=checkpoints_page(
                            [
                                checkpoint(f"tinker://r/weights/{i}", expires_at=d)
                                for i, d in enumerate(EXTREME_DATES)
                            ]
                        )
                    )
                ],
            )
        ],
        call="checkpoints",
        check=lambda page: len(page.checkpoints) == len(EXTREME_DATES),
    ),
    # --- bounded work: bodies ---------------------------------------------------------------
    Case(
        "gzip-bomb-4MB-to-4GiB",
        runs(Answer(body=gzip_bomb(), headers={"Content-Encoding": "gzip"})),
        error=BadResponseError,
        says="larger than 32 MiB",
    ),
    Case(
        "declared-length-10GB",
        runs(Answer(body=b"{}", length=10_000_000_000, cut_after=2)),
        error=BadResponseError,
        says="larger than",
    ),
    Case(
        "body-without-length-past-the-cap",
        runs(Answer(stream=_forty_mib, length=-1)),
        error=BadResponseError,
        says="larger than 32 MiB",
    ),
    Case(
        "encoding-not-asked-for",
        runs(Answer(body=b"\x00" * 10, headers={"Content-Encoding": "br"})),
        error=BadResponseError,
        says="encoding",
    ),
    Case(
        "gzip-that-is-not",
        runs(Answer(body=b"not gzip at all", headers={"Content-Encoding": "gzip"})),
        error=BadResponseError,
    ),
    # --- time -------------------------------------------------------------------------------
    Case(
        "trickle-a-byte-at-a-time",
        runs(Answer(body=runs_page([run("r")]), trickle=0.2)),
        error=UnreachableError,
        says="did not answer",
    ),
    Case("never-answers", runs(Answer(hang=True)), error=UnreachableError, says="did not answer"),
    Case(
        "handshake-never-answers",
        [("POST", CONFIG, [Answer(hang=True)])],
        call="connect",
        error=UnreachableError,
        says="did not answer",
    ),
    Case(
        "cut-mid-body",
        runs(Answer(body=runs_page([run("r")]), cut_after=10)),
        error=UnreachableError,
    ),
    Case(
        "retry-after-of-10-to-the-30",
        runs(Answer(503, {"detail": "busy"}, headers={"Retry-After": str(10**30)})),
        error=ServerError,
    ),
    Case(
        "retry-after-garbage",
        runs(Answer(429, {"detail": EVIL}, headers={"Retry-After": "\x1b[2J soon"})),
        error=LazytinkerError,
    ),
    Case("status-999", runs(Answer(999, {"detail": EVIL})), error=ServerError),
    # --- redirects and the key --------------------------------------------------------------
    Case(
        "redirect-to-another-port",
        runs(Answer(302, headers={"Location": "{other}/x"})),
        other=[("GET", "/x", [Answer(body=runs_page([run("elsewhere")]))])],
        check=lambda page: page.training_runs[0].training_run_id == "elsewhere",
    ),
    Case(
        "redirect-to-another-host-name",
        runs(Answer(307, headers={"Location": "{other_localhost}/x"})),
        other=[("GET", "/x", [Answer(body=runs_page([run("elsewhere")]))])],
        check=lambda page: page.training_runs[0].training_run_id == "elsewhere",
    ),
    Case(
        "redirect-loop",
        runs(Answer(302, headers={"Location": RUNS})),
        error=BadResponseError,
        says="broken response",
    ),
    Case(
        "redirect-to-a-file",
        runs(Answer(302, headers={"Location": "file:///etc/passwd"})),
        error=BadResponseError,
    ),
    Case(
        "redirect-to-a-url-that-does-not-parse",
        runs(Answer(302, headers={"Location": "http://[::1/\x1b]0;x"})),
        error=LazytinkerError,
    ),
    Case(
        "header-with-control-characters",
        runs(Answer(500, {"detail": "x"}, headers={"X-Evil": "a\x1b]0;b\x07c"})),
        error=LazytinkerError,
    ),
    Case(
        "handshake-401-echoing-the-key",
        [("POST", CONFIG, [Answer(401, {"detail": f"{EVIL} {KEY}"})])],
        call="connect",
        error=KeyRejectedError,
    ),
    Case(
        "jwt-that-cannot-be-a-header",
        [
            ("POST", CONFIG, [Answer(body={"pjwt_auth_enabled": True})]),
            ("POST", "/api/v1/auth/token", [Answer(body={"jwt": f"eyJ\x1b]0;x\x07{KEY}"})]),
        ],
        call="connect",
        error=BadResponseError,
        says="jwt",
    ),
    Case(
        "forbidden-with-the-key",
        runs(Answer(403, {"detail": f"{KEY} may not"})),
        error=NotPermittedError,
    ),
]

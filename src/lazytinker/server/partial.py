"""`--without GROUP`: play a partial Tinker-compatible server (protocol.md §12).

Self-hosted and third-party servers implement subsets of the API, and answer what they lack in
their own ways: a plain 404 where no route exists, a 405 where another route shadows the path, a
500 where a catch-all route swallows the request. Each group below names a set of routes and the
answer such a server gives; `WithoutMiddleware` answers them before routing, so what is left
behaves exactly as usual.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from lazytinker.server.spec import parse_names

__all__ = ["GROUPS", "Group", "Rule", "WithoutMiddleware", "drop_project_ids", "parse_without"]

_CKPT = r"/api/v1/training_runs/[^/]+/checkpoints/.+"
_ANY = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Rule:
    """Requests a group turns away: these methods on paths matching `pattern`, and the answer."""

    methods: frozenset[str]
    pattern: str
    status: int
    detail: str
    allow: str | None = None

    def matches(self, method: str, path: str) -> bool:
        """Whether this rule answers `method path`."""
        return method in self.methods and re.fullmatch(self.pattern, path) is not None


@dataclass(frozen=True)
class Group:
    """A named feature a partial server lacks: what `serve --help` says, and its rules."""

    summary: str
    rules: tuple[Rule, ...]


def _gone(methods: Iterable[str], pattern: str) -> Rule:
    """No such route: FastAPI's own 404 body."""
    return Rule(frozenset(methods), pattern, 404, "Not Found")


GROUPS: dict[str, Group] = {
    "client-config": Group(
        "POST /api/v1/client/config -> 404 (the official SDK then refuses to start)",
        (_gone(["POST"], r"/api/v1/client/config"),),
    ),
    "sessions-search": Group(
        "POST /api/v1/sessions/search -> 405 (GET /sessions/{id} shadows it); "
        "GET /sessions and GET /sessions/{id} still work",
        (Rule(frozenset({"POST"}), r"/api/v1/sessions/search", 405, "Method Not Allowed", "GET"),),
    ),
    "sessions": Group(
        "every /api/v1/sessions route (list, get, search, project, trace export) -> 404",
        (_gone(_ANY, r"/api/v1/sessions(/.*)?"),),
    ),
    "user-checkpoints": Group(
        "GET /api/v1/checkpoints -> 404 (list per run instead)",
        (_gone(["GET", "HEAD"], r"/api/v1/checkpoints"),),
    ),
    "capabilities": Group(
        "GET /api/v1/get_server_capabilities -> 404",
        (_gone(["GET", "HEAD"], r"/api/v1/get_server_capabilities"),),
    ),
    "ttl": Group(
        "PUT .../checkpoints/{id}/ttl -> 405 (a catch-all DELETE {path} route shadows it)",
        (Rule(frozenset({"PUT"}), _CKPT + r"/ttl", 405, "Method Not Allowed", "DELETE"),),
    ),
    "publish": Group(
        "POST .../publish -> 404; DELETE .../publish -> 500 (a catch-all DELETE {path} route "
        "swallows it and fails on the id 'weights/NAME/publish')",
        (
            _gone(["POST"], _CKPT + r"/publish"),
            Rule(frozenset({"DELETE"}), _CKPT + r"/publish", 500, "Internal Server Error"),
        ),
    ),
    "samplers": Group(
        "GET /api/v1/samplers/{id} -> 404", (_gone(["GET", "HEAD"], r"/api/v1/samplers/.+"),)
    ),
    "storage": Group(
        "GET /api/v1/billing/usage/checkpoints/current -> 404",
        (_gone(["GET", "HEAD"], r"/api/v1/billing/usage/checkpoints/current"),),
    ),
    "billing": Group(
        "GET /api/v1/billing/usage/events -> 404",
        (_gone(["GET", "HEAD"], r"/api/v1/billing/usage/events"),),
    ),
    "audit": Group("GET /api/v1/audit -> 404", (_gone(["GET", "HEAD"], r"/api/v1/audit"),)),
    "weights-info": Group(
        "POST /api/v1/weights_info -> 404", (_gone(["POST"], r"/api/v1/weights_info"),)
    ),
    "archive": Group(
        "GET .../checkpoints/{id}/archive -> 404", (_gone(["GET", "HEAD"], _CKPT + r"/archive"),)
    ),
    "external-weights": Group(
        "GET .../checkpoints/{id}/external_weights_urls -> 404",
        (_gone(["GET", "HEAD"], _CKPT + r"/external_weights_urls"),),
    ),
    "apikey-me": Group(
        "GET and DELETE /api/v1/auth/apikey/me -> 404",
        (_gone(["GET", "HEAD", "DELETE"], r"/api/v1/auth/apikey/me"),),
    ),
    "projects": Group(
        "PUT /api/v1/sessions/{id}/project -> 404; runs carry no project_id and the project_id "
        "filter of GET /api/v1/training_runs is ignored",
        (_gone(["PUT"], r"/api/v1/sessions/[^/]+/project"),),
    ),
    "copy": Group("POST /api/v1/copy_weights -> 404", (_gone(["POST"], r"/api/v1/copy_weights"),)),
}


def parse_without(names: str | Iterable[str]) -> tuple[str, ...]:
    """The route groups of a `--without` list; `CompatSpecError` names the valid ones."""
    return parse_names("--without", names, GROUPS)


def drop_project_ids(path: str, body: Any) -> Any:
    """Without projects, runs carry no `project_id` (a JSON rewriter for `--without projects`)."""
    runs = body.get("training_runs") if isinstance(body, dict) else None
    for run in runs if isinstance(runs, list) else [body]:
        if isinstance(run, dict) and "training_run_id" in run:
            run.pop("project_id", None)
    return body


class WithoutMiddleware:
    """Answer the routes of the groups turned off, before routing, as a partial server does."""

    def __init__(self, app: ASGIApp, groups: tuple[str, ...]) -> None:
        self.app = app
        self.rules = tuple(rule for name in groups for rule in GROUPS[name].rules)
        self.ignore_project_filter = "projects" in groups

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Turn away a request a rule matches; pass every other one on."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        for rule in self.rules:
            if rule.matches(method, path):
                headers = {"Allow": rule.allow} if rule.allow else None
                response = JSONResponse({"detail": rule.detail}, rule.status, headers=headers)
                await response(scope, receive, send)
                return
        if self.ignore_project_filter and path == "/api/v1/training_runs":
            query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), True)
            kept = [(key, value) for key, value in query if key != "project_id"]
            scope = {**scope, "query_string": urlencode(kept).encode("latin-1")}
        await self.app(scope, receive, send)

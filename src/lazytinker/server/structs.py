"""Serving and documenting the msgspec wire records (`api/models/structs.py`) from FastAPI.

FastAPI builds its schemas and validators with pydantic, which knows nothing of msgspec. A
route that answers one of these records says so with `answers(Model)`; one that reads one as its
body takes `struct_body(Model)` as a dependency and documents it with `reads(Model)`. The
OpenAPI document then gets every such record's JSON schema from msgspec
(`document_structs`), so the fuzzer checks the answers against the same definition the client
decodes with.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import msgspec
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from lazytinker.api.models.structs import decode_wire, refusal_of, wire_data

__all__ = ["answers", "document_structs", "reads", "struct_body", "struct_json"]

S = TypeVar("S", bound=msgspec.Struct)

_DOCUMENTED: set[type[msgspec.Struct]] = set()
"""Every record a route answers or reads: their schemas go in the OpenAPI components."""


def _ref(model: type[msgspec.Struct]) -> dict[str, str]:
    _DOCUMENTED.add(model)
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def answers(model: type[msgspec.Struct]) -> dict[int | str, dict[str, Any]]:
    """A route's `responses=` entry for a 200 answering `model`."""
    content = {"application/json": {"schema": _ref(model)}}
    return {200: {"description": "Successful Response", "content": content}}


def reads(model: type[msgspec.Struct]) -> dict[str, Any]:
    """A route's `openapi_extra=` for a JSON body read as `model` (`struct_body`)."""
    content = {"application/json": {"schema": _ref(model)}}
    return {"requestBody": {"required": True, "content": content}}


def struct_json(record: msgspec.Struct, status_code: int = 200) -> JSONResponse:
    """`record` as a JSON answer."""
    return JSONResponse(wire_data(record), status_code=status_code)


def struct_body(model: type[S]) -> Callable[[Request], Awaitable[S]]:
    """A dependency reading the request's JSON body as `model`: a body that is not `model`
    fails as FastAPI's own bodies do (422 with where and why), one that is not JSON too."""

    async def read(request: Request) -> S:
        raw = await request.body()
        try:
            return decode_wire(raw, model)
        except msgspec.ValidationError as exc:
            loc, msg, _ = refusal_of(str(exc))
            error = {"loc": ["body", *loc], "msg": msg, "type": "value_error"}
            raise RequestValidationError([error]) from None
        except (msgspec.DecodeError, RecursionError):
            error = {"loc": ["body"], "msg": "JSON decode error", "type": "json_invalid"}
            raise RequestValidationError([error]) from None

    return read


def document_structs(document: dict[str, Any]) -> None:
    """Put the JSON schema of every record a route answers or reads in `document`."""
    if not _DOCUMENTED:
        return
    models = sorted(_DOCUMENTED, key=lambda m: m.__name__)
    _, components = msgspec.json.schema_components(
        models, ref_template="#/components/schemas/{name}"
    )
    document.setdefault("components", {}).setdefault("schemas", {}).update(components)

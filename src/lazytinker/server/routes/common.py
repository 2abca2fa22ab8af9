"""OpenAPI helpers shared by the route modules."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from lazytinker.api.models import ErrorBody

__all__ = ["document_common_errors", "errors"]


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for error statuses, each with the `{"detail": ...}` body."""
    return {code: {"model": ErrorBody, "description": HTTPStatus(code).phrase} for code in codes}


def document_common_errors(document: dict[str, Any]) -> None:
    """Add the errors FastAPI answers before a handler runs: 401 on every keyed operation (no or
    a wrong `X-API-Key`) and 400 on every operation with a body (a body that is not JSON)."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ErrorBody", ErrorBody.model_json_schema())
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            if operation.get("security"):
                responses.setdefault("401", {"description": "Unauthorized", "content": body})
            if operation.get("requestBody"):
                responses.setdefault("400", {"description": "Bad Request", "content": body})

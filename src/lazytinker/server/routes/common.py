"""OpenAPI helpers shared by the route modules."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from lazytinker.api.models import ErrorBody

__all__ = ["errors"]


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for error statuses, each with the `{"detail": ...}` body."""
    return {code: {"model": ErrorBody, "description": HTTPStatus(code).phrase} for code in codes}

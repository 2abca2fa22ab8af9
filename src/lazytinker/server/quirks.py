"""`--quirks NAME`: real-world data quirks seen on Tinker-compatible servers (protocol.md §12).

Most quirks change what the JSON says (`json_rewriter`, applied by `JsonRewriteMiddleware`);
`file-archive` and `empty-member` change the archive download (`routes/quirky.py`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from lazytinker.server.rewrite import JsonRewriter
from lazytinker.server.spec import parse_names

__all__ = ["QUIRKS", "json_rewriter", "parse_quirks"]

QUIRKS: dict[str, str] = {
    "naive-dates": "datetimes without an offset (`2026-01-01T00:00:00`, UTC in fact)",
    "no-sizes": "checkpoints leave out size_bytes, public and expires_at",
    "null-times": "checkpoints say `time: null`",
    "bare-ids": "checkpoint_id is the bare name (`step-000010`); tinker_path stays correct",
    "model-id": "supported models named by `model_id` instead of `model_name`; every fourth "
    "one has neither",
    "no-last-checkpoint": "runs always say `last_checkpoint: null`",
    "file-archive": "GET .../archive answers 302 to a file:// URL of a server-side folder",
    "empty-member": "the archive is a .tar.gz whose first member has the empty name ''",
}
_JSON_QUIRKS = frozenset(QUIRKS) - {"file-archive", "empty-member"}
_AWARE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


def parse_quirks(names: str | Iterable[str]) -> tuple[str, ...]:
    """The quirks of a `--quirks` list; `CompatSpecError` names the valid ones."""
    return parse_names("--quirks", names, QUIRKS)


def _checkpoint(item: dict[str, Any], quirks: frozenset[str]) -> None:
    if "no-sizes" in quirks:
        for key in ("size_bytes", "public", "expires_at"):
            item.pop(key, None)
    if "null-times" in quirks:
        item["time"] = None
    checkpoint_id = item.get("checkpoint_id")
    if "bare-ids" in quirks and isinstance(checkpoint_id, str):
        item["checkpoint_id"] = checkpoint_id.rsplit("/", 1)[-1]


def _models(models: list[Any]) -> None:
    for index, model in enumerate(models):
        if isinstance(model, dict) and "model_name" in model:
            name = model.pop("model_name")
            if index % 4 != 3:
                model["model_id"] = name


def _walk(value: Any, quirks: frozenset[str]) -> Any:
    if isinstance(value, list):
        return [_walk(item, quirks) for item in value]
    if isinstance(value, dict):
        out = {key: _walk(item, quirks) for key, item in value.items()}
        if "checkpoint_type" in out:
            _checkpoint(out, quirks)
        if "training_run_id" in out and "no-last-checkpoint" in quirks:
            out["last_checkpoint"] = None
        models = out.get("supported_models")
        if "model-id" in quirks and isinstance(models, list):
            _models(models)
        return out
    if isinstance(value, str) and "naive-dates" in quirks and _AWARE.fullmatch(value):
        return value[:-1]
    return value


def json_rewriter(quirks: Iterable[str]) -> JsonRewriter | None:
    """The rewriter playing the JSON quirks among `quirks`, or None when there are none."""
    chosen = frozenset(quirks) & _JSON_QUIRKS
    if not chosen:
        return None

    def rewrite(path: str, body: Any) -> Any:
        return _walk(body, chosen)

    return rewrite

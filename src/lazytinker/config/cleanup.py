"""The `[cleanup]` table of config.toml: the retention planner's saved rules and the storage rate.

```toml
[cleanup]
rate_usd_per_gb_month = 0.31   # used when the server's own rate cannot be read
keep_final = true
keep_last = 2                  # of each type
keep_every = 0                 # every K-th step (0: off)
keep_public = true
keep_expiring = false
keep_never_expiring = false
keep_best = 0                  # the best N by best_key
best_key = "eval_loss"
best_highest = false           # false: lowest is best
apply = "delete"               # or "expire"
expire_in = "7d"
```

Read with the rest of the file (`Settings.cleanup` keeps the table for `read_cleanup`), written
by the planner's "save rules" through `save_cleanup`, which rewrites only this table and keeps
the rest of the file as it was (comments included: tomlkit).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lazytinker.api.errors import ConfigError
from lazytinker.store.planner import KeepRules, PlanChoice
from lazytinker.store.ttl import TtlError, parse_ttl

TABLE = "cleanup"


@dataclass(frozen=True)
class CleanupSettings:
    """The `[cleanup]` table: the planner's choice and the configured storage rate."""

    choice: PlanChoice = field(default_factory=PlanChoice)
    rate_usd_per_gb_month: float | None = None


def _get(raw: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
        raise ConfigError(f"{where}: {key} has the wrong type (bool)")
    if not isinstance(value, kind):
        raise ConfigError(f"{where}: {key} has the wrong type ({type(value).__name__})")
    return value


def read_cleanup(raw: Any, path: Path | None) -> CleanupSettings:
    """The `[cleanup]` table of an already parsed config file (defaults when it is None)."""
    where = f"{path} [{TABLE}]"
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: {TABLE} must be a table")
    defaults = KeepRules()
    counts = {}
    for key, name in (("keep_last", "last"), ("keep_every", "every"), ("keep_best", "best")):
        value = _get(raw, key, int, where)
        if value is not None and value < 0:
            raise ConfigError(f"{where}: {key} must be 0 or more")
        counts[name] = getattr(defaults, name) if value is None else value
    flags = {}
    for key, name in (
        ("keep_final", "final"),
        ("keep_public", "public"),
        ("keep_expiring", "expiring"),
        ("keep_never_expiring", "never_expiring"),
        ("best_highest", "best_highest"),
    ):
        value = _get(raw, key, bool, where)
        flags[name] = getattr(defaults, name) if value is None else value
    best_key = _get(raw, "best_key", str, where) or defaults.best_key
    rules = KeepRules(best_key=best_key, **counts, **flags)
    apply = _get(raw, "apply", str, where) or "delete"
    if apply not in ("delete", "expire"):
        raise ConfigError(f"{where}: apply must be delete or expire, not {apply!r}")
    expire_in = _get(raw, "expire_in", str, where) or "7d"
    try:
        parse_ttl(expire_in)
    except TtlError as error:
        raise ConfigError(f"{where}: expire_in: {error}") from None
    rate = _get(raw, "rate_usd_per_gb_month", (int, float), where)
    if rate is not None and rate < 0:
        raise ConfigError(f"{where}: rate_usd_per_gb_month must be 0 or more")
    return CleanupSettings(
        PlanChoice(rules, apply == "expire", expire_in),
        None if rate is None else float(rate),
    )


def load_cleanup(path: Path | None) -> CleanupSettings:
    """The `[cleanup]` table of the config file at `path` (defaults when there is none)."""
    if path is None:
        return CleanupSettings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return CleanupSettings()
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"Cannot read config file {path}: {error}") from None
    return read_cleanup(data.get(TABLE), path)


def save_cleanup(path: Path, choice: PlanChoice) -> None:
    """Write the planner's choice into `[cleanup]`, leaving the rest of the file as it was."""
    import tomlkit  # only when saving: the app's start never pays for it

    try:
        document = tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else None
    except (OSError, tomlkit.exceptions.TOMLKitError) as error:
        raise ConfigError(f"Cannot read config file {path}: {error}") from None
    if document is None:
        document = tomlkit.document()
    table = document.get(TABLE)
    if not isinstance(table, dict):
        table = tomlkit.table()
        document[TABLE] = table
    rules = choice.rules
    values: dict[str, Any] = {
        "keep_final": rules.final,
        "keep_last": rules.last,
        "keep_every": rules.every,
        "keep_public": rules.public,
        "keep_expiring": rules.expiring,
        "keep_never_expiring": rules.never_expiring,
        "keep_best": rules.best,
        "best_key": rules.best_key,
        "best_highest": rules.best_highest,
        "apply": "expire" if choice.expire else "delete",
        "expire_in": choice.expire_in,
    }
    for key, value in values.items():
        table[key] = value
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(tomlkit.dumps(document), encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"Cannot write config file {path}: {error.strerror or error}") from None

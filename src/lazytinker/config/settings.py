"""The config file: `config.toml` in the platform's config directory (or `$LAZYTINKER_CONFIG`).

Named profiles, `[ui]`, `[downloads]`, `[keys]` and `[local]` are read and checked here;
resolving a profile into a service to talk to is `profile.py`'s job.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

from lazytinker.api.errors import ConfigError
from lazytinker.api.paths import FLAVORS, Flavor

TINKER_DEFAULT_BASE_URL = "https://tinker.thinkingmachines.dev/services/tinker-prod"
# The hpcai README tells users to pass this base; the SDK's own fallbacks disagree with each other.
HPCAI_DEFAULT_BASE_URL = "https://www.hpc-ai.com/finetunesdk"
CONFIG_ENV = "LAZYTINKER_CONFIG"


def default_config_path(env: Mapping[str, str] | None = None) -> Path:
    """Where the config file lives: `$LAZYTINKER_CONFIG`, else the platform's config directory."""
    env = os.environ if env is None else env
    override = env.get(CONFIG_ENV)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir("lazytinker")) / "config.toml"


def default_credentials_path() -> Path:
    """The file `tinker auth login` writes: `~/.tinker/credentials.json`."""
    return Path.home() / ".tinker" / "credentials.json"


# --- settings (the TOML file) ---------------------------------------------------------------


@dataclass(frozen=True)
class ProfileSettings:
    """One `[profiles.NAME]` table as written in the config file."""

    flavor: Flavor | None = None
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    api_key_cmd: str | None = None
    insecure: bool = False


@dataclass(frozen=True)
class UISettings:
    """The `[ui]` table."""

    theme: str = "textual-dark"
    refresh: float = 5.0
    read_only: bool = False
    animations: bool = False


@dataclass(frozen=True)
class DownloadSettings:
    """The `[downloads]` table."""

    directory: str = "~/tinker-checkpoints"
    extract: bool = True
    concurrency: int = 2


@dataclass(frozen=True)
class LocalSettings:
    """The `[local]` table: where the training logs on this box are (None: the defaults)."""

    logs: tuple[str, ...] | None = None


@dataclass
class Settings:
    """Everything the config file can say; a missing file means all defaults."""

    default_profile: str | None = None
    profiles: dict[str, ProfileSettings] = field(default_factory=dict)
    ui: UISettings = field(default_factory=UISettings)
    keys: dict[str, str] = field(default_factory=dict)
    downloads: DownloadSettings = field(default_factory=DownloadSettings)
    path: Path | None = None
    local: LocalSettings = field(default_factory=LocalSettings)


def load_settings(path: Path | None = None, *, env: Mapping[str, str] | None = None) -> Settings:
    """Read the TOML config file; a missing file gives defaults, a broken one a `ConfigError`."""
    path = default_config_path(env) if path is None else path
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings(path=path)
    except OSError as exc:
        raise ConfigError(f"Cannot read config file {path}: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Config file {path} is not valid TOML: {exc}") from None
    return _settings_from(data, path)


def _settings_from(data: dict[str, Any], path: Path) -> Settings:
    where = str(path)
    default_profile = _opt(data, "default_profile", str, where)
    profiles_raw = _table(data, "profiles", where)
    profiles = {
        name: _profile_settings(_table(profiles_raw, name, f"{where} [profiles]"), name, where)
        for name in profiles_raw
    }
    ui_raw = _table(data, "ui", where)
    refresh = _opt(ui_raw, "refresh", (int, float), f"{where} [ui]")
    ui = UISettings(
        theme=_opt(ui_raw, "theme", str, f"{where} [ui]") or UISettings.theme,
        refresh=float(refresh) if refresh is not None else UISettings.refresh,
        read_only=bool(_opt(ui_raw, "read_only", bool, f"{where} [ui]") or False),
        animations=bool(_opt(ui_raw, "animations", bool, f"{where} [ui]") or False),
    )
    if ui.refresh <= 0:
        raise ConfigError(f"{where} [ui]: refresh must be a positive number of seconds")
    keys_raw = _table(data, "keys", where)
    keys: dict[str, str] = {}
    for binding, value in keys_raw.items():
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{where} [keys]: {binding} must be a non-empty string")
        keys[binding] = value
    dl_raw = _table(data, "downloads", where)
    extract = _opt(dl_raw, "extract", bool, f"{where} [downloads]")
    concurrency = _opt(dl_raw, "concurrency", int, f"{where} [downloads]")
    downloads = DownloadSettings(
        directory=_opt(dl_raw, "directory", str, f"{where} [downloads]")
        or DownloadSettings.directory,
        extract=DownloadSettings.extract if extract is None else bool(extract),
        concurrency=DownloadSettings.concurrency if concurrency is None else int(concurrency),
    )
    if downloads.concurrency < 1:
        raise ConfigError(f"{where} [downloads]: concurrency must be at least 1")
    return Settings(
        default_profile, profiles, ui, keys, downloads, path, _local_settings(data, where)
    )


def _local_settings(data: dict[str, Any], where: str) -> LocalSettings:
    """`[local] logs = ["~/runs", ...]`: folders searched for tinker-cookbook log folders."""
    raw = _opt(_table(data, "local", where), "logs", list, f"{where} [local]")
    if raw is None:
        return LocalSettings()
    if not all(isinstance(item, str) and item for item in raw):
        raise ConfigError(f"{where} [local]: logs must be a list of folder names")
    return LocalSettings(logs=tuple(str(Path(item).expanduser()) for item in raw))


def _profile_settings(raw: dict[str, Any], name: str, where: str) -> ProfileSettings:
    where = f"{where} [profiles.{name}]"
    flavor = _opt(raw, "flavor", str, where)
    if flavor is not None and flavor not in FLAVORS:
        raise ConfigError(f"{where}: flavor must be one of {', '.join(FLAVORS)}, not {flavor!r}")
    return ProfileSettings(
        flavor=_as_flavor(flavor) if flavor else None,
        base_url=_opt(raw, "base_url", str, where),
        api_key=_opt(raw, "api_key", str, where),
        api_key_cmd=_opt(raw, "api_key_cmd", str, where),
        insecure=bool(_opt(raw, "insecure", bool, where) or False),
    )


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: {key} must be a table")
    return value


def _opt(data: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = data.get(key)
    # bool is an int subclass; a `refresh = true` is a mistake, not a 1-second refresh.
    if value is not None and (not isinstance(value, kind) or _bool_for_number(value, kind)):
        raise ConfigError(f"{where}: {key} has the wrong type ({type(value).__name__})")
    return value


def _bool_for_number(value: Any, kind: type | tuple[type, ...]) -> bool:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return isinstance(value, bool) and bool not in kinds


def _as_flavor(value: str) -> Flavor:
    return "hpcai" if value == "hpcai" else "tinker"

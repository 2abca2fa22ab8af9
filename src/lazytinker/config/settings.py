"""The config file: `config.toml` in the platform's config directory (or `$LAZYTINKER_CONFIG`).

Named profiles, `[ui]`, `[downloads]`, `[keys]` and `[local]` are read and checked here;
resolving a profile into a service to talk to is `profile.py`'s job.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
import platformdirs

from lazytinker.api.errors import ConfigError
from lazytinker.api.paths import FLAVORS, Flavor
from lazytinker.config.files import read_local_text

if TYPE_CHECKING:
    from lazytinker.config.toml_lines import KeyPath

TINKER_DEFAULT_BASE_URL = "https://tinker.thinkingmachines.dev/services/tinker-prod"
# The hpcai README tells users to pass this base; the SDK's own fallbacks disagree with each other.
HPCAI_DEFAULT_BASE_URL = "https://www.hpc-ai.com/finetunesdk"
CONFIG_ENV = "LAZYTINKER_CONFIG"
REFRESH_MIN, REFRESH_MAX = 0.2, 3600.0
"""The watch interval's range, in seconds (the same as `--refresh`)."""


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


class UISettings(msgspec.Struct, frozen=True):
    """The `[ui]` table."""

    theme: str = "textual-dark"
    refresh: float = 5.0
    read_only: bool = False
    animations: bool = False
    screenshots: str = "."
    """Where `ctrl+s` saves SVG screenshots (created if missing)."""


class DownloadSettings(msgspec.Struct, frozen=True):
    """The `[downloads]` table."""

    directory: str = "~/tinker-checkpoints"
    extract: bool = True
    concurrency: int = 2


class LocalSettings(msgspec.Struct, frozen=True):
    """The `[local]` table: where the training logs on this box are (None: the defaults)."""

    logs: tuple[str, ...] | None = None


UI_DEFAULTS = UISettings()
DOWNLOAD_DEFAULTS = DownloadSettings()
"""The defaults of the two tables whose keys may be left out one by one."""


class Settings(msgspec.Struct):
    """Everything the config file can say; a missing file means all defaults."""

    default_profile: str | None = None
    profiles: dict[str, ProfileSettings] = msgspec.field(default_factory=dict)
    ui: UISettings = msgspec.field(default_factory=UISettings)
    keys: dict[str, str] = msgspec.field(default_factory=dict)
    downloads: DownloadSettings = msgspec.field(default_factory=DownloadSettings)
    path: Path | None = None
    local: LocalSettings = msgspec.field(default_factory=LocalSettings)
    key_lines: dict[str, int] = msgspec.field(default_factory=dict)
    """The line of each `[keys]` entry, for a refusal that names it."""
    cleanup: Any = None
    """The `[cleanup]` table as the file has it (None: no such table), checked and read by
    `config/cleanup.py`, which imports the planner: only a file with the table pays for it."""


_NOT_IN_FILE = ("path", "key_lines")
"""Fields of `Settings` that are not keys of the file."""


def load_settings(path: Path | None = None, *, env: Mapping[str, str] | None = None) -> Settings:
    """Read the TOML config file; a missing file gives defaults, a broken one a `ConfigError`
    naming the file and line, and for an unknown key the valid names."""
    path = default_config_path(env) if path is None else path
    text = read_local_text(path, "Config file")
    if text is None:
        return Settings(path=path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"Config file {path} is not valid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"Config file {path} is nested too deeply to be a config") from None
    # Only a file that exists needs its keys' lines (to name them in a refusal).
    from lazytinker.config.toml_lines import key_lines

    return _settings_from(data, _Source(path, key_lines(text)))


class _Source:
    """The file being read, to name `path:line` in a refusal."""

    def __init__(self, path: Path, lines: dict[KeyPath, int]) -> None:
        self.path = path
        self.lines = lines

    def at(self, *keys: str) -> str:
        """`path:line [table]` of a key (or of its table, when the key has no line)."""
        line = self.lines.get(keys) or self.lines.get(keys[:-1]) if keys else None
        table = f" [{'.'.join(keys[:-1])}]" if len(keys) > 1 else ""
        return f"{self.path}:{line}{table}" if line else f"{self.path}{table}"

    def refuse_unknown(self, raw: Mapping[str, Any], known: Iterable[str], *table: str) -> None:
        """Refuse the first key of `raw` not in `known`, with the valid names."""
        valid = sorted(known)
        for key in raw:
            if key not in valid:
                close = difflib.get_close_matches(key, valid, n=1)
                hint = f"did you mean {close[0]!r}? " if close else ""
                where = f"[{'.'.join(table)}]" if table else "the top level"
                raise ConfigError(
                    f"{self.at(*table, key)}: unknown key {key!r} in {where}; {hint}"
                    f"valid: {', '.join(valid)}"
                )


def _names(cls: type[Any]) -> list[str]:
    if issubclass(cls, msgspec.Struct):
        return list(cls.__struct_fields__)
    return [f.name for f in fields(cls)]  # `ProfileSettings`: a dataclass, for its repr-less key


def _settings_from(data: dict[str, Any], src: _Source) -> Settings:
    known = [n for n in _names(Settings) if n not in _NOT_IN_FILE]
    src.refuse_unknown(data, known)
    default_profile = _opt(data, src, "default_profile", str)
    profiles_raw = _table(data, src, "profiles")
    profiles = {
        name: _profile_settings(_table(profiles_raw, src, "profiles", name), name, src)
        for name in profiles_raw
    }
    ui_raw = _table(data, src, "ui")
    src.refuse_unknown(ui_raw, _names(UISettings), "ui")
    refresh = _opt(ui_raw, src, ("ui", "refresh"), (int, float))
    ui = UISettings(
        theme=_opt(ui_raw, src, ("ui", "theme"), str) or UI_DEFAULTS.theme,
        refresh=float(refresh) if refresh is not None else UI_DEFAULTS.refresh,
        read_only=bool(_opt(ui_raw, src, ("ui", "read_only"), bool) or False),
        animations=bool(_opt(ui_raw, src, ("ui", "animations"), bool) or False),
        screenshots=_opt(ui_raw, src, ("ui", "screenshots"), str) or UI_DEFAULTS.screenshots,
    )
    if not (REFRESH_MIN <= ui.refresh <= REFRESH_MAX):
        # `not (a <= x <= b)` is also true for NaN; inf is past the top.
        raise ConfigError(
            f"{src.at('ui', 'refresh')}: refresh must be a positive number of seconds "
            f"from {REFRESH_MIN:g} to {REFRESH_MAX:g}, not {ui.refresh}"
        )
    keys_raw = _table(data, src, "keys")
    keys: dict[str, str] = {}
    for binding, value in keys_raw.items():
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(
                f"{src.at('keys', binding)}: {binding} must be a non-empty string of keys, "
                'e.g. "x" or "x,delete"'
            )
        keys[binding] = value
    dl_raw = _table(data, src, "downloads")
    src.refuse_unknown(dl_raw, _names(DownloadSettings), "downloads")
    extract = _opt(dl_raw, src, ("downloads", "extract"), bool)
    concurrency = _opt(dl_raw, src, ("downloads", "concurrency"), int)
    downloads = DownloadSettings(
        directory=_opt(dl_raw, src, ("downloads", "directory"), str) or DOWNLOAD_DEFAULTS.directory,
        extract=DOWNLOAD_DEFAULTS.extract if extract is None else bool(extract),
        concurrency=DOWNLOAD_DEFAULTS.concurrency if concurrency is None else int(concurrency),
    )
    if downloads.concurrency < 1:
        raise ConfigError(f"{src.at('downloads', 'concurrency')}: concurrency must be at least 1")
    key_at = {kp[1]: line for kp, line in src.lines.items() if len(kp) == 2 and kp[0] == "keys"}
    return Settings(
        default_profile,
        profiles,
        ui,
        keys,
        downloads,
        path=src.path,
        local=_local_settings(data, src),
        key_lines=key_at,
        cleanup=data.get("cleanup"),
    )


def _local_settings(data: dict[str, Any], src: _Source) -> LocalSettings:
    """`[local] logs = ["~/runs", ...]`: folders searched for tinker-cookbook log folders."""
    table = _table(data, src, "local")
    src.refuse_unknown(table, _names(LocalSettings), "local")
    raw = _opt(table, src, ("local", "logs"), list)
    if raw is None:
        return LocalSettings()
    if not all(isinstance(item, str) and item for item in raw):
        raise ConfigError(f"{src.at('local', 'logs')}: logs must be a list of folder names")
    return LocalSettings(logs=tuple(str(Path(item).expanduser()) for item in raw))


def _profile_settings(raw: dict[str, Any], name: str, src: _Source) -> ProfileSettings:
    src.refuse_unknown(raw, _names(ProfileSettings), "profiles", name)
    table = ("profiles", name)
    flavor = _opt(raw, src, (*table, "flavor"), str)
    if flavor is not None and flavor not in FLAVORS:
        raise ConfigError(
            f"{src.at(*table, 'flavor')}: flavor must be one of {', '.join(FLAVORS)}, "
            f"not {flavor!r}"
        )
    return ProfileSettings(
        flavor=_as_flavor(flavor) if flavor else None,
        base_url=_opt(raw, src, (*table, "base_url"), str),
        api_key=_opt(raw, src, (*table, "api_key"), str),
        api_key_cmd=_opt(raw, src, (*table, "api_key_cmd"), str),
        insecure=bool(_opt(raw, src, (*table, "insecure"), bool) or False),
    )


def _table(data: dict[str, Any], src: _Source, *keys: str) -> dict[str, Any]:
    value = data.get(keys[-1], {})
    if not isinstance(value, dict):
        raise ConfigError(f"{src.at(*keys)}: {keys[-1]} must be a table")
    return value


def _opt(
    data: dict[str, Any], src: _Source, keys: str | tuple[str, ...], kind: type | tuple[type, ...]
) -> Any:
    path = (keys,) if isinstance(keys, str) else keys
    value = data.get(path[-1])
    # bool is an int subclass; a `refresh = true` is a mistake, not a 1-second refresh.
    if value is not None and (not isinstance(value, kind) or _bool_for_number(value, kind)):
        raise ConfigError(
            f"{src.at(*path)}: {path[-1]} has the wrong type ({type(value).__name__})"
        )
    return value


def _bool_for_number(value: Any, kind: type | tuple[type, ...]) -> bool:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return isinstance(value, bool) and bool not in kinds


def _as_flavor(value: str) -> Flavor:
    return "hpcai" if value == "hpcai" else "tinker"

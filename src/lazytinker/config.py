"""Profiles and credentials, resolved the way the official SDK resolves them (protocol.md §1.1, §9).

A user who already has `TINKER_API_KEY` (or `~/.tinker/credentials.json` from `tinker auth login`)
needs no set-up. Named profiles in a TOML file add more services on top. The key itself never
appears in a `repr`, a `str`, a log line or an error message.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import os
import subprocess
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import platformdirs

from lazytinker.api.errors import ConfigError, NoCredentialError
from lazytinker.api.paths import FLAVORS, Flavor
from lazytinker.api.target import ServerTarget, StaticKey

TINKER_DEFAULT_BASE_URL = "https://tinker.thinkingmachines.dev/services/tinker-prod"
# The hpcai README tells users to pass this base; the SDK's own fallbacks disagree with each other.
HPCAI_DEFAULT_BASE_URL = "https://www.hpc-ai.com/finetunesdk"
CREDENTIAL_CMD_TIMEOUT = 30.0
CONFIG_ENV = "LAZYTINKER_CONFIG"
_KEY_PREFIXES = ("tml-", "eyJ")


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


@dataclass
class Settings:
    """Everything the config file can say; a missing file means all defaults."""

    default_profile: str | None = None
    profiles: dict[str, ProfileSettings] = field(default_factory=dict)
    ui: UISettings = field(default_factory=UISettings)
    keys: dict[str, str] = field(default_factory=dict)
    downloads: DownloadSettings = field(default_factory=DownloadSettings)
    path: Path | None = None


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
    return Settings(default_profile, profiles, ui, keys, downloads, path)


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


# --- the resolved profile -------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    """A resolved service to talk to: flavor, base URL and where the credential comes from."""

    name: str
    flavor: Flavor
    base_url: str
    api_key: str | None = field(default=None, repr=False)
    credential_cmd: str | None = None
    insecure: bool = False
    key_source: str = ""

    def __repr__(self) -> str:
        key = "None" if self.api_key is None else "'***'"
        return (
            f"Profile(name={self.name!r}, flavor={self.flavor!r}, base_url={self.base_url!r}, "
            f"api_key={key}, credential_cmd={self.credential_cmd!r}, insecure={self.insecure}, "
            f"key_source={self.key_source!r})"
        )

    __str__ = __repr__

    @property
    def host(self) -> str:
        """The host (and port) of the base URL, as error messages name it."""
        return urlsplit(self.base_url).netloc or self.base_url

    def target(self) -> ServerTarget:
        """What the API client is given: the base URL, the flavor, and how to get the key (the
        static key, or the credential command run off the event loop each time it is asked)."""
        credential = StaticKey(self.api_key) if self.api_key else self._run_credential_cmd
        return ServerTarget(
            base_url=self.base_url,
            credential=credential,
            flavor=self.flavor,
            key_source=self.key_source,
        )

    async def _run_credential_cmd(self) -> str:
        return await asyncio.to_thread(read_credential, self)


def resolve_profile(
    *,
    settings: Settings,
    profile: str | None = None,
    base_url: str | None = None,
    api_key: str | None = None,
    flavor: Flavor | None = None,
    insecure: bool = False,
    env: Mapping[str, str] | None = None,
    credentials_path: Path | None = None,
) -> Profile:
    """Work out which service to talk to and with which credential.

    Order, as the SDK: an explicit key, then the named profile's key or command, then
    `TINKER_API_KEY` (`HPCAI_API_KEY`), then `TINKER_CREDENTIAL_CMD`, then the default key of
    `~/.tinker/credentials.json`. A credential command is not run here: `read_credential` runs it.
    """
    env = os.environ if env is None else env
    name = profile or settings.default_profile
    chosen: ProfileSettings | None = None
    if name is not None:
        chosen = settings.profiles.get(name)
        if chosen is None:
            known = ", ".join(sorted(settings.profiles)) or "none are defined"
            where = settings.path or default_config_path(env)
            raise ConfigError(f"Unknown profile {name!r} (in {where}: {known})")
    the_flavor = flavor or (chosen.flavor if chosen else None) or _flavor_from_env(env)
    insecure = insecure or bool(chosen and chosen.insecure)
    url = _pick_base_url(the_flavor, base_url, chosen, env)
    _check_url(url, insecure)

    key, cmd, source = _pick_credential(the_flavor, api_key, chosen, name, env, credentials_path)
    if key is not None and the_flavor == "tinker":
        check_key_format(key, source)
    return Profile(
        name=name or "env",
        flavor=the_flavor,
        base_url=url,
        api_key=key,
        credential_cmd=cmd,
        insecure=insecure,
        key_source=source,
    )


def _flavor_from_env(env: Mapping[str, str]) -> Flavor:
    tinker_set = any(env.get(v) for v in ("TINKER_API_KEY", "TINKER_BASE_URL"))
    hpcai_set = any(env.get(v) for v in ("HPCAI_API_KEY", "HPCAI_BASE_URL"))
    return "hpcai" if hpcai_set and not tinker_set else "tinker"


def _pick_base_url(
    flavor: Flavor, explicit: str | None, chosen: ProfileSettings | None, env: Mapping[str, str]
) -> str:
    var = "HPCAI_BASE_URL" if flavor == "hpcai" else "TINKER_BASE_URL"
    default = HPCAI_DEFAULT_BASE_URL if flavor == "hpcai" else TINKER_DEFAULT_BASE_URL
    # Empty counts as unset, as in the SDK.
    url = explicit or (chosen.base_url if chosen else None) or env.get(var) or default
    return url.strip().rstrip("/")


def _check_url(url: str, insecure: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"Base URL {url!r} must look like https://host[/path]")
    if parts.scheme == "http" and not insecure and not is_loopback(parts.hostname):
        raise ConfigError(
            f"Refusing plain http:// to {parts.hostname}: the API key would travel unencrypted "
            "(use https://, or --insecure if you really mean it)"
        )


def is_loopback(host: str) -> bool:
    """True for `localhost` and loopback addresses (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _pick_credential(
    flavor: Flavor,
    explicit: str | None,
    chosen: ProfileSettings | None,
    name: str | None,
    env: Mapping[str, str],
    credentials_path: Path | None,
) -> tuple[str | None, str | None, str]:
    if explicit:
        return explicit.strip(), None, "--api-key"
    if chosen is not None and chosen.api_key:
        return chosen.api_key.strip(), None, f"profile {name}"
    if chosen is not None and chosen.api_key_cmd:
        return None, chosen.api_key_cmd, f"profile {name} api_key_cmd"
    if flavor == "hpcai":
        if env.get("HPCAI_API_KEY"):
            return env["HPCAI_API_KEY"].strip(), None, "HPCAI_API_KEY"
        raise NoCredentialError(
            "No API key for the hpcai service: set HPCAI_API_KEY, or add api_key to a profile "
            f"in {default_config_path(env)}"
        )
    if env.get("TINKER_API_KEY"):
        return env["TINKER_API_KEY"].strip(), None, "TINKER_API_KEY"
    if env.get("TINKER_CREDENTIAL_CMD"):
        # The SDK never consults the stored file when a command is configured.
        return None, env["TINKER_CREDENTIAL_CMD"], "TINKER_CREDENTIAL_CMD"
    path = credentials_path or default_credentials_path()
    stored = _stored_key(path)
    if stored:
        return stored, None, str(path)
    raise NoCredentialError(
        "No API key: set TINKER_API_KEY (or TINKER_CREDENTIAL_CMD), run `tinker auth login` "
        f"to store one in {path}, or add api_key to a profile in {default_config_path(env)}"
    )


def _stored_key(path: Path) -> str | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        raise ConfigError(f"Cannot read stored credentials in {path}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"Stored credentials in {path} are not a JSON object")
    default = data.get("default")
    keys = data.get("keys")
    if default is None or not isinstance(keys, dict):
        return None
    entry = keys.get(str(default))
    key = entry.get("key") if isinstance(entry, dict) else None
    return key.strip() if isinstance(key, str) and key.strip() else None


def check_key_format(key: str, source: str) -> None:
    """Refuse a tinker key the SDK would refuse (`tml-…` or a JWT `eyJ…`), before sending it."""
    if not key.startswith(_KEY_PREFIXES):
        raise ConfigError(
            f"The API key from {source} does not look like a Tinker key: it must start with "
            "'tml-' (or be a JWT starting with 'eyJ')"
        )


def read_credential(profile: Profile, *, timeout: float = CREDENTIAL_CMD_TIMEOUT) -> str:
    """The profile's key: the static one, or a fresh one from its credential command.

    Blocking (it may run a shell command); call it from a thread in async code.
    """
    if profile.api_key:
        return profile.api_key
    if not profile.credential_cmd:
        raise NoCredentialError(
            f"Profile {profile.name!r} has no API key and no credential command"
        )
    where = f"credential command from {profile.key_source}"
    try:
        done = subprocess.run(
            profile.credential_cmd,
            shell=True,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise NoCredentialError(f"The {where} did not finish within {timeout:g} s") from None
    except OSError as exc:
        raise NoCredentialError(f"The {where} could not be run: {exc.strerror or exc}") from None
    if done.returncode != 0:
        # stderr could echo a secret; report only its last line's length-limited text.
        last = (done.stderr.strip().splitlines() or [""])[-1][:120]
        detail = f": {last}" if last else ""
        raise NoCredentialError(f"The {where} failed with exit status {done.returncode}{detail}")
    key = done.stdout.strip()
    if not key:
        raise NoCredentialError(f"The {where} printed nothing")
    if profile.flavor == "tinker":
        check_key_format(key, profile.key_source)
    return key

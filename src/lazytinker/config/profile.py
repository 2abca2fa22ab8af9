"""A profile resolved into a service and a credential, the way the official SDK resolves them.

A user who already has `TINKER_API_KEY` (or `~/.tinker/credentials.json` from `tinker auth login`)
needs no set-up. The key itself never appears in a `repr`, a `str`, a log line or an error message.
"""

from __future__ import annotations

import ipaddress
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from lazytinker.api.errors import ConfigError, NoCredentialError
from lazytinker.api.paths import Flavor
from lazytinker.api.target import ServerTarget, StaticKey, check_key_chars
from lazytinker.config.files import read_local_text
from lazytinker.config.settings import (
    HPCAI_DEFAULT_BASE_URL,
    TINKER_DEFAULT_BASE_URL,
    ProfileSettings,
    Settings,
    default_config_path,
    default_credentials_path,
)

CREDENTIAL_CMD_TIMEOUT = 30.0
_KEY_PREFIXES = ("tml-", "eyJ")


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
        import asyncio  # only here: the command line resolves profiles before asyncio is needed

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
            where = settings.path or default_config_path(env)
            if settings.profiles:
                known = ", ".join(sorted(settings.profiles))
                advice = f"the profiles in {where} are: {known}"
            else:
                advice = f"{where} defines none; add a [profiles.{name}] table there"
            raise ConfigError(f"Unknown profile {name!r}: {advice}")
    the_flavor = flavor or (chosen.flavor if chosen else None) or _flavor_from_env(env)
    insecure = insecure or bool(chosen and chosen.insecure)
    url = _pick_base_url(the_flavor, base_url, chosen, env)
    _check_url(url, insecure)

    key, cmd, source = _pick_credential(the_flavor, api_key, chosen, name, env, credentials_path)
    if key is not None:
        check_key_chars(key, source)
        if the_flavor == "tinker":
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
    shown = url if url.isprintable() else repr(url)
    if not url.isprintable() or any(c.isspace() for c in url):
        raise ConfigError(
            f"Base URL {shown} holds spaces or control characters; "
            "it must look like https://host[:port][/path]"
        )
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
        _ = parts.port  # out of range or not a number: ValueError
    except ValueError as exc:
        raise ConfigError(
            f"Base URL {shown} does not parse ({exc}); it must look like https://host[:port][/path]"
        ) from None
    if parts.scheme not in ("http", "https") or not hostname:
        raise ConfigError(f"Base URL {shown} must look like https://host[:port][/path]")
    if parts.scheme == "http" and not insecure and not is_loopback(hostname):
        raise ConfigError(
            f"Refusing plain http:// to {hostname}: the API key would travel unencrypted "
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
    text = read_local_text(path, "Stored credentials")
    if text is None:
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise ConfigError(
            f"Cannot read stored credentials in {path}: not the JSON `tinker auth login` "
            "writes; run it again"
        ) from None
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
    # Only a profile with a credential command runs one (most read a key from the environment).
    from lazytinker.config.command import run_credential_command

    where = f"credential command from {profile.key_source}"
    key = run_credential_command(profile.credential_cmd, where, timeout=timeout)
    check_key_chars(key, where)
    if profile.flavor == "tinker":
        check_key_format(key, profile.key_source)
    return key

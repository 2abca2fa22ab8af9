"""Profiles and credentials, resolved the way the official SDK resolves them (protocol.md §1.1, §9).

A user who already has `TINKER_API_KEY` (or `~/.tinker/credentials.json` from `tinker auth login`)
needs no set-up. Named profiles in a TOML file add more services on top. The key itself never
appears in a `repr`, a `str`, a log line or an error message.
"""

from lazytinker.config.profile import (
    CREDENTIAL_CMD_TIMEOUT,
    Profile,
    check_key_format,
    is_loopback,
    read_credential,
    resolve_profile,
)
from lazytinker.config.settings import (
    CONFIG_ENV,
    HPCAI_DEFAULT_BASE_URL,
    TINKER_DEFAULT_BASE_URL,
    DownloadSettings,
    ProfileSettings,
    Settings,
    UISettings,
    default_config_path,
    default_credentials_path,
    load_settings,
)

__all__ = [
    "CONFIG_ENV",
    "CREDENTIAL_CMD_TIMEOUT",
    "HPCAI_DEFAULT_BASE_URL",
    "TINKER_DEFAULT_BASE_URL",
    "DownloadSettings",
    "Profile",
    "ProfileSettings",
    "Settings",
    "UISettings",
    "check_key_format",
    "default_config_path",
    "default_credentials_path",
    "is_loopback",
    "load_settings",
    "read_credential",
    "resolve_profile",
]

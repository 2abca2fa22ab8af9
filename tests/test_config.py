"""Profile resolution: the SDK's order, named TOML profiles, http:// refusal, key hygiene."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lazytinker.api.errors import ConfigError, NoCredentialError
from lazytinker.config import (
    HPCAI_DEFAULT_BASE_URL,
    TINKER_DEFAULT_BASE_URL,
    Profile,
    Settings,
    load_settings,
    read_credential,
    resolve_profile,
)

KEY = "tml-env-key"


@pytest.fixture
def creds(tmp_path: Path) -> Path:
    """A credentials.json as `tinker auth login` writes it."""
    path = tmp_path / "credentials.json"
    data = {
        "version": 1,
        "default": "17",
        "keys": {"17": {"type": "manual", "key": "tml-stored", "name": "laptop"}},
    }
    path.write_text(json.dumps(data))
    return path


def resolve(
    env: dict[str, str],
    creds: Path | None = None,
    *,
    settings: Settings | None = None,
    **kw: Any,
) -> Profile:
    return resolve_profile(
        settings=settings or Settings(),
        env=env,
        credentials_path=creds or Path("/nonexistent/credentials.json"),
        **kw,
    )


def test_env_key_and_default_base_url() -> None:
    profile = resolve({"TINKER_API_KEY": KEY})
    assert profile.api_key == KEY
    assert profile.base_url == TINKER_DEFAULT_BASE_URL
    assert profile.key_source == "TINKER_API_KEY"
    assert profile.flavor == "tinker"


def test_precedence_explicit_then_env_then_command_then_stored(creds: Path) -> None:
    env = {"TINKER_API_KEY": KEY, "TINKER_CREDENTIAL_CMD": "echo tml-cmd"}
    assert resolve(env, creds, api_key="tml-explicit").api_key == "tml-explicit"
    assert resolve(env, creds).api_key == KEY
    by_cmd = resolve({"TINKER_CREDENTIAL_CMD": "echo tml-cmd"}, creds)
    assert by_cmd.api_key is None
    assert by_cmd.credential_cmd == "echo tml-cmd"
    assert read_credential(by_cmd) == "tml-cmd"
    stored = resolve({}, creds)
    assert stored.api_key == "tml-stored"
    assert stored.key_source == str(creds)


def test_empty_env_values_count_as_unset(creds: Path) -> None:
    profile = resolve({"TINKER_API_KEY": "", "TINKER_BASE_URL": ""}, creds)
    assert profile.api_key == "tml-stored"
    assert profile.base_url == TINKER_DEFAULT_BASE_URL


def test_base_url_from_env_and_flag_trailing_slash_stripped() -> None:
    env = {"TINKER_API_KEY": KEY, "TINKER_BASE_URL": "https://example.org/prefix/"}
    assert resolve(env).base_url == "https://example.org/prefix"
    flagged = resolve(env, base_url="http://127.0.0.1:8000")
    assert flagged.base_url == "http://127.0.0.1:8000"


def test_no_credential_names_every_place_to_set_one() -> None:
    with pytest.raises(NoCredentialError) as info:
        resolve({})
    message = str(info.value)
    for needle in ("TINKER_API_KEY", "TINKER_CREDENTIAL_CMD", "tinker auth login", "profile"):
        assert needle in message


def test_hpcai_env() -> None:
    env = {"HPCAI_API_KEY": "anything-goes"}
    profile = resolve(env)
    assert profile.flavor == "hpcai"
    assert profile.base_url == HPCAI_DEFAULT_BASE_URL
    assert profile.api_key == "anything-goes"
    with pytest.raises(NoCredentialError, match="HPCAI_API_KEY"):
        resolve({}, flavor="hpcai")


def test_tinker_key_prefix_is_checked_before_anything_is_sent() -> None:
    with pytest.raises(ConfigError, match="tml-") as info:
        resolve({"TINKER_API_KEY": "sk-wrong-secret"})
    assert "sk-wrong-secret" not in str(info.value)
    assert resolve({"TINKER_API_KEY": "eyJhbGciOi.x.y"}).api_key.startswith("eyJ")


@pytest.mark.parametrize(
    "url",
    ["http://example.org", "http://10.0.0.1:8000", "http://tinker.internal/api"],
)
def test_plain_http_to_a_remote_host_is_refused_unless_insecure(url: str) -> None:
    env = {"TINKER_API_KEY": KEY}
    with pytest.raises(ConfigError, match="--insecure"):
        resolve(env, base_url=url)
    assert resolve(env, base_url=url, insecure=True).insecure is True


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9", "http://localhost:8000", "http://[::1]:80", "https://x.org"]
)
def test_loopback_http_and_https_are_fine(url: str) -> None:
    assert resolve({"TINKER_API_KEY": KEY}, base_url=url).base_url == url


def test_not_a_url_is_refused() -> None:
    with pytest.raises(ConfigError, match="must look like"):
        resolve({"TINKER_API_KEY": KEY}, base_url="example.org")


def test_repr_and_str_hide_the_key() -> None:
    profile = resolve({"TINKER_API_KEY": KEY})
    assert KEY not in repr(profile)
    assert KEY not in str(profile)
    assert "***" in repr(profile)


CONFIG = """
default_profile = "prod"

[profiles.prod]
flavor = "tinker"
base_url = "https://prod.example"
api_key = "tml-prod"

[profiles.lab]
flavor = "hpcai"
base_url = "http://lab.internal:9000"
api_key_cmd = "echo lab-key"
insecure = true

[ui]
theme = "nord"
refresh = 2
read_only = true

[keys]
publish = "P"

[downloads]
directory = "/data/ckpt"
extract = false
concurrency = 4
"""


def test_toml_profiles_and_settings(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG)
    settings = load_settings(path)
    assert settings.ui.theme == "nord"
    assert settings.ui.refresh == 2.0
    assert settings.ui.read_only is True
    assert settings.keys == {"publish": "P"}
    assert (settings.downloads.directory, settings.downloads.extract) == ("/data/ckpt", False)
    assert settings.downloads.concurrency == 4
    assert "tml-prod" not in repr(settings)

    env = {"TINKER_API_KEY": KEY}
    prod = resolve(env, settings=settings)
    assert (prod.name, prod.base_url, prod.api_key) == (
        "prod",
        "https://prod.example",
        "tml-prod",
    )
    lab = resolve(env, settings=settings, profile="lab")
    assert lab.flavor == "hpcai"
    assert lab.insecure is True
    assert read_credential(lab) == "lab-key"
    override = resolve(env, settings=settings, profile="prod", base_url="https://other.example")
    assert override.base_url == "https://other.example"


def test_unknown_profile_lists_the_known_ones(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG)
    with pytest.raises(ConfigError, match=r"'nope'.*lab, prod"):
        resolve({}, settings=load_settings(path), profile="nope")


def test_missing_config_file_gives_defaults(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "absent.toml")
    assert settings.profiles == {}
    assert settings.ui.refresh == 5.0
    assert settings.downloads.concurrency == 2


def test_config_path_from_environment(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere.toml"
    path.write_text('[ui]\ntheme = "ansi-dark"\n')
    assert load_settings(env={"LAZYTINKER_CONFIG": str(path)}).ui.theme == "ansi-dark"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("default_profile = ", "not valid TOML"),
        ('[profiles.x]\nflavor = "openai"', "flavor must be one of"),
        ("[ui]\nrefresh = true", "refresh has the wrong type"),
        ("[ui]\nrefresh = 0", "positive"),
        ('profiles = "x"', "profiles must be a table"),
        ("[downloads]\nconcurrency = 0", "at least 1"),
    ],
)
def test_broken_config_is_one_clear_line(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=match) as info:
        load_settings(path)
    assert "\n" not in str(info.value)
    assert str(path) in str(info.value)


def test_credential_command_failures(tmp_path: Path) -> None:
    def profile_with(cmd: str) -> Profile:
        return resolve({"TINKER_CREDENTIAL_CMD": cmd})

    with pytest.raises(NoCredentialError, match="printed nothing"):
        read_credential(profile_with("true"))
    with pytest.raises(NoCredentialError, match="exit status 2"):
        read_credential(profile_with("exit 2"))
    with pytest.raises(NoCredentialError, match="did not finish"):
        read_credential(profile_with("sleep 5"), timeout=0.2)
    with pytest.raises(ConfigError, match="tml-"):
        read_credential(profile_with("echo not-a-key"))


def test_broken_credentials_file(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    path.write_text("{not json")
    with pytest.raises(ConfigError, match="Cannot read stored credentials"):
        resolve({}, path)

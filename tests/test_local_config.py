"""Where the training logs are: `--logs DIR` (repeatable) and `[local] logs` in the config."""

from __future__ import annotations

from pathlib import Path

import pytest

from lazytinker.api.errors import ConfigError
from lazytinker.cli.app import build_parser
from lazytinker.config import Settings, load_settings


def _settings(tmp_path: Path, text: str) -> Settings:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path)


def test_local_logs_in_the_config(tmp_path: Path) -> None:
    settings = _settings(tmp_path, '[local]\nlogs = ["~/runs", "/data/tinker"]\n')
    assert settings.local.logs == (str(Path("~/runs").expanduser()), "/data/tinker")


def test_no_local_table_means_the_default_roots(tmp_path: Path) -> None:
    assert _settings(tmp_path, "[ui]\nrefresh = 3\n").local.logs is None


def test_an_empty_list_turns_the_training_logs_off(tmp_path: Path) -> None:
    assert _settings(tmp_path, "[local]\nlogs = []\n").local.logs == ()


@pytest.mark.parametrize("value", ['"~/runs"', "[1, 2]", '[""]'])
def test_a_wrong_logs_value_is_refused(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError, match=r"\[local\]"):
        _settings(tmp_path, f"[local]\nlogs = {value}\n")


def test_logs_on_the_command_line_repeat() -> None:
    args = build_parser().parse_args(["--logs", "a", "--logs", "b"])
    assert args.logs == ["a", "b"]
    assert build_parser().parse_args([]).logs is None

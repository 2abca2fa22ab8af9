"""The `[cleanup]` table: read, checked, written without touching the rest of the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lazytinker.api.errors import ConfigError
from lazytinker.config.cleanup import load_cleanup, save_cleanup
from lazytinker.store.planner import KeepRules, PlanChoice
from tests.client_asgi import closed_port


def test_defaults_without_a_file(tmp_path: Path) -> None:
    settings = load_cleanup(tmp_path / "missing.toml")
    assert settings.choice == PlanChoice()
    assert settings.rate_usd_per_gb_month is None


def test_a_table_is_read(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        "[cleanup]\nrate_usd_per_gb_month = 0.25\nkeep_last = 5\nkeep_public = false\n"
        'best_key = "reward"\nkeep_best = 3\nbest_highest = true\napply = "expire"\n'
        'expire_in = "30d"\n'
    )
    settings = load_cleanup(path)
    assert settings.rate_usd_per_gb_month == 0.25
    assert settings.choice == PlanChoice(
        KeepRules(last=5, public=False, best=3, best_key="reward", best_highest=True),
        expire=True,
        expire_in="30d",
    )


@pytest.mark.parametrize(
    "line",
    ["keep_last = -1", 'keep_last = "2"', "keep_final = 1", 'apply = "shred"',
     'expire_in = "3s"', "rate_usd_per_gb_month = true"],
)  # fmt: skip
def test_a_wrong_value_is_refused_with_its_name(tmp_path: Path, line: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[cleanup]\n{line}\n")
    with pytest.raises(ConfigError, match=line.split(" ")[0]):
        load_cleanup(path)


def test_saving_keeps_the_rest_of_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('# my profiles\n[profiles.prod]\nbase_url = "https://x"  # prod\n')
    choice = PlanChoice(KeepRules(last=4, every=100), expire=False)
    save_cleanup(path, choice)
    save_cleanup(path, choice)  # twice: one table, not two
    text = path.read_text()
    assert text.startswith('# my profiles\n[profiles.prod]\nbase_url = "https://x"  # prod\n')
    assert text.count("[cleanup]") == 1
    assert load_cleanup(path).choice == choice


async def _app_from_command_line(monkeypatch: pytest.MonkeyPatch, config: Path) -> tuple[int, Any]:
    """`lazytinker` with `config` as its config file, built on this test's loop (None when
    the command line refused); the server is a closed port: nothing here needs one."""
    from lazytinker.cli import app as command_line
    from lazytinker.cli import launch

    monkeypatch.setenv("LAZYTINKER_CONFIG", str(config))
    monkeypatch.setenv("TINKER_API_KEY", "tml-demo")
    monkeypatch.setenv("LAZYTINKER_EARLY", "0")
    given: list[tuple[Any, ...]] = []
    monkeypatch.setattr(launch, "run", lambda *args: given.append(args) or 0)
    status = command_line.main(["--base-url", f"http://127.0.0.1:{closed_port()}"])
    return status, (await launch.build_app(*given[0]) if given else None)


async def test_the_command_line_starts_the_planner_from_the_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[cleanup]\nkeep_last = 5\nrate_usd_per_gb_month = 0.25\n")
    status, app = await _app_from_command_line(monkeypatch, config)
    assert status == 0
    try:
        assert app.plan_choice == PlanChoice(KeepRules(last=5))
        assert app.store.money.config_rate == 0.25
        app.save_plan(PlanChoice(KeepRules(last=7)))
    finally:
        await app.store.close()
    assert load_cleanup(config).choice == PlanChoice(KeepRules(last=7))


async def test_without_a_table_the_planner_starts_from_its_defaults_and_can_save(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[ui]\ntheme = "nord"\n')
    status, app = await _app_from_command_line(monkeypatch, config)
    assert status == 0
    try:
        assert app.plan_choice is None  # `C` opens the planner on `PlanChoice()`
        assert app.store.money.config_rate is None
        app.save_plan(PlanChoice(KeepRules(every=100)))
    finally:
        await app.store.close()
    assert load_cleanup(config).choice == PlanChoice(KeepRules(every=100))
    assert 'theme = "nord"' in config.read_text()


async def test_a_wrong_table_is_refused_by_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[cleanup]\nkeep_last = -1\n")
    status, app = await _app_from_command_line(monkeypatch, config)
    assert (status, app) == (2, None)
    err = capsys.readouterr().err
    assert "keep_last must be 0 or more" in err
    assert len(err.strip().splitlines()) == 1

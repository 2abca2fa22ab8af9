"""The `[cleanup]` table: read, checked, written without touching the rest of the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from lazytinker.api.errors import ConfigError
from lazytinker.config.cleanup import load_cleanup, save_cleanup
from lazytinker.store.planner import KeepRules, PlanChoice


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

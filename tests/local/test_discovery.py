"""Finding log folders: where they are, what is skipped, loops and FIFOs, cheap re-scans."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lazytinker.local.discovery import FolderScanner, default_roots, is_log_folder
from tests.local.cookbook import make_folder, rl_folder, supervised_config, supervised_folder


def found(scanner: FolderScanner) -> list[str]:
    return [os.path.relpath(path, scanner.roots[0]) for path in scanner.scan().folders]


def test_log_folders_are_found_at_the_cookbook_depths(tmp_path: Path) -> None:
    supervised_folder(tmp_path / "sft-run")
    rl_folder(tmp_path / "math_rl" / "llama-lr4e-5")
    supervised_folder(tmp_path / "sweeps" / "2025-01-01" / "lr-1e-4")
    assert found(FolderScanner([tmp_path])) == [
        "math_rl/llama-lr4e-5",
        "sft-run",
        "sweeps/2025-01-01/lr-1e-4",
    ]


def test_a_root_that_is_a_log_folder_is_found(tmp_path: Path) -> None:
    folder = supervised_folder(tmp_path / "run")
    assert FolderScanner([folder]).scan().folders == (str(folder),)


def test_what_makes_a_log_folder() -> None:
    assert is_log_folder(["metrics.jsonl"])
    assert is_log_folder(["checkpoints.jsonl"])
    # A run that has not logged a step yet.
    assert is_log_folder(["config.json", "logs.log"])
    # Model folders and projects have a config.json of their own.
    assert not is_log_folder(["config.json", "model.safetensors"])


def test_a_starting_run_is_found_and_a_model_folder_is_not(tmp_path: Path) -> None:
    make_folder(tmp_path / "starting", supervised_config(tmp_path / "starting"))
    model = tmp_path / "Qwen3-8B"
    model.mkdir()
    (model / "config.json").write_text("{}")
    assert found(FolderScanner([tmp_path])) == ["starting"]


def test_depth_is_bounded_and_log_folders_are_not_searched(tmp_path: Path) -> None:
    supervised_folder(tmp_path / "a" / "b" / "c" / "d" / "e" / "deep")
    outer = rl_folder(tmp_path / "outer")
    supervised_folder(outer / "iteration_000001" / "inner")
    assert found(FolderScanner([tmp_path], max_depth=4)) == ["outer"]
    assert "a/b/c/d/e/deep" in found(FolderScanner([tmp_path], max_depth=6))


def test_hidden_and_heavy_trees_are_skipped(tmp_path: Path) -> None:
    supervised_folder(tmp_path / ".venv" / "run")
    supervised_folder(tmp_path / "node_modules" / "run")
    supervised_folder(tmp_path / "wandb" / "run")
    supervised_folder(tmp_path / "logs" / "run")
    assert found(FolderScanner([tmp_path])) == ["logs/run"]


def test_a_symlink_loop_is_visited_once(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    supervised_folder(runs / "a")
    (runs / "loop").symlink_to(runs)
    (runs / "a-again").symlink_to(runs / "a")
    (runs / "dangling").symlink_to(tmp_path / "nowhere")
    result = FolderScanner([runs], max_depth=10).scan()
    assert [os.path.basename(path) for path in result.folders] == ["a"]


def test_a_symlinked_log_folder_is_followed(tmp_path: Path) -> None:
    elsewhere = supervised_folder(tmp_path / "elsewhere" / "run")
    root = tmp_path / "root"
    root.mkdir()
    (root / "linked").symlink_to(elsewhere)
    assert found(FolderScanner([root])) == ["linked"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifos_are_not_opened(tmp_path: Path) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    os.mkfifo(folder / "metrics.jsonl")
    os.mkfifo(tmp_path / "some-pipe")
    # A FIFO named like a log file makes no log folder (a blocking open of it would hang).
    assert found(FolderScanner([tmp_path])) == []
    (folder / "checkpoints.jsonl").write_text("")
    assert found(FolderScanner([tmp_path])) == ["run"]


def test_roots_that_overlap_or_do_not_exist_give_each_folder_once(tmp_path: Path) -> None:
    supervised_folder(tmp_path / "runs" / "a")
    scanner = FolderScanner([tmp_path / "runs", tmp_path, tmp_path / "missing"])
    assert scanner.scan().folders == (str(tmp_path / "runs" / "a"),)


def test_a_huge_folder_is_read_only_in_part(tmp_path: Path) -> None:
    big = tmp_path / "data"
    big.mkdir()
    for n in range(50):
        (big / f"shard-{n:03d}").mkdir()
    result = FolderScanner([tmp_path], max_entries=20).scan()
    assert result.truncated
    assert FolderScanner([tmp_path], max_folders=5).scan().folders_visited == 5
    assert not FolderScanner([tmp_path]).scan().truncated


def test_entries_read_per_scan_are_bounded(tmp_path: Path) -> None:
    for n in range(10):
        folder = tmp_path / f"data-{n}"
        folder.mkdir()
        for m in range(30):
            (folder / f"file-{m}").write_bytes(b"")
    supervised_folder(tmp_path / "zz-run")
    bounded = FolderScanner([tmp_path], max_total_entries=100).scan()
    assert bounded.truncated
    assert bounded.folders == ()
    assert FolderScanner([tmp_path]).scan().folders == (str(tmp_path / "zz-run"),)


def test_a_rescan_lists_only_folders_that_changed(tmp_path: Path) -> None:
    for n in range(5):
        supervised_folder(tmp_path / "runs" / f"run-{n}")
    scanner = FolderScanner([tmp_path])
    first = scanner.scan()
    assert len(first.folders) == 5
    assert first.folders_listed == first.folders_visited == 7

    again = scanner.scan()
    assert again.folders == first.folders
    assert again.folders_listed == 0

    supervised_folder(tmp_path / "runs" / "run-new")
    third = scanner.scan()
    assert len(third.folders) == 6
    assert third.folders_listed == 2  # runs/ (a new entry) and the new folder


def test_default_roots_are_here_and_the_cookbook_runs_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TINKER_COOKBOOK_RUNS_DIR", raising=False)
    roots = default_roots(cwd=tmp_path)
    assert roots == (tmp_path, Path("~/tinker-runs").expanduser(), Path("/tmp/tinker-examples"))
    monkeypatch.setenv("TINKER_COOKBOOK_RUNS_DIR", str(tmp_path / "mine"))
    assert default_roots(cwd=tmp_path)[1] == tmp_path / "mine"

"""The training box in the app: names in the runs pane (filter and `:` find them), a run's
detail with curves, its checkpoints against the record (steps, gone rows, a metric column with
the best starred, follow), and the metrics view's chart following a growing metrics.jsonl."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lazytinker.local import LocalLogs
from lazytinker.store.gone import GoneCheckpoint
from lazytinker.ui.main_screen import MainScreen

from ..local.cookbook import supervised_row
from ..training_logs import Folders, write_folders
from .harness import FIXED_NOW, make_app, make_store, settle


def _app(server: Any, root: Path) -> Any:
    store = make_store(
        server.url, now=lambda: FIXED_NOW, local_logs=LocalLogs([root], scan_interval=0)
    )
    return make_app(store)


def _screen(app: Any) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


async def _ready(pilot: Any, folders: Folders) -> MainScreen:
    app = pilot.app
    await settle(
        pilot,
        lambda: isinstance(app.screen, MainScreen)
        and app.store.runs.loaded
        and app.store.local_run(folders.sft_run) is not None,
    )
    return _screen(app)


async def test_runs_show_names_and_filter_and_goto_find_them(
    start_server: Any, tmp_path: Path
) -> None:
    server = start_server(now=FIXED_NOW)
    folders = write_folders(server.url, tmp_path)
    app = _app(server, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await _ready(pilot, folders)
        await settle(pilot, lambda: "tulu3-qwen8b-lr2e-4" in screen.runs.row_text(folders.sft_run))
        # Folders arrive as they are read: the RL run's name may land a refresh later.
        await settle(pilot, lambda: "gsm8k-llama-grpo" in screen.runs.row_text(folders.rl_run))
        assert "● running" in screen.runs.row_text(folders.sft_run)
        assert "✓ done" in screen.runs.row_text(folders.rl_run)
        assert "idle" in screen.runs.row_text(folders.first_run)

        await pilot.press("slash", *"gsm8k-llama", "enter")
        await pilot.pause()
        assert screen.runs.visible_keys() == [folders.rl_run]
        await pilot.press("escape")

        await pilot.press("colon", *"tulu3-qwen8b", "enter")
        await settle(pilot, lambda: screen.current_run == folders.sft_run)
        await settle(pilot, lambda: screen.checkpoints.row_count > 0)
        assert screen.runs.cursor_key == folders.sft_run


async def test_a_runs_detail_shows_its_training(start_server: Any, tmp_path: Path) -> None:
    server = start_server(now=FIXED_NOW)
    folders = write_folders(server.url, tmp_path)
    app = _app(server, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await _ready(pilot, folders)
        screen.runs.move_to_key(folders.sft_run)
        await pilot.pause()
        text = str(screen.detail.render())
        assert "tulu3-qwen8b-lr2e-4" in text
        assert "● running" in text
        assert "45%" in text
        assert "ETA" in text
        assert "train nll 0.202" in text
        assert "test nll" in text
        assert "lr 0.0002" in text
        assert "rank 32" in text
        assert any(block in text for block in "▁▂▃▄▅▆▇█")


async def test_a_runs_checkpoints_against_the_record(start_server: Any, tmp_path: Path) -> None:
    server = start_server(now=FIXED_NOW)
    folders = write_folders(server.url, tmp_path)
    app = _app(server, tmp_path)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await _ready(pilot, folders)
        screen.open_run(folders.sft_run)
        table = screen.checkpoints
        await settle(pilot, lambda: table.get(folders.gone_path) is not None)
        gone = table.get(folders.gone_path)
        assert isinstance(gone, GoneCheckpoint)
        assert "gone" in table.row_text(folders.gone_path)
        assert "rolled" in table.row_text(folders.rolling_path)
        # Steps from the record, newest first while the run is active.
        real = [k for k in table.visible_keys() if not isinstance(table.get(k), GoneCheckpoint)]
        steps = [int(table.row_text(k)[1]) for k in real if table.row_text(k)[1].isdigit()]
        assert steps
        assert steps == sorted(steps, reverse=True)

        pane = screen.browse.checkpoints
        await pilot.press("M")
        await pilot.pause()
        assert pane.metric.key == "eval_loss"
        assert table.columns[-1].label == "eval_loss"
        best = pane.metric.best
        assert best is not None
        assert table.row_text(best)[-1].startswith("★")

        await pilot.press("F")
        await pilot.pause()
        assert pane.following
        assert "following" in str(pane.border_title)
        assert table.cursor_row == 0


async def test_the_metrics_view_charts_and_follows_a_growing_file(
    start_server: Any, tmp_path: Path
) -> None:
    server = start_server(now=FIXED_NOW)
    folders = write_folders(server.url, tmp_path)
    app = _app(server, tmp_path)
    async with app.run_test(size=(120, 35)) as pilot:
        screen = await _ready(pilot, folders)
        await pilot.press("m")
        view: Any = screen.views["metrics"]
        await settle(pilot, lambda: view.chart is not None and bool(view.chart.lines))
        key = str(folders.supervised)
        view.runs.table.move_to_key(key)
        await pilot.pause()
        labels = [line.label for line in view.chart.lines]
        assert labels == ["train nll", "test nll"]

        with (folders.supervised / "metrics.jsonl").open("a", encoding="utf-8") as out:
            out.write(json.dumps(supervised_row(90, 200) | {"train_mean_nll": 0.0625}) + "\n")
        await app.store.load_local()
        await pilot.pause()
        assert view.chart.lines[0].latest == 0.0625
        assert view.runs.table.row_text(key)[2] == "90"

        # Two runs selected: one line per run for the chosen metric.
        await pilot.press("space")
        view.runs.table.move_to_key(str(folders.resumed))
        await pilot.press("space")
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert len(view.chart.lines) == 2
        assert {line.label for line in view.chart.lines} == {"tulu3-qwen8b-lr2e-4", "resumed-sft"}

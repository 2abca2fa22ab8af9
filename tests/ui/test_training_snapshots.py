"""The look of a run's detail with its curves, and of the metrics view, at 80x24 and 120x35.

The log folders live under a fixed path (it shows in the detail of a log folder), written for
runs of the stand-in seeded at FIXED_NOW; their files are a few seconds old, so the supervised
run reads as running for the whole test.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from lazytinker.local import LocalLogs
from lazytinker.ui.main_screen import MainScreen

from ..training_logs import Folders, write_folders
from .harness import FIXED_NOW, header_settled, make_app, make_store, runs_counted, settle

SIZES = [(80, 24), (120, 35)]


@pytest.fixture
def logs_root(request: pytest.FixtureRequest) -> Iterator[Path]:
    root = Path("/tmp/lazytinker-snapshots") / request.node.name.replace("[", "-").strip("]")
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def _app(server: Any, root: Path) -> tuple[Any, Folders]:
    folders = write_folders(server.url, root)
    store = make_store(
        server.url, now=lambda: FIXED_NOW, local_logs=LocalLogs([root], scan_interval=0)
    )
    return make_app(store), folders


async def _loaded(pilot: Pilot[None], folders: Folders) -> MainScreen:
    app: Any = pilot.app
    await settle(
        pilot,
        lambda: isinstance(app.screen, MainScreen)
        and app.store.runs.loaded
        and app.store.sessions.loaded
        and app.store.local_run(folders.sft_run) is not None,
    )
    screen = app.screen
    assert isinstance(screen, MainScreen)
    # What arrives in the background: the runs' checkpoint counts and the header's expiry count.
    await settle(pilot, lambda: runs_counted(screen) and header_settled(screen))
    return screen


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_run_detail_with_curves_snapshot(
    size: tuple[int, int], start_server: Any, logs_root: Path, snap_compare: Any
) -> None:
    server = start_server(now=FIXED_NOW)
    app, folders = _app(server, logs_root)

    async def run_before(pilot: Pilot[None]) -> None:
        screen = await _loaded(pilot, folders)
        screen.runs.move_to_key(folders.sft_run)
        await settle(pilot, lambda: "running" in str(screen.detail.render()))
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_metrics_view_snapshot(
    size: tuple[int, int], start_server: Any, logs_root: Path, snap_compare: Any
) -> None:
    server = start_server(now=FIXED_NOW)
    app, folders = _app(server, logs_root)

    async def run_before(pilot: Pilot[None]) -> None:
        screen = await _loaded(pilot, folders)
        await pilot.press("m")
        view: Any = screen.views["metrics"]
        await settle(pilot, lambda: view.chart is not None and bool(view.chart.lines))
        # Two supervised runs compared: the running one and the resumed one.
        view.runs.table.move_to_key(str(folders.supervised))
        await pilot.press("space")
        view.runs.table.move_to_key(str(folders.resumed))
        await pilot.press("space")
        view.runs.table.move_to_key(str(folders.supervised))
        await pilot.pause(0.3)

    assert snap_compare(app, terminal_size=size, run_before=run_before)

"""The app in a pseudo-terminal with training logs the user did not write (`local_world`).

The server's run `run-evil` has a log folder on disk spoiled in every file: its name, its
config, metric names and values, checkpoint names and paths, log lines. One app process shows
it everywhere it goes (the runs pane's name, the run's detail with curves, its checkpoints with
steps, the metric column and follow, `y`, the metrics view with its chart, the metric picker,
the next and previous metric, the log scale, `enter` back to the run). What reached the terminal
holds none of the payloads and no piece of the key, nothing crashed (a metric of 1e308 once
did: a 4-byte float holds it as an infinity), and the process stays under 200 MB.
"""

from __future__ import annotations

from pathlib import Path

from tests.hostile.local_world import write_hostile_logs
from tests.hostile.payloads import assert_safe_terminal
from tests.hostile.server import Answer, HostileServer
from tests.hostile.test_app import LAZYTINKER, MEMORY_MIB, _env, _press, _quit, keys
from tests.hostile.world import checkpoint, checkpoints_page, hostile_checkpoints, run, runs_page
from tests.terminal import PtyApp

WALK = keys("enter M F y  m c esc ] [ L ] y enter")


def _serve(server: HostileServer) -> None:
    server.on("GET", "/api/v1/training_runs", Answer(body=runs_page([run("run-evil")])))
    saves = [checkpoint(f"tinker://run-evil/weights/{name}") for name in ("final", "000004")]
    listing = checkpoints_page(saves + hostile_checkpoints())
    server.on("GET", "/api/v1/training_runs/*", Answer(body=listing))
    server.on("GET", "/api/v1/checkpoints", Answer(body=listing))
    server.on("POST", "/api/v1/sessions/search", Answer(body={"sessions": [], "next_cursor": None}))


def test_the_app_shows_hostile_training_logs_safely(tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    write_hostile_logs(logs, "run-evil")
    with HostileServer() as server:
        _serve(server)
        argv = [LAZYTINKER, "--base-url", server.url, "--timeout", "3", "--logs", str(logs)]
        app = PtyApp(argv, _env(tmp_path), size=(120, 35))
        try:
            app.wait_for(b"Training runs", timeout=60)
            app.wait_for(b"PWNED-TITLE", timeout=30)  # the folder is read and joined to the run
            app.quiet(gap=0.3, limit=10)
            for pressed in WALK:
                _press(app, pressed)
            peak = app.peak_rss_mib()
        except BaseException:
            app.close()
            raise
        status = _quit(app)
    output = bytes(app.output)
    assert_safe_terminal(output)
    assert b"Traceback" not in output
    assert b"this is a bug in lazytinker" not in output
    assert status == 0, output[-3000:].decode("utf-8", "replace")
    assert peak < MEMORY_MIB
    # The chart's title names the folder, and the picked metric's name: shown, escaped.
    assert b"over steps \xc2\xb7 run\\x1b]52;c;UFdORUQ=" in output
    assert b"evil\\x1b]52;c;UFdORUQ=\\x07" in output

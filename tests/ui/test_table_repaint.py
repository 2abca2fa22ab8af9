"""What the table writes to a real terminal after a diff (read from a pseudo-terminal).

Pilot's screenshots repaint every line from scratch, so they cannot see a line the table
forgot to repaint: the terminal can, since the table asks Textual to repaint only the regions
a diff touched, and Textual writes only those.
"""

from __future__ import annotations

import os
import sys

from tests.terminal import PtyApp

CHILD = """
from dataclasses import dataclass

from textual.app import App, ComposeResult

from lazytinker.ui.table import Column, VirtualTable


@dataclass(frozen=True)
class Row:
    key: str
    name: str
    note: str = ""


class TableApp(App[None]):
    BINDINGS = [("u", "update", "Update")]

    def compose(self) -> ComposeResult:
        name = Column("name", "Name", lambda r: r.name)
        yield VirtualTable([name, Column("note", "Note", lambda r: r.note)], key=lambda r: r.key)

    def on_mount(self) -> None:
        table = self.query_one(VirtualTable)
        table.set_items(Row(f"k{i:03d}", f"row-{i:03d}") for i in range(100))
        table.sort_by("name")

    def action_update(self) -> None:
        # One refresh of the store: a row on screen changes in place (its note), and a row far
        # below changes its name, so it moves, still far below; the row count stays.
        rows = [Row("k002", "row-002", "CHANGED"), Row("k090", "row-095-renamed")]
        self.query_one(VirtualTable).upsert_many(rows)


TableApp().run()
"""


def test_a_row_changed_in_place_is_repainted_when_another_moves_below_the_screen() -> None:
    env = {**os.environ, "TERM": "xterm-256color"}
    app = PtyApp([sys.executable, "-c", CHILD], env, size=(60, 10))
    try:
        app.wait_for(b"row-008", timeout=60)
        app.quiet(gap=0.3)
        before = len(app.output)
        os.write(app.fd, b"u")
        app.quiet(gap=1.0)
        written = bytes(app.output[before:])
    finally:
        app.close()
    assert b"CHANGED" in written, "the row changed on screen was not repainted"

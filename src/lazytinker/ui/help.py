"""The `?` help screen: the keys that work where it was opened from, as currently mapped, grouped
by where they apply (everywhere, moving and finding, on the rows of the pane in use: checkpoints,
runs or sessions, downloads, the zoomed detail). Only the app's own keys: Textual's internals
(focus next, copy selected text) are not the user's business.

The rows come from the screen's active bindings, which follow focus: on a checkpoint they include
publish, TTL, delete and save; on a session, export trace; and so on.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

ROWS = "On the rows"
"""Stands for the group of keys that act on the rows of the pane in use; titled by the pane
(`On checkpoints`, `On runs`): one key id (`d`) acts on checkpoints or on whole runs."""

GROUPS: list[tuple[str, tuple[str, ...]]] = [
    (
        "Everywhere",
        (
            "help",
            "quit",
            "command_palette",
            "view_browse",
            "view_all",
            "view_samplers",
            "view_models",
            "view_storage",
            "view_billing",
            "metrics",
            "downloads",
            "goto",
            "zoom_detail",
            "raw_json",
            "refresh",
            "toggle_watch",
            "screenshot",
            "cleanup",
            "cancel_bulk",
        ),
    ),
    (
        "Moving and finding",
        (
            "cursor_down",
            "cursor_up",
            "page_down",
            "page_up",
            "top",
            "bottom",
            "pane_left",
            "pane_right",
            "activate",
            "back",
            "filter",
            "sort",
            "toggle_scope",
        ),
    ),
    (
        ROWS,
        (
            "select",
            "select_all",
            "publish",
            "delete",
            "ttl",
            "save",
            "sort_size",
            "sort_age",
            "sort_expiry",
            "keep_forever",
            "follow",
            "metric_column",
            "copy_path",
            "export_trace",
        ),
    ),
    ("Metrics view", ("choose_metrics", "prev_metric", "next_metric", "log_scale")),
    (
        "Downloads",
        (
            "downloads.down",
            "downloads.up",
            "downloads.cancel",
            "downloads.retry",
            "downloads.remove",
            "downloads.back",
        ),
    ),
    ("Zoomed detail", ("zoom_close", "pager", "zoom_down", "zoom_up")),
]
OTHER = "Here"
"""The group of a key this table does not know yet (a new view's own keys)."""

Row = tuple[str, str]
Group = tuple[str, list[Row]]


def help_groups(screen: Screen[object]) -> list[Group]:
    """The keys active on `screen`, as mapped now, grouped by where they apply."""
    app = screen.app
    keys: dict[str, list[str]] = {}
    described: dict[str, str] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        binding_id = binding.id
        if binding_id is None or not binding.description:
            continue  # Textual's own keys have no id: not the user's business
        display = app.get_key_display(binding)
        shown = keys.setdefault(binding_id, [])
        if display not in shown:
            shown.append(display)
        described.setdefault(binding_id, binding.description)
    groups: list[Group] = []
    placed: set[str] = set()
    for title, ids in GROUPS:
        rows = [(" ".join(keys[i][:2]), described[i]) for i in ids if i in keys]
        placed.update(ids)
        if rows:
            title = _rows_title(screen) if title == ROWS else title
            groups.append((title, _views_in_one(rows, keys)))
    rest = [(" ".join(keys[i][:2]), described[i]) for i in keys if i not in placed]
    if rest:
        groups.append((OTHER, rest))
    return groups


def _rows_title(screen: Screen[object]) -> str:
    """The title the pane in use gives the keys acting on its rows (`HELP_ROWS`)."""
    node: DOMNode | None = screen.focused
    while node is not None:
        title = getattr(node, "HELP_ROWS", None)
        if isinstance(title, str):
            return title
        node = node.parent
    return ROWS


VIEWS = ("view_browse", "view_all", "view_samplers", "view_models", "view_storage", "view_billing")


def _views_in_one(rows: list[Row], keys: dict[str, list[str]]) -> list[Row]:
    """The six view keys as one row (`1-6  Views: browse, …`) when they are still 1 to 6."""
    digits = ["1", "2", "3", "4", "5", "6"]
    if [keys.get(v, [""])[0] for v in VIEWS] != digits or [r[0] for r in rows].count("1") != 1:
        return rows
    first = [row[0] for row in rows].index("1")
    views = "Views: browse, all, samplers, models, storage, billing"
    kept = [row for row in rows if row[0] not in {"1", "2", "3", "4", "5", "6"}]
    kept.insert(first, ("1-6", views))
    return kept


class HelpScreen(ModalScreen[None]):
    """The keys that work here, by group; any of esc, q, ? closes it, j/k scroll."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", id="close_help"),
        Binding("j,down", "scroll(1)", "Down", show=False, id="help_down"),
        Binding("k,up", "scroll(-1)", "Up", show=False, id="help_up"),
    ]

    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 76; max-width: 95%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1; }
    """

    def __init__(self, groups: list[Group]) -> None:
        super().__init__()
        self.groups = groups

    def compose(self) -> ComposeResult:
        """The groups of keys, in one text."""
        parts: list[str | tuple[str, str]] = []
        for index, (title, rows) in enumerate(self.groups):
            if index:
                parts.append("\n")
            parts += [(title, "bold $text-accent"), "\n"]
            for key, description in rows:
                parts += [(f"{key:>12}", "bold"), f"  {description}\n"]
        with VerticalScroll() as scroll:
            scroll.border_title = Content("Keys here (remap them in the config file's [keys])")
            scroll.border_subtitle = Content("esc closes")
            yield Static(Content.assemble(*parts), markup=False)

    def action_scroll(self, lines: int) -> None:
        """`j`/`k`: scroll a line."""
        self.query_one(VerticalScroll).scroll_relative(y=lines, animate=False, immediate=True)

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)

"""The key bar at the foot of each screen: the keys that work here, as one line of text.

Textual's `Footer` mounts a widget per key and recomposes all of them whenever the screen's
bindings are refreshed (every focus change, several times during start-up), at 20-90 ms each
on this project's machines. This bar is a single widget that re-renders one line, and only
when what it would show has changed. A click on a key presses it, as in the Footer.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from textual import events
from textual.app import RenderResult
from textual.content import Content
from textual.screen import Screen
from textual.style import Style
from textual.widget import Widget

Shown = tuple[str, str, str, bool, str]
"""One key as shown: the key to press, its display, its description, whether it is enabled,
and its binding id."""

KEPT = frozenset({"help", "quit"})
"""Keys the bar never drops, however narrow: with these a newcomer finds every other."""
RANK = {
    "activate": 90,
    "zoom_close": 90,
    "filter": 85,
    "back": 80,
    "publish": 75,
    "delete": 75,
    "select": 70,
    "raw_json": 70,
    "downloads.cancel": 70,
    "downloads.retry": 70,
    "downloads.remove": 65,
    "ttl": 65,
    "save": 65,
    "sort": 60,
    "export_trace": 60,
    "copy_path": 55,
    "zoom_detail": 50,
    "pager": 50,
    "refresh": 45,
    "sort_size": 52,
    "sort_age": 48,
    "keep_forever": 60,
    "cleanup": 45,
    "sort_expiry": 30,
    "toggle_watch": 30,
    "choose_metrics": 70,
    "follow": 45,
    "metric_column": 40,
}
"""How much a key deserves its place when the bar is too narrow for all (higher stays;
unknown keys rank 50, the palette 20)."""
PALETTE_RANK = 20


class KeyBar(Widget, can_focus=False):
    """One line of `key description` pairs for the active bindings, the palette key on the right."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"keybar--key", "keybar--description"}

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
    }
    KeyBar > .keybar--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyBar > .keybar--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: tuple[Shown, ...] = ()
        self._palette: Shown | None = None
        self._spans: list[tuple[int, int, str]] = []

    def on_mount(self) -> None:
        """Follow the screen's bindings."""
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        """Stop following them."""
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if screen is not self.screen:
            return
        app = self.app
        active = screen.active_bindings
        shown: list[Shown] = []
        actions: set[str] = set()
        for _node, binding, enabled, _tooltip in active.values():
            if not binding.show or binding.action in actions:
                continue
            actions.add(binding.action)
            shown.append(
                (
                    binding.key,
                    app.get_key_display(binding),
                    binding.description,
                    enabled,
                    binding.id or "",
                )
            )
        palette: Shown | None = None
        found = active.get(app.COMMAND_PALETTE_BINDING) if app.ENABLE_COMMAND_PALETTE else None
        if found is not None:
            binding = found.binding
            palette = (binding.key, app.get_key_display(binding), "palette", True, "palette")
        if (tuple(shown), palette) != (self._shown, self._palette):
            self._shown, self._palette = tuple(shown), palette
            self.refresh()

    def _fitted(self, width: int) -> tuple[list[Shown], Shown | None]:
        """The keys that fit in `width`, in their order: the least important go first, `?`
        help and `q` quit never."""
        shown = list(self._shown)
        palette = self._palette

        def size(item: Shown) -> int:
            return cell_len(item[1]) + cell_len(item[2]) + 3

        def total() -> int:
            return sum(map(size, shown)) + (size(palette) + 1 if palette else 0)

        while total() > width:
            droppable = [i for i, item in enumerate(shown) if item[4] not in KEPT]
            lowest = min((RANK.get(shown[i][4], 50) for i in droppable), default=PALETTE_RANK + 1)
            if palette is not None and lowest >= PALETTE_RANK:
                palette = None
                continue
            if not droppable:
                break
            # Of the lowest rank, the rightmost goes first.
            index = max(i for i in droppable if RANK.get(shown[i][4], 50) == lowest)
            del shown[index]
        return shown, palette

    def render(self) -> RenderResult:
        """The keys from the left; the palette key at the right edge if there is room."""
        key_style = self.get_visual_style("keybar--key", partial=True)
        text_style = self.get_visual_style("keybar--description", partial=True)
        parts: list[tuple[str, Style] | str] = []
        spans: list[tuple[int, int, str]] = []
        x = 0

        def add(item: Shown) -> None:
            nonlocal x
            key, display, description, enabled, _id = item
            dim = Style(dim=not enabled)
            start = x
            parts.append((f" {display} ", key_style + dim))
            parts.append((f"{description} ", text_style + dim))
            x += cell_len(display) + cell_len(description) + 3
            spans.append((start, x, key))

        shown, palette = self._fitted(self.size.width)
        for item in shown:
            add(item)
        if palette is not None:
            _key, display, description, _enabled, _id = palette
            width = cell_len(display) + cell_len(description) + 3
            gap = self.size.width - x - width
            if gap >= 1:
                parts.append(" " * gap)
                x += gap
                add(palette)
        self._spans = spans
        return Content.assemble(*parts)

    def on_click(self, event: events.Click) -> None:
        """A click on a key presses it."""
        for start, end, key in self._spans:
            if start <= event.x < end:
                event.stop()
                self.app.simulate_key(key)
                return

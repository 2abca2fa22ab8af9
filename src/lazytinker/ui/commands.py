"""The command palette provider: the actions and views that work where the user is, by name.

An action runs on the nearest widget, from the focused one up to the screen and the app, that
has it and does not disable it: the same place its key would run it. So the palette offers, like
the key bar, only what works here (`Publish` on a checkpoint, not on a run).
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode

COMMANDS: list[tuple[str, str, str]] = [
    ("Publish / unpublish checkpoint", "publish", "Make the highlighted or selected public"),
    ("Set expiry (TTL)", "ttl", "Set or remove the expiry of checkpoints"),
    ("Delete checkpoints", "delete", "Delete the highlighted or selected checkpoints"),
    ("Copy path", "copy_path", "Copy the highlighted tinker:// path (OSC 52)"),
    ("Go to path", "goto", "Jump to a tinker:// or hpcai:// checkpoint"),
    ("Refresh", "refresh", "Reload what is on screen"),
    ("Toggle watch", "toggle_watch", "Turn the live refresh on or off"),
    ("Owned / accessible runs", "toggle_scope", "Switch the runs listing scope"),
    ("View: browse", "view('browse')", "Sessions, runs and checkpoints"),
    ("View: all checkpoints", "view('all-checkpoints')", "Every checkpoint, newest first"),
    ("View: samplers", "view('samplers')", "Every sampler of your sessions"),
    ("View: supported models", "view('models')", "Base models and their capabilities"),
    ("View: storage usage", "view('storage')", "Checkpoint storage by project and owner"),
    ("View: billing usage", "view('billing')", "Tokens and storage by day, model, session"),
    ("Zoom into the detail", "zoom_detail", "Every field of the highlighted row, a line each"),
    ("Raw JSON", "zoom_detail(True)", "The highlighted row as the server sent it"),
    ("Sort by…", "sort", "Choose the column to sort by, or reverse the order"),
    ("Save screenshot", "screenshot", "Save an SVG of the screen and say where"),
    ("Help: keys", "help", "Every key that works here and what it does"),
]


class LazytinkerCommands(Provider):
    """Offers the actions and views that work where the user is."""

    def _target(self, action: str) -> DOMNode | None:
        """The node whose `action` a key press would run now, if any."""
        name = action.partition("(")[0]
        screen = self.screen
        start = screen.focused or screen
        for node in start.ancestors_with_self:
            if getattr(node, f"action_{name}", None) is None:
                continue
            return node if node.check_action(name, ()) is not False else None
        return None

    def _offered(self) -> list[tuple[str, DOMNode, str, str]]:
        found = []
        for name, action, help_text in COMMANDS:
            target = self._target(action)
            if target is not None:
                found.append((name, target, action, help_text))
        return found

    async def discover(self) -> Hits:
        """Everything that works here, for an empty query."""
        for name, target, action, help_text in self._offered():
            yield DiscoveryHit(name, partial(self._run, action, target), help=help_text)

    async def search(self, query: str) -> Hits:
        """Commands that work here whose names match the query."""
        matcher = self.matcher(query)
        for name, target, action, help_text in self._offered():
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(name),
                    partial(self._run, action, target),
                    help=help_text,
                )

    async def _run(self, action: str, target: DOMNode) -> None:
        await self.app.run_action(action, target)

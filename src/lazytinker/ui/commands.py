"""The command palette provider: every action and view of the main screen, by name."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

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
    ("Help: keys", "app.help", "Every key and what it does"),
]


class LazytinkerCommands(Provider):
    """Offers every action and view of the main screen."""

    async def discover(self) -> Hits:
        """Everything, for an empty query."""
        for name, action, help_text in COMMANDS:
            yield DiscoveryHit(name, partial(self._run, action), help=help_text)

    async def search(self, query: str) -> Hits:
        """Commands whose names match the query."""
        matcher = self.matcher(query)
        for name, action, help_text in COMMANDS:
            score = matcher.match(name)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(name), partial(self._run, action), help=help_text
                )

    async def _run(self, action: str) -> None:
        if action.startswith("app."):
            await self.app.run_action(action)
        else:
            await self.screen.run_action(action)

"""What the main screen says when it cannot start: which server, what went wrong, what to do."""

from __future__ import annotations

from textual.widgets import Static

from lazytinker.store import Connection, Store
from lazytinker.ui.text import literal


def problem_text(store: Store) -> str:
    """A few lines naming the server and the error, and how to fix it (`r` retries)."""
    error = store.last_error or "unknown error"
    if store.connection is Connection.KEY_REJECTED:
        return (
            f"The server at {store.display_url} rejected the API key.\n{error}\n"
            "Set TINKER_API_KEY (or api_key / api_key_cmd in the profile of the config file)"
            " to a valid key, then press r to retry, q to quit."
        )
    if store.connection is Connection.UNREACHABLE:
        return (
            f"Could not reach {store.display_url}.\n{error}\n"
            "Check the base URL (--base-url, TINKER_BASE_URL or the profile) and the network;"
            " press r to retry, q to quit."
        )
    if store.connection is Connection.NO_CREDENTIAL:
        return (
            f"No API key for {store.display_url}.\n{error}\n"
            "Set TINKER_API_KEY (HPCAI_API_KEY for hpcai), or api_key / api_key_cmd in a"
            " profile of the config file, or run `tinker auth login`; then press r to retry."
        )
    return f"{error}\nPress r to retry, q to quit."


class ProblemBox(Static):
    """The box that says why the app could not start and what to do; hidden until needed."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)

    def show_problem(self, store: Store) -> None:
        """Say what went wrong with the store's connection, and show the box."""
        self.update(literal(problem_text(store), multiline=True))
        self.add_class("-shown")

    def hide(self) -> None:
        """Hide the box (a retry is under way)."""
        self.remove_class("-shown")

    @property
    def shown(self) -> bool:
        """Whether a problem is on screen."""
        return self.has_class("-shown")

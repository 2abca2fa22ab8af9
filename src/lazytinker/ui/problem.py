"""What the main screen says when the server is in trouble (at start-up or later), once for the
whole screen: which server, what went wrong, what to do, and whether it is tried again by itself."""

from __future__ import annotations

from textual.widgets import Static

from lazytinker.store import SERVER_WIDE, Connection, Store
from lazytinker.ui.text import literal


def _again(store: Store, retrying: bool) -> str:
    """How the app will try again: by itself while the trouble can heal, else on `r`."""
    if retrying and store.can_heal and store.failures:
        return (
            f"Trying again by itself every {store.next_delay:g} s; press r to retry now, q to quit."
        )
    return "Press r to retry, q to quit."


def problem_text(store: Store, *, retrying: bool = False) -> str:
    """A few lines naming the server and the error, and how to fix it (`r` retries; trouble
    that can heal is tried again by itself)."""
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
            "Check the base URL (--base-url, TINKER_BASE_URL or the profile) and the network.\n"
            + _again(store, retrying)
        )
    if store.connection is Connection.NO_CREDENTIAL:
        return (
            f"No API key for {store.display_url}.\n{error}\n"
            "Set TINKER_API_KEY (HPCAI_API_KEY for hpcai), or api_key / api_key_cmd in a"
            " profile of the config file, or run `tinker auth login`; then press r to retry."
        )
    if store.connection is Connection.FAILING:
        return f"The server at {store.display_url} is failing.\n{error}\n" + _again(store, retrying)
    return f"{error}\n" + _again(store, retrying)


class ProblemBox(Static):
    """The box that says why the app could not start and what to do; hidden until needed."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)

    def show_problem(self, store: Store, *, retrying: bool = False) -> None:
        """Say what went wrong with the store's connection, and show the box (`retrying`:
        something tries again by itself)."""
        self.update(literal(problem_text(store, retrying=retrying), multiline=True))
        self.add_class("-shown")

    def follow(self, store: Store, *, retrying: bool) -> None:
        """Say the whole server's trouble once, for every pane; go when the server is back."""
        if store.connection in SERVER_WIDE:
            self.show_problem(store, retrying=retrying)
        elif store.connection is Connection.CONNECTED:
            self.hide()

    def hide(self) -> None:
        """Hide the box (a retry is under way)."""
        self.remove_class("-shown")

    @property
    def shown(self) -> bool:
        """Whether a problem is on screen."""
        return self.has_class("-shown")

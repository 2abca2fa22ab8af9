"""What an empty table says, and only what is true: rows are loading, they could not be loaded,
no row matches the filter, none is in this scope, or there are none at all. No Textual."""

from __future__ import annotations

import msgspec


class EmptyLine(msgspec.Struct):
    """The one line an empty table shows, from what the pane tells it."""

    text: str = "Nothing here."
    """When the table holds no rows at all (`No training runs yet`)."""
    scoped: str = "No rows here."
    """When rows exist but a scope (a session's runs) shows none of them."""
    loading: bool = False
    """Rows are on their way: the table says so instead of claiming there are none."""
    problem: str | None = None
    """The rows could not be loaded: the table says this ("" when the pane says it already),
    never that there is nothing to show."""

    def says(self, total: int, filter_text: str, width: int = 200) -> str:
        """The line for a table holding `total` rows, none shown, under `filter_text`, in
        `width` cells (a long filter gives way to the hint that clears it)."""
        if self.problem is not None:
            return self.problem
        if self.loading:
            return "Loading…"
        if total and filter_text:
            said = f"No row matches /{filter_text}: esc clears the filter."
            return said if len(said) <= width else "No row matches: esc clears the filter."
        if total:
            return self.scoped
        return self.text

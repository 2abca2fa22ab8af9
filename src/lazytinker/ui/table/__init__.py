"""The virtual table of the panes, for up to 100,000+ rows.

`model` (with `rows`, `column`, `picked`) holds the rows without Textual: sorted, filtered,
selected, in step with the store's diffs. `view` paints them, `paint` draws single lines, and
`widget` is the `VirtualTable` other modules use: cursor, keys, mouse, messages.
"""

from lazytinker.ui.table.column import Column
from lazytinker.ui.table.model import RowModel
from lazytinker.ui.table.widget import VirtualTable

__all__ = ["Column", "RowModel", "VirtualTable"]

"""Small widgets the modals share: a checkbox that reads without colour, and text whose paths
never wrap mid-word (each keeps one line, cut in the middle to fit)."""

from __future__ import annotations

from rich.cells import cell_len
from textual.app import RenderResult
from textual.content import Content
from textual.geometry import Size
from textual.widgets import Checkbox, Static

from lazytinker.ui.table.paint import fit


class Tick(Checkbox):
    """A checkbox that reads the same without colour: `[x]` ticked, `[ ]` not (Textual's
    shows an X either way, told apart by colour only, and NO_COLOR users would see none).
    The one checkbox of the app: the modals' and the clean-up planner's."""

    BUTTON_LEFT = "["
    BUTTON_RIGHT = "]"

    @property
    def _button(self) -> Content:
        self.BUTTON_INNER = "x" if self.value else " "
        return super()._button


def fit_path(path: str, width: int) -> str:
    """A path on one line of `width` cells: whole when it fits, else cut in the middle, so
    both its run and its checkpoint name stay readable (`tinker://54d6…/weights/step-000160`)."""
    if cell_len(path) <= width:
        return path
    return fit(path, width, "left", "middle").rstrip()


class PathText(Static):
    """Literal text in which a path at the end of a line (`tinker://…`, `hpcai://…`) is never
    wrapped: it is cut in the middle to the width there is. Other text wraps as usual.

    `content` stays the full text (what tests and copy-paste read); only the painting cuts.
    """

    def __init__(self, content: Content, *, id: str | None = None) -> None:
        super().__init__(content, id=id, markup=False)

    def _fitted(self, width: int) -> Content:
        content = self.content
        if not isinstance(content, Content) or width <= 0:
            return content if isinstance(content, Content) else Content(str(content))
        lines = []
        for line in content.split("\n"):
            plain = line.plain
            start = plain.rfind(" ") + 1
            token = plain[start:]
            if "://" in token and line.cell_length > width:
                room = max(8, width - cell_len(plain[:start]))
                line = line[:start] + Content(fit_path(token, room))
            lines.append(line)
        return Content("\n").join(lines)

    def render(self) -> RenderResult:
        """The text with its paths fitted to the width the widget has now."""
        return self._fitted(self.content_region.width)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """The height of the fitted text at `width` (paths take one line each)."""
        if not width:
            return 0
        # As Textual's own Widget.get_content_height measures a visual (styles as rules).
        return self._fitted(width).get_height(self.styles, width)  # type: ignore[arg-type]

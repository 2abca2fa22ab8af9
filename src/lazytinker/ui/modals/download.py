"""The download modal: where to save, extract or not, replace or not, and how much will come over.

It answers a `DownloadChoice`, or None when cancelled (escape, Cancel). The destination is checked
as it is typed: a file in the way or a folder that cannot be written is refused inline.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.events import Resize
from textual.widgets import Button, Checkbox, Input, Static

from lazytinker.ui.modals._format import human_size, literal
from lazytinker.ui.modals.confirm import SHORT
from lazytinker.ui.modals.folder_prompt import FolderPrompt
from lazytinker.ui.modals.widgets import PathText, Tick


@dataclass(frozen=True, slots=True)
class DownloadTarget:
    """One checkpoint offered for download: its path, kind and size (when the server knows it)."""

    path: str
    kind: str
    size_bytes: int | None


@dataclass(frozen=True, slots=True)
class DownloadChoice:
    """What the user chose: the folder, whether to extract archives, whether to replace."""

    directory: Path
    extract: bool
    force: bool


class DownloadModal(FolderPrompt[DownloadChoice]):
    """Asks where to save one or more checkpoints; answers a `DownloadChoice` or None."""

    DEFAULT_CSS = """
    DownloadModal {
        align: center middle;
    }
    DownloadModal > #dialog {
        width: 100;
        max-width: 95%;
        height: auto;
        max-height: 90%;
        border: thick $primary;
        background: $surface;
        padding: 1 2;
    }
    DownloadModal #title {
        text-style: bold;
    }
    DownloadModal #targets {
        height: auto;
        max-height: 8;
        margin-bottom: 1;
    }
    DownloadModal #note, DownloadModal #problem {
        height: auto;
    }
    DownloadModal #problem {
        color: $error;
    }
    DownloadModal #buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    DownloadModal #buttons Button {
        margin-left: 2;
    }
    DownloadModal > #dialog {
        border-subtitle-color: $text;
        border-subtitle-align: left;
    }
    DownloadModal.-short > #dialog { padding: 0 1; }
    DownloadModal.-short #targets { max-height: 3; margin-bottom: 0; }
    DownloadModal.-short #buttons { margin-top: 0; }
    """

    SUBMIT = "download"

    def __init__(self, targets: list[DownloadTarget], *, directory: str, extract: bool) -> None:
        super().__init__()
        self.targets = list(targets)
        self._directory = directory
        self._extract = extract

    def compose(self) -> ComposeResult:
        """Title, the checkpoints and their total size, the folder, the options, the buttons."""
        count = len(self.targets)
        title = "Download " + ("this checkpoint" if count == 1 else f"{count} checkpoints")
        with Vertical(id="dialog") as dialog:
            dialog.border_subtitle = Content(" enter downloads · esc cancels ")
            yield Static(Content(title), id="title", markup=False)
            with VerticalScroll(id="targets"):
                lines = [
                    Content(f"{human_size(t.size_bytes):>9}  ") + literal(t.path)
                    for t in self.targets
                ]
                yield PathText(Content("\n").join(lines))
            yield Static(Content(self._summary()), id="note", markup=False)
            yield Input(self._directory, placeholder="folder to save into", id="directory")
            yield Static(Content(""), id="problem", markup=False)
            yield Tick("Extract archives into a folder", self._extract, id="extract")
            yield Tick("Replace what already exists", False, id="force")
            with Horizontal(id="buttons"):
                yield Button("Download", variant="primary", id="download")
                yield Button("Cancel", id="cancel")

    def on_resize(self, event: Resize) -> None:
        """On a short terminal the list gives way to the folder and the buttons."""
        self.set_class(event.size.height < SHORT, "-short")

    def _summary(self) -> str:
        known = [t.size_bytes for t in self.targets if t.size_bytes is not None]
        size = human_size(sum(known)) if known else "an unknown amount"
        if known and len(known) < len(self.targets):
            size += " (and some of unknown size)"
        lines = [f"To fetch: {size}. Each lands in its own folder named after its path."]
        if any(t.kind == "external" for t in self.targets):
            lines.append("External weights are saved file by file, with nothing to extract.")
        if any(t.kind == "training" for t in self.targets):
            lines.append(
                "Training checkpoints come as an archive where the server offers one; where it "
                "does not, they are exported as the official CLI does: a short training session "
                "on the checkpoint's base model (billable) saves them as files, then is ended and "
                "the export deleted."
            )
        if any(t.kind == "sampler" for t in self.targets):
            lines.append(
                "Sampler checkpoints download only where the server still exports them; "
                "otherwise the download says so."
            )
        return "\n".join(lines)

    def answer(self, folder: Path) -> DownloadChoice:
        """The folder and the two options as ticked."""
        return DownloadChoice(
            folder,
            extract=self.query_one("#extract", Checkbox).value,
            force=self.query_one("#force", Checkbox).value,
        )

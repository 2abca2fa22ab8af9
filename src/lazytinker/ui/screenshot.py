"""`ctrl+s`: an SVG of the screen, saved where the user can find it, and the path said."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from textual.app import App


def save_screenshot(
    app: App[Any], directory: str, filename: str | None = None
) -> tuple[str | None, str]:
    """Save the screen as `lazytinker-YYYYmmdd-HHMMSS.svg` in `directory` (created if missing,
    else the current folder); returns the file's path, or None and why it could not be saved,
    and a note when it went elsewhere than asked."""
    note = ""
    folder = Path(directory).expanduser()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        note = f"Cannot use {folder} ({error.strerror or error}); used the current folder. "
        folder = Path.cwd()
    name = filename or f"lazytinker-{datetime.now():%Y%m%d-%H%M%S}.svg"
    try:
        saved = app.save_screenshot(filename=name, path=str(folder))
    except OSError as error:
        return None, f"Could not save a screenshot in {folder}: {error.strerror or error}"
    return str(Path(saved).resolve()), note

"""Where the app's Textual CSS lives: inside the wheel, or `tcss/` of a checkout."""

from __future__ import annotations

from pathlib import Path


def tcss_path(name: str = "app.tcss") -> Path:
    """The stylesheet, found next to the installed package or in the source checkout."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "tcss" / name, package.parent.parent / "tcss" / name):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"tinkerscope's stylesheet {name} is missing (looked in {package})")

"""Where the app's Textual CSS lives: `lazytinker/tcss/`, inside the package itself.

The stylesheet is package data, so a checkout, an editable install and a wheel installed by pip,
pipx or uv all load it from the same place, next to the code that uses it.
"""

from __future__ import annotations

from pathlib import Path


def tcss_path(name: str = "app.tcss") -> Path:
    """The stylesheet `name` inside the installed package."""
    path = Path(__file__).resolve().parent.parent / "tcss" / name
    if not path.is_file():
        raise FileNotFoundError(f"lazytinker's stylesheet {name} is missing (looked for {path})")
    return path

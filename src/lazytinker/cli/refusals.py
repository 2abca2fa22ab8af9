"""Start-up refusals beyond the config file's own: a mistyped option, an unknown theme, a
`--logs` folder that is not there.

Like every refusal of the configuration, each is one line on stderr and exit status 2, before
any full-screen UI, with advice that fits: argparse's own error would print the whole usage
first, and an unknown theme used to open the app with a toast.
"""

from __future__ import annotations

import argparse
from difflib import get_close_matches
from pathlib import Path
from typing import NoReturn

from lazytinker.cli.output import EXIT_USAGE
from lazytinker.text import one_line

__all__ = ["KNOWN_THEMES", "OneLineParser", "logs_problem", "theme_problem"]


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose refusal is one line (`--help` still prints the usage)."""

    def error(self, message: str) -> NoReturn:
        """Refuse in one line and exit with status 2."""
        advice = f"{self.prog} --help lists the options"
        self.exit(EXIT_USAGE, f"{self.prog}: {one_line(message)} ({advice})\n")


# Themes the pinned Textual ships (a test holds this to `textual.theme.BUILTIN_THEMES`). A name
# found here is accepted without importing Textual, which would take ~0.3 s before the start-up
# requests could leave; any other name is looked up in Textual itself.
KNOWN_THEMES = frozenset(
    {
        "ansi-dark",
        "ansi-light",
        "atom-one-dark",
        "atom-one-light",
        "catppuccin-frappe",
        "catppuccin-latte",
        "catppuccin-macchiato",
        "catppuccin-mocha",
        "dracula",
        "flexoki",
        "gruvbox",
        "monokai",
        "nord",
        "rose-pine",
        "rose-pine-dawn",
        "rose-pine-moon",
        "solarized-dark",
        "solarized-light",
        "textual-dark",
        "textual-light",
        "tokyo-night",
    }
)


def theme_problem(option: str | None, configured: str, config_path: Path | None) -> str | None:
    """Why the theme asked for (on the command line, else in the config) cannot be used, or
    None when it can."""
    theme = option or configured
    if theme in KNOWN_THEMES:
        return None
    from textual.theme import BUILTIN_THEMES

    if theme in BUILTIN_THEMES:
        return None
    where = "--theme" if option else f"{config_path or 'config.toml'} [ui]: theme ="
    close = get_close_matches(theme, BUILTIN_THEMES, n=1)
    guess = f"; did you mean {close[0]!r}?" if close else ""
    names = ", ".join(sorted(BUILTIN_THEMES))
    return f"{where} {one_line(theme)!r} is not a theme{guess} The themes: {names}"


def logs_problem(folders: list[str] | None) -> str | None:
    """Why a `--logs` folder given on the command line cannot be searched, or None (a typo
    would otherwise show no training logs and say nothing)."""
    for folder in folders or ():
        path = Path(folder).expanduser()
        if not path.exists():
            return f"--logs {one_line(folder)!r}: no such folder"
        if not path.is_dir():
            return f"--logs {one_line(folder)!r}: not a folder; give the folder that holds it"
    return None

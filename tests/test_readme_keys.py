"""The README's key table and the app's bindings agree: every binding id of the UI is in the
table (so `[keys]` can be written from the README alone), and every id the table names exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UI = ROOT / "src" / "lazytinker" / "ui"


def binding_ids() -> set[str]:
    """Every `Binding(..., id="...")` written in the UI's source."""
    ids: set[str] = set()
    for path in UI.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", None))
            if name != "Binding":
                continue
            for keyword in node.keywords:
                if keyword.arg == "id" and isinstance(keyword.value, ast.Constant):
                    ids.add(str(keyword.value.value))
    return ids


def readme_ids() -> set[str]:
    """The ids in the last column of the README's key tables (`| key | what | binding id |`)."""
    ids: set[str] = set()
    in_keys = False
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            in_keys = False
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells[-1] == "binding id":
            in_keys = True
        elif in_keys:
            ids.update(re.findall(r"`([a-z_][a-z_.]*)`", cells[-1]))
    return ids


def test_every_binding_id_is_in_the_readme() -> None:
    missing = binding_ids() - readme_ids()
    assert not missing, f"binding ids the README's key table does not list: {sorted(missing)}"


def test_every_id_the_readme_names_exists() -> None:
    unknown = readme_ids() - binding_ids()
    assert not unknown, f"ids in the README's key table that no binding has: {sorted(unknown)}"

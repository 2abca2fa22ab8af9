"""The config file's `[keys]` table, checked before the app starts.

Every binding id must be one the app has, and a remapped key must not land on a key another
binding uses where both are active at once (`publish = "d"` on a checkpoint pane, where `d`
deletes): Textual would quietly run whichever it finds first. Where bindings are active together
(a context) is worked out from the classes: on the main screen, each pane with the view holding
it, the table, the screen and the app; on any other screen, that screen, the widgets of its
module, and the app.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen

from lazytinker.ui.app import LazytinkerApp
from lazytinker.ui.main_screen import MainScreen
from lazytinker.ui.pane import Pane
from lazytinker.ui.table import VirtualTable
from lazytinker.ui.views.base import View
from lazytinker.ui.views.browse import BrowseView
from lazytinker.ui.views.browse_panes import RunCheckpointsPane, RunsPane, SessionsPane

N = TypeVar("N", bound=DOMNode)
BROWSE_PANES: tuple[type[Pane], ...] = (SessionsPane, RunsPane, RunCheckpointsPane)


@dataclass(frozen=True)
class KeymapProblem:
    """One refusal: the binding id it is about and a sentence saying what is wrong."""

    binding_id: str
    message: str


def normalise_keys(keys: str) -> str:
    """A `[keys]` value as Textual matches keys: no spaces, and a single character by its key
    name (`?` is `question_mark`, as in a `Binding`)."""
    names = [b.key for b in Binding.make_bindings([Binding(keys.replace(" ", ""), "noop")])]
    return ",".join(names)


def normalise_keymap(keymap: Mapping[str, str]) -> dict[str, str]:
    """Every value of a keymap normalised (see `normalise_keys`)."""
    return {binding_id: normalise_keys(keys) for binding_id, keys in keymap.items()}


def _bindings_of(cls: type[DOMNode]) -> list[Binding]:
    """The bindings a class has, its bases' included (as Textual merges them)."""
    found: list[Binding] = []
    for klass in reversed(cls.__mro__):
        declared = klass.__dict__.get("BINDINGS")
        if declared:
            found.extend(Binding.make_bindings(declared))
    return found


def _subclasses(cls: type[N]) -> list[type[N]]:
    out: list[type[N]] = []
    for sub in cls.__subclasses__():
        out.append(sub)
        out.extend(_subclasses(sub))
    return out


def _ours(cls: type) -> bool:
    return cls.__module__.startswith("lazytinker.ui")


def _name(cls: type) -> str:
    """`RunCheckpointsPane` -> `run checkpoints pane`."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", cls.__name__).lower()


def _import_every_view() -> None:
    """Import every module of the UI: views mounted on first use are not imported yet."""
    import lazytinker.ui

    for module in pkgutil.walk_packages(lazytinker.ui.__path__, "lazytinker.ui."):
        importlib.import_module(module.name)


def contexts() -> dict[str, list[Binding]]:
    """Every set of bindings active together, by a name a person can read."""
    _import_every_view()
    app = _bindings_of(LazytinkerApp)
    screen = [*_bindings_of(MainScreen), *_bindings_of(VirtualTable)]
    found: dict[str, list[Binding]] = {}
    panes = [p for p in _subclasses(Pane) if _ours(p) and not p.__subclasses__()]
    # A view that is not itself a pane holds panes: those of its module (browse's live apart).
    views = [v for v in _subclasses(View) if _ours(v) and not issubclass(v, Pane)]
    held = {
        view: [
            p
            for p in panes
            if p.__module__ == view.__module__ or (view is BrowseView and p in BROWSE_PANES)
        ]
        for view in views
    }
    for pane in panes:
        around = [b for view in views if pane in held[view] for b in _bindings_of(view)]
        found[f"the {_name(pane)}"] = [*app, *screen, *around, *_bindings_of(pane)]
    for view in views:
        found[f"the {_name(view)}"] = [*app, *screen, *_bindings_of(view)]
    widgets = [w for w in _subclasses(DOMNode) if _ours(w) and not issubclass(w, App | Screen)]
    for other in _subclasses(Screen):
        if not _ours(other) or other is MainScreen:
            continue
        inside = [w for w in widgets if w.__module__ == other.__module__]
        bindings = [*app, *_bindings_of(other)]
        found[f"the {_name(other)}"] = bindings + [b for w in inside for b in _bindings_of(w)]
    return found


def binding_ids(where: Mapping[str, Iterable[Binding]] | None = None) -> set[str]:
    """Every binding id the app has (the names `[keys]` may use)."""
    where = contexts() if where is None else where
    return {b.id for bindings in where.values() for b in bindings if b.id}


def check_keymap(keymap: Mapping[str, str]) -> list[KeymapProblem]:
    """What is wrong with a `[keys]` table: unknown ids first, then clashes, one per binding."""
    where = contexts()
    known = sorted(binding_ids(where))
    problems: list[KeymapProblem] = []
    for binding_id in keymap:
        if binding_id not in known:
            close = difflib.get_close_matches(binding_id, known, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            problems.append(
                KeymapProblem(
                    binding_id,
                    f"no binding is called {binding_id!r}; {hint}the binding ids are "
                    + ", ".join(known),
                )
            )
    mapped = normalise_keymap({k: v for k, v in keymap.items() if k in known})
    reported: set[str] = set()
    for context, bindings in where.items():
        on_key: dict[str, set[str]] = {}
        defaults: dict[str, set[str]] = {}
        for binding in bindings:
            name = binding.id or binding.action
            defaults.setdefault(name, set()).add(binding.key)
            keys = mapped[binding.id].split(",") if binding.id in mapped else [binding.key]
            for key in keys:
                on_key.setdefault(key, set()).add(name)
        for binding_id in sorted(set(mapped) & set(defaults) - reported):
            # Only a key the remap brings: a clash the defaults already had is not the file's.
            for key in mapped[binding_id].split(","):
                others = sorted(on_key.get(key, set()) - {binding_id})
                if not others or key in defaults[binding_id]:
                    continue
                reported.add(binding_id)
                names = ", ".join(others)
                problems.append(
                    KeymapProblem(
                        binding_id,
                        f"{binding_id} = {keymap[binding_id]!r} puts {key!r} on two bindings "
                        f"in {context} ({names} is there too); choose another key, or move "
                        f"{names}",
                    )
                )
                break
    return problems

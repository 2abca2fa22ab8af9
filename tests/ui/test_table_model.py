"""The table's row model against a plain model of what it should show.

The row model keeps several derived lists to stay fast over 100,000 rows (the unfiltered order
beside the shown one, search texts lined up with each, a filter that narrows what it already
kept, a one-word filter's positions instead of copies). Random sequences of upserts, removals,
filters (growing, shrinking, cleared), sorts, predicates and selections must leave it showing
exactly what a naive recomputation from the rows would, and each diff must name the display
rows it touched (the widget repaints only those). These run with no Textual app; one thin check
drives the same sequences through the widget.

TABLE_MODEL_SEEDS sets how many random sequences run (8 by default).
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from textual.app import App, ComposeResult

from lazytinker.ui.table import Column, RowModel, VirtualTable

SEEDS = int(os.environ.get("TABLE_MODEL_SEEDS", "8"))


@dataclass(frozen=True)
class Row:
    """A row with a searchable name, a searchable tag and an unsearchable size."""

    key: str
    name: str
    tag: str
    size: int


COLUMNS: list[Column[Row]] = [
    Column("name", "Name", lambda r: r.name),
    Column("tag", "Tag", lambda r: r.tag, width=6),
    Column("size", "Size", lambda r: str(r.size), width=6, sort=lambda r: r.size, searchable=False),
]
WORDS = ["step", "stop", "sampler", "weights", "Step-0", "tag", "x"]


def by_size(row: Row) -> int:
    """The order some seeds use when no column is chosen (the all-checkpoints view has one)."""
    return -row.size


class Plain:
    """What the table should show, recomputed from scratch every time."""

    def __init__(self, default_sort: Callable[[Row], int] | None = None) -> None:
        self.rows: dict[str, Row] = {}
        self.seq: dict[str, int] = {}
        self.default_sort = default_sort
        self.filter = ""
        self.predicate_on = False
        self.sort: str | None = None
        self.reverse = False
        self.selected: set[str] = set()

    def arrive(self, rows: list[Row]) -> None:
        """Rows added or replaced."""
        for row in rows:
            self.seq.setdefault(row.key, len(self.seq))
            self.rows[row.key] = row

    def visible(self) -> list[str]:
        """Keys shown, in display order."""
        words = self.filter.casefold().split()

        def shown(row: Row) -> bool:
            text = f"{row.name} {row.tag}".casefold()
            if self.predicate_on and row.size % 2:
                return False
            return all(w in text for w in words)

        def order(row: Row) -> tuple[object, ...]:
            if self.sort is None:
                if self.default_sort is not None:
                    return (self.default_sort(row), self.seq[row.key], row.key)
                return (self.seq[row.key], row.key)
            value: object = row.size if self.sort == "size" else getattr(row, self.sort)
            return ((1, value), row.key)

        keys = [r.key for r in sorted((r for r in self.rows.values() if shown(r)), key=order)]
        return keys[::-1] if self.reverse else keys


def random_row(rng: random.Random, key: str) -> Row:
    """A row whose name and tag the filter words sometimes match."""
    kind = rng.choice(["weights", "sampler_weights"])
    return Row(
        key=key,
        name=f"{kind}/step-{rng.randrange(40):06d}",
        tag=rng.choice(["tag", "TAG", "x", "stop"]),
        size=rng.randrange(10),
    )


class Script:
    """Random operations, each applied to the plain model and given back to apply to a table."""

    def __init__(self, seed: int, plain: Plain) -> None:
        self.rng = random.Random(seed)
        self.plain = plain
        self.counter = 0

    def batch(self) -> list[Row]:
        """New rows and new versions of existing ones (a store's refresh)."""
        rng, batch = self.rng, []
        for _ in range(rng.randrange(1, 60)):
            if self.plain.rows and rng.random() < 0.4:
                key = rng.choice(sorted(self.plain.rows))
            else:
                key, self.counter = f"k{self.counter:05d}", self.counter + 1
            batch.append(random_row(rng, key))
        return batch

    def gone(self) -> list[str]:
        """Some keys to remove (and sometimes one that is not there)."""
        keys = sorted(self.plain.rows)
        gone = self.rng.sample(keys, k=min(len(keys), self.rng.randrange(1, 8)))
        return [*gone, "never-there"] if self.rng.random() < 0.2 else gone

    def filter_text(self) -> str:
        """Typing: grow the filter a letter at a time, sometimes shrink or clear it."""
        rng, current = self.rng, self.plain.filter
        word = rng.choice(WORDS)
        if current and rng.random() < 0.6:
            text = current + word[: rng.randrange(1, 3)]
        elif current and rng.random() < 0.5:
            text = current[:-1]
        elif rng.random() < 0.2:
            text = f"{word[:3]} {rng.choice(WORDS)[:2]}"
        else:
            text = "" if rng.random() < 0.3 else word[: rng.randrange(1, len(word) + 1)]
        return text.strip()


def predicate(on: bool) -> Callable[[Row], bool] | None:
    """The predicate the plain model's `predicate_on` stands for."""
    return (lambda r: r.size % 2 == 0) if on else None


def check_change(before: list[str], after: list[str], moved: int | None, changed: list[int],
                 touched: set[str]) -> None:  # fmt: skip
    """A diff's answer covers what it did: rows above the first that moved kept their places,
    and every shown row it changed is either named or at or after the first that moved."""
    if moved is None:
        assert after == before
        moved = len(after)
    assert after[:moved] == before[:moved]
    above = {d for d, key in enumerate(after[:moved]) if key in touched}
    assert above <= set(changed), f"rows changed in place but not named: {above - set(changed)}"


def check(model: RowModel[Row], plain: Plain, rng: random.Random) -> None:
    """The model shows what the plain model shows, and answers every query alike."""
    expected = plain.visible()
    got = model.visible_keys()
    assert got == expected, (
        f"filter {plain.filter!r}, sort {plain.sort} {plain.reverse}, pred {plain.predicate_on}; "
        f"extra {sorted(set(got) - set(expected))[:5]} "
        f"missing {sorted(set(expected) - set(got))[:5]}"
    )
    assert model.row_count == len(expected)
    assert model.total_count == len(plain.rows)
    assert model.sum_shown(lambda r: r.size) == sum(plain.rows[k].size for k in expected)
    for key in rng.sample(sorted(plain.rows), k=min(5, len(plain.rows))):
        row = plain.rows[key]
        assert model.cells_of(key) == (row.name, row.tag, str(row.size))
        display = model.display_of(key)
        assert display == (expected.index(key) if key in expected else None)
        if display is not None:
            assert model.key_at(display) == key
    chosen = model.selected_items()
    shown_selected = [plain.rows[k] for k in expected if k in plain.selected]
    assert chosen[: len(shown_selected)] == shown_selected
    hidden = {k for k in plain.selected if k not in expected}
    assert {r.key for r in chosen[len(shown_selected) :]} == hidden


@pytest.mark.parametrize("seed", range(SEEDS))
def test_the_model_shows_what_a_plain_recomputation_shows(seed: int) -> None:
    plain = Plain(default_sort=by_size if seed % 2 else None)
    script = Script(seed, plain)
    rng = script.rng
    model: RowModel[Row] = RowModel(COLUMNS, key=lambda r: r.key)
    model.default_sort = plain.default_sort
    for _step in range(400):
        op = rng.random()
        before = model.visible_keys()
        if op < 0.3:
            batch = script.batch()
            plain.arrive(batch)
            moved, changed = model.upsert_many(batch)
            check_change(before, plain.visible(), moved, changed, {r.key for r in batch})
        elif op < 0.4 and plain.rows:
            gone = script.gone()
            for key in gone:
                plain.rows.pop(key, None)
                plain.selected.discard(key)
            moved = model.remove_many(gone)
            check_change(before, plain.visible(), moved, [], set())
        elif op < 0.65:
            plain.filter = script.filter_text()
            model.set_filter(plain.filter)
        elif op < 0.73:
            plain.sort = rng.choice([None, "name", "tag", "size"])
            plain.reverse = plain.sort is not None and rng.random() < 0.5
            model.sort_by(plain.sort, reverse=plain.reverse)
        elif op < 0.78:
            plain.sort, plain.reverse = model.next_sort()
            model.sort_by(plain.sort, reverse=plain.reverse)
        elif op < 0.85:
            plain.predicate_on = not plain.predicate_on
            model.set_predicate(predicate(plain.predicate_on))
        elif op < 0.95 and plain.rows:
            # Select and unselect, shown rows and rows the filter hides alike.
            for key in rng.sample(sorted(plain.rows), k=min(3, len(plain.rows))):
                plain.selected ^= {key}
                model.selected ^= {key}
        elif op < 0.97:
            # A scope switch: every row replaced, the selection keeps what is still there.
            batch = [
                random_row(rng, f"k{rng.randrange(script.counter + 1):05d}") for _ in range(80)
            ]
            plain.rows.clear()
            plain.arrive(batch)
            plain.selected &= set(plain.rows)
            model.set_items(batch)
        else:
            model.warm()  # what the widget does when idle: line the search texts up
        check(model, plain, rng)


def test_remade_and_forgotten_cells_follow_the_clock() -> None:
    clock = {"now": 5}
    columns: list[Column[Row]] = [
        Column("name", "Name", lambda r: r.name),
        Column("age", "Age", lambda r: f"{clock['now'] - r.size}m ago", searchable=False),
    ]
    model: RowModel[Row] = RowModel(columns, key=lambda r: r.key)
    model.set_items(
        [Row("a", "first", "x", 1), Row("b", "second", "x", 5), Row("c", "third", "x", 3)]
    )
    assert model.cells_of("a") == ("first", "4m ago")
    assert model.cells_of("b") == ("second", "0m ago")
    clock["now"] = 6
    # "a" and "b" were painted (cached); "c" never was: it has nothing to compare with.
    assert model.remake_cells(["a", "b", "c"]) == [[1], [1], None]
    assert model.cells_of("a") == ("first", "5m ago")
    assert model.remake_cells(["a"]) == [[]]  # the clock did not move: nothing to repaint
    assert model.cells_of("b") == ("second", "1m ago")
    clock["now"] = 7
    model.forget_cells(["a"])  # one row's cells made again, the others kept until remade
    assert model.cells_of("a") == ("first", "6m ago")
    assert model.cells_of("b") == ("second", "1m ago")


class TableApp(App[None]):
    """Just the table."""

    def compose(self) -> ComposeResult:
        """One table."""
        yield VirtualTable(COLUMNS, key=lambda r: r.key, id="table")


@pytest.mark.parametrize("seed", range(min(SEEDS, 2)))
async def test_the_widget_shows_what_a_plain_recomputation_shows(seed: int) -> None:
    """The widget over the model: the same rows, and a cursor that stays on its row."""
    plain = Plain()
    script = Script(seed, plain)
    rng = script.rng
    app = TableApp()
    async with app.run_test(size=(80, 20)) as pilot:
        table: VirtualTable[Row] = app.query_one("#table", VirtualTable)
        for step in range(150):
            op = rng.random()
            cursor = table.cursor_key
            if op < 0.35:
                batch = script.batch()
                plain.arrive(batch)
                table.upsert_many(batch)
            elif op < 0.45 and plain.rows:
                gone = script.gone()
                for key in gone:
                    plain.rows.pop(key, None)
                table.remove_many(gone)
            elif op < 0.7:
                plain.filter = script.filter_text()
                table.set_filter(plain.filter)
            elif op < 0.8:
                plain.predicate_on = not plain.predicate_on
                table.set_predicate(predicate(plain.predicate_on))
            else:
                table.move_to(rng.randrange(max(1, table.row_count)))
                cursor = table.cursor_key
            if step % 25 == 0:
                await pilot.pause()  # let idle work (the search texts lined up) run between
            expected = plain.visible()
            assert table.visible_keys() == expected, f"seed {seed}, step {step}"
            assert table.row_count == len(expected)
            assert table.total_count == len(plain.rows)
            if cursor in expected:
                assert table.cursor_key == cursor, "the cursor left its row"
            else:
                assert table.cursor_key == (expected[table.cursor_row] if expected else None)

"""The virtual table against a plain model of what it should show.

The table keeps several derived lists to stay fast over 100,000 rows (the unfiltered order
beside the shown one, search texts lined up with each, a filter that narrows what it already
kept). Random sequences of upserts, removals, filters (growing, shrinking, cleared), sorts and
predicates must leave it showing exactly what a naive recomputation from the rows would.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass

import pytest
from textual.app import App, ComposeResult

from lazytinker.ui.table import Column, VirtualTable


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


class TableApp(App[None]):
    """Just the table."""

    def compose(self) -> ComposeResult:
        """One table."""
        yield VirtualTable(COLUMNS, key=lambda r: r.key, id="table")


class Model:
    """What the table should show, recomputed from scratch every time."""

    def __init__(self) -> None:
        self.rows: dict[str, Row] = {}
        self.seq: dict[str, int] = {}
        self.filter = ""
        self.predicate_on = False
        self.sort: str | None = None
        self.reverse = False

    def visible(self) -> list[str]:
        words = self.filter.casefold().split()

        def shown(row: Row) -> bool:
            text = f"{row.name} {row.tag}".casefold()
            if self.predicate_on and row.size % 2:
                return False
            return all(w in text for w in words)

        def order(row: Row) -> tuple[object, ...]:
            if self.sort is None:
                return (self.seq[row.key], row.key)
            value: object = row.size if self.sort == "size" else getattr(row, self.sort)
            return ((1, value), row.key)

        keys = [r.key for r in sorted((r for r in self.rows.values() if shown(r)), key=order)]
        return keys[::-1] if self.reverse else keys


def random_row(rng: random.Random, key: str) -> Row:
    kind = rng.choice(["weights", "sampler_weights"])
    return Row(
        key=key,
        name=f"{kind}/step-{rng.randrange(40):06d}",
        tag=rng.choice(["tag", "TAG", "x", "stop"]),
        size=rng.randrange(10),
    )


@pytest.mark.parametrize("seed", range(int(os.environ.get("TABLE_MODEL_SEEDS", "8"))))
async def test_the_table_shows_what_a_plain_recomputation_shows(seed: int) -> None:
    rng = random.Random(seed)
    app = TableApp()
    model = Model()
    counter = 0
    async with app.run_test(size=(80, 20)) as pilot:
        table: VirtualTable[Row] = app.query_one("#table", VirtualTable)
        for step in range(250):
            op = rng.random()
            if op < 0.35:
                batch = []
                for _ in range(rng.randrange(1, 60)):
                    if model.rows and rng.random() < 0.4:
                        key = rng.choice(sorted(model.rows))
                    else:
                        key, counter = f"k{counter:05d}", counter + 1
                    batch.append(random_row(rng, key))
                for row in batch:
                    model.seq.setdefault(row.key, len(model.seq))
                    model.rows[row.key] = row
                table.upsert_many(batch)
            elif op < 0.45 and model.rows:
                gone = rng.sample(sorted(model.rows), k=min(len(model.rows), rng.randrange(1, 8)))
                for key in gone:
                    del model.rows[key]
                table.remove_many(gone)
            elif op < 0.75:
                # Typing: grow the filter a letter at a time, sometimes shrink or clear it.
                word = rng.choice(WORDS)
                if model.filter and rng.random() < 0.6:
                    text = model.filter + word[: rng.randrange(1, 3)]
                elif model.filter and rng.random() < 0.5:
                    text = model.filter[:-1]
                elif rng.random() < 0.2:
                    text = f"{word[:3]} {rng.choice(WORDS)[:2]}"
                else:
                    text = "" if rng.random() < 0.3 else word[: rng.randrange(1, len(word) + 1)]
                model.filter = text.strip()
                table.set_filter(text.strip())
            elif op < 0.85:
                column = rng.choice([None, "name", "size"])
                reverse = column is not None and rng.random() < 0.5
                model.sort, model.reverse = column, reverse
                table.sort_by(column, reverse=reverse)
            else:
                model.predicate_on = not model.predicate_on
                table.set_predicate((lambda r: r.size % 2 == 0) if model.predicate_on else None)
            if step % 25 == 0:
                await pilot.pause()  # let idle work (the search texts lined up) run between
            expected = model.visible()
            got = table.visible_keys()
            assert got == expected, (
                f"seed {seed}, step {step}, op {op:.2f}, filter {model.filter!r}, "
                f"sort {model.sort} {model.reverse}, pred {model.predicate_on}; "
                f"extra {sorted(set(got) - set(expected))[:5]} "
                f"missing {sorted(set(expected) - set(got))[:5]}"
            )
            assert table.row_count == len(expected)
            assert table.total_count == len(model.rows)

"""`Shared`: an attribute of the `Store` that lives on one of its parts, read and written through.

The UI reads `store.runs`, `store.connection` or `store.watching` as it always has, while the
value lives in the part that owns it (`store.state.runs`, `store.watch.watching`). A property
whose getter is `operator.attrgetter` keeps each read in C: rows read `store.now()` per cell.
"""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

T = TypeVar("T")


class Shared(property, Generic[T]):
    """A store attribute held by a part: `Shared("state.runs")` reads `self.state.runs`."""

    def __init__(self, path: str) -> None:
        part, _, name = path.partition(".")

        def write(owner: Any, value: T) -> None:
            setattr(getattr(owner, part), name, value)

        super().__init__(attrgetter(path), write, doc=f"`{path}`, read and written through.")
        self.path = path

    def __set_name__(self, owner: type, name: str) -> None:
        # The attribute keeps its part's name, so that both read the same in the code.
        if self.path.rpartition(".")[2] != name:
            raise TypeError(f"{owner.__name__}.{name} is shared as {self.path}")

    if TYPE_CHECKING:

        @overload
        def __get__(self, instance: None, owner: type | None = None, /) -> Shared[T]: ...
        @overload
        def __get__(self, instance: Any, owner: type | None = None, /) -> T: ...
        def __get__(self, instance: Any, owner: type | None = None, /) -> T | Shared[T]: ...
        def __set__(self, instance: Any, value: T, /) -> None: ...

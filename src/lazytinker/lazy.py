"""Package re-exports that import the submodule holding a name when it is first asked for.

A package `__init__` that imported every submodule to re-export its names made the app's start-up
pay for classes its first screen never uses (a dataclass or a pydantic model costs about 1 ms to
create). With `lazy_exports` as the package's module `__getattr__` (PEP 562), `from package import
Name` still works everywhere and imports only the submodule that holds `Name`. The package lists
the same names in an `if TYPE_CHECKING:` import, so type checkers see them as before.

No other layer is imported here: every layer may use it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any


def lazy_exports(package: str, homes: Mapping[str, Sequence[str]]) -> Callable[[str], Any]:
    """A module `__getattr__` for `package`: each name of `homes[submodule]` is imported from
    `package.submodule` on first access, then kept in the package like an ordinary import."""
    where = {name: f"{package}.{home}" for home, names in homes.items() for name in names}
    namespace = vars(sys.modules[package])

    def __getattr__(name: str) -> Any:
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        # `__import__`, not `importlib.import_module`: the same machinery as an import
        # statement, so `python -X importtime` still reports the submodule.
        __import__(module)
        value = getattr(sys.modules[module], name)
        # Kept as a global: the next look-up does not come back here.
        namespace[name] = value
        return value

    return __getattr__

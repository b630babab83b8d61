"""The base class every stage subclasses: it owns the loop, the checks and the flag mode."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

from ..document import Document, Edit


@dataclass(frozen=True)
class NoParams:
    pass


class Stage:
    """A stage looks at text and returns edits; it never rewrites text itself.

    Subclasses set `name` and `Params` and implement `find`, their one decision method.
    """

    name: ClassVar[str] = ""
    Params: ClassVar[type] = NoParams

    def __init__(self, params: Any = None, mode: str = "apply"):
        self.params = params if params is not None else self.Params()
        self.mode = mode
        self._memo_of: tuple[str, str] | None = None
        self._memo: dict[str, Any] = {}

    def memo(self, doc: Document, key: str, new: Callable[[], Any]) -> Any:
        """Scratch space kept for one document across the pipeline's passes.

        A later pass sees mostly the same lines, so a stage may remember what it worked
        out for them; it is emptied when the next document comes, so it stays small.
        """
        if self._memo_of != (doc.id, doc.source):
            self._memo_of, self._memo = (doc.id, doc.source), {}
        if key not in self._memo:
            self._memo[key] = new()
        return self._memo[key]

    @classmethod
    def resolve(cls, params: Any, config_path: Path, extra_packs: tuple[Path, ...], lines: dict[str, int]) -> Any:
        """Turn parsed params into what the stage runs with (e.g. load rule files).

        `lines` maps each parameter to its line in the config file, for error messages.
        """
        return params

    def find(self, doc: Document, text: str) -> list[Edit]:
        raise NotImplementedError

    def run(self, doc: Document, text: str) -> tuple[Edit, ...]:
        found = self.find(doc, text)
        if not found:  # the common case: nothing to sort, check or turn into flags
            return ()
        edits = sorted(found, key=lambda e: (e.start, e.end))
        pos = 0
        for e in edits:
            if e.start < pos or e.end > len(text) or e.start > e.end:
                raise AssertionError(f"stage {self.name}: bad edit {e.rule} [{e.start}, {e.end}) in {doc.id}")
            pos = e.end if e.applied else pos
        if self.mode == "flag":
            edits = [replace(e, action="flag") for e in edits]
        return tuple(edits)

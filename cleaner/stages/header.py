"""Scraper residue at the top of a document (" date 2025-02-04 ...") -> metadata.

Each configured field is a pattern anchored at the start of the text with a group named
`value`; the match is removed and the value kept in the document's metadata.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import re2

from ..document import Document, Edit
from ..errors import ConfigError
from .base import Stage


@dataclass(frozen=True)
class Field:
    name: str
    pattern: str
    reason: str = "scraper residue at the top of the document"


@dataclass(frozen=True)
class HeaderParams:
    fields: tuple[Field, ...] = ()


class Header(Stage):
    name = "header"
    Params = HeaderParams

    @classmethod
    def resolve(
        cls, params: HeaderParams, config_path: Path, extra_packs: tuple[Path, ...], lines: dict[str, int]
    ) -> HeaderParams:
        for i, f in enumerate(params.fields):
            try:
                rx = re2.compile(f.pattern)
            except re2.error as exc:
                raise ConfigError(
                    config_path, lines.get("fields"), f"header.fields[{i}].pattern", f"bad RE2 regex: {exc}"
                ) from None
            if "value" not in rx.groupindex:
                raise ConfigError(
                    config_path, lines.get("fields"), f"header.fields[{i}].pattern", "needs a group named `value`"
                )
        return params

    def __init__(self, params: HeaderParams | None = None, mode: str = "apply"):
        super().__init__(params, mode)
        self.fields = [(f, re2.compile(f.pattern)) for f in self.params.fields]

    def find(self, doc: Document, text: str) -> list[Edit]:
        edits = []
        pos = 0
        found = True
        while found:  # fields may follow each other: " date 2025-02-04 author X ..."
            found = False
            for field, rx in self.fields:
                m = rx.match(text, pos)
                if m and m.end() > pos and m.end() < len(text):
                    edits.append(
                        Edit(pos, m.end(), f"header/{field.name}", field.reason, meta=((field.name, m.group("value")),))
                    )
                    pos = m.end()
                    found = True
        return edits

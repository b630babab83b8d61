"""The data that flows through the pipeline: small frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Action = Literal["remove", "replace", "flag"]


@dataclass(frozen=True, slots=True)
class Document:
    """One input document. `kind` tells a stage whether `text` is a page or plain text."""

    id: str
    text: str
    source: str = ""
    kind: Literal["text", "html"] = "text"
    url: str = ""  # the record's url field, when it has one (allow.yaml `domain:`)


@dataclass(frozen=True, slots=True)
class Edit:
    """A change to the span [start, end) of the text a stage was given.

    `action` is "remove" (replacement ""), "replace", or "flag" (recorded for review,
    not applied). `meta` carries values a stage lifted out of the text (header fields).
    """

    start: int
    end: int
    rule: str
    reason: str
    replacement: str = ""
    action: Action = "remove"
    score: float | None = None
    meta: tuple[tuple[str, str], ...] = ()

    def spanning(self, start: int, end: int) -> Edit:
        """The same edit over [start, end): dataclasses.replace, without its cost per call."""
        return Edit(start, end, self.rule, self.reason, self.replacement, self.action, self.score, self.meta)

    @property
    def applied(self) -> bool:
        return self.action != "flag"


@dataclass(frozen=True, slots=True)
class StageEdits:
    """The edits one stage returned; offsets are into that stage's input text."""

    stage: str
    edits: tuple[Edit, ...]


@dataclass(frozen=True, slots=True)
class Cleaned:
    """The result of cleaning one document, with every stage's edits kept for the audit."""

    doc: Document
    text: str
    steps: tuple[StageEdits, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)
    inputs: tuple[str, ...] = ()  # each step's input text, when the pipeline kept them (the audit's offsets)

    @property
    def edits(self) -> list[tuple[str, Edit]]:
        return [(s.stage, e) for s in self.steps for e in s.edits]


def apply_edits(text: str, edits: tuple[Edit, ...] | list[Edit]) -> str:
    """Apply the non-flag edits to `text`. Edits must not overlap."""
    active = sorted((e for e in edits if e.applied), key=lambda e: (e.start, e.end))
    if not active:
        return text
    parts: list[str] = []
    pos = 0
    for e in active:
        if e.start < pos or e.end > len(text) or e.start > e.end:
            raise ValueError(f"edit {e.rule} [{e.start}, {e.end}) overlaps or is out of range")
        parts.append(text[pos : e.start])
        parts.append(e.replacement)
        pos = e.end
    parts.append(text[pos:])
    return "".join(parts)

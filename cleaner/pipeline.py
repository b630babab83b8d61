"""Runs the stages in order, applies their edits, counts per-rule statistics."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from .config import Config, load_config
from .document import Cleaned, Document, StageEdits, apply_edits
from .stages import STAGES, Stage

MAX_PASSES = 3


class Pipeline:
    def __init__(self, config: Config | None = None):
        self.config = config or load_config()
        self.stages: list[Stage] = [
            STAGES[spec.name](spec.params, spec.mode) for spec in self.config.stages if spec.mode != "off"
        ]

    def clean(self, doc: Document) -> Cleaned:
        """Run the stages in order; repeat while a pass still removes something.

        One removal can expose another (an ad marker in front of the date residue, a
        double-escaped entity), so a document is passed again until nothing changes:
        cleaning a cleaned text is then a no-op. Most documents need one pass.

        A later pass stops at the last stage that changed the text in the pass before,
        unless it changed something itself: a stage after that one already saw this very
        text (nothing changed it since), so running it again would find nothing new.
        """
        text = doc.text
        steps = []
        inputs = []  # the text each step was given: the audit records its edits against it
        meta: dict[str, str] = {}
        seen = doc
        flagged: set[tuple[str, str]] = set()
        allow = self.config.allow or None  # its truth is worked out once, not per stage
        limit = len(self.stages)  # stages past this index saw the current text already
        for _ in range(MAX_PASSES):
            changed = False
            last = -1
            for i, stage in enumerate(self.stages):
                if i > limit and not changed:
                    break
                edits = stage.run(seen, text)
                if not edits:  # most stages find nothing; the filters below would keep nothing
                    continue
                if allow:
                    edits = allow.filter(doc, stage.name, text, edits)
                if flagged:  # a later pass sees the same doubtful text again; report it once
                    edits = tuple(e for e in edits if e.applied or (e.rule, text[e.start : e.end]) not in flagged)
                if not edits:
                    continue
                flagged.update((e.rule, text[e.start : e.end]) for e in edits if not e.applied)
                steps.append(StageEdits(stage.name, edits))
                inputs.append(text)
                new = apply_edits(text, edits)
                if new != text:
                    if stage.name != "whitespace":
                        changed = True
                        last = i
                    elif any(e.rule == "whitespace/line-endings" for e in edits):
                        last = i  # a lone \r ends a line for some stages and not others
                text = new
                for e in edits:
                    if e.applied:
                        meta.update(e.meta)
            if not changed:
                break
            limit = last
            if seen.kind != "text":
                seen = replace(doc, kind="text")  # after the first pass a page is text
        return Cleaned(doc=doc, text=text, steps=tuple(steps), meta=meta, inputs=tuple(inputs))


def replay(text: str, steps: list[StageEdits] | tuple[StageEdits, ...]) -> str:
    """Apply recorded edits, stage by stage: the audit's promise is that this gives the output."""
    for step in steps:
        text = apply_edits(text, step.edits)
    return text


@dataclass
class Stats:
    """Per-run counts: documents, and per rule the documents touched, edits and characters."""

    docs: int = 0
    failed: int = 0
    chars_in: int = 0
    chars_out: int = 0
    edits: Counter = field(default_factory=Counter)
    chars: Counter = field(default_factory=Counter)
    flagged: Counter = field(default_factory=Counter)
    docs_touched: Counter = field(default_factory=Counter)
    stage_chars: Counter = field(default_factory=Counter)

    def add(self, cleaned: Cleaned) -> None:
        self.docs += 1
        self.chars_in += len(cleaned.doc.text)
        self.chars_out += len(cleaned.text)
        touched = set()
        for stage, e in cleaned.edits:
            if e.applied:
                self.edits[e.rule] += 1
                self.chars[e.rule] += e.end - e.start - len(e.replacement)
                self.stage_chars[stage] += e.end - e.start - len(e.replacement)
            else:
                self.flagged[e.rule] += 1
            touched.add(e.rule)
        self.docs_touched.update(touched)

    def merge(self, other: Stats) -> None:
        """Add the counts of `other` (a worker's batch)."""
        self.docs += other.docs
        self.failed += other.failed
        self.chars_in += other.chars_in
        self.chars_out += other.chars_out
        for mine, theirs in (
            (self.edits, other.edits),
            (self.chars, other.chars),
            (self.flagged, other.flagged),
            (self.docs_touched, other.docs_touched),
            (self.stage_chars, other.stage_chars),
        ):
            for key, n in theirs.items():
                mine[key] += n  # not Counter.update's `+`, which drops counts of 0 and below

    def add_failure(self) -> None:
        self.docs += 1
        self.failed += 1

    def as_dict(self) -> dict:
        rules = sorted(set(self.edits) | set(self.flagged))
        return {
            "docs": self.docs,
            "failed": self.failed,
            "chars_in": self.chars_in,
            "chars_out": self.chars_out,
            "stages": dict(sorted(self.stage_chars.items())),
            "rules": {
                r: {
                    "docs": self.docs_touched[r],
                    "edits": self.edits[r],
                    "chars": self.chars[r],
                    "flagged": self.flagged[r],
                }
                for r in rules
            },
        }


_default: Pipeline | None = None


def clean(text: str, *, kind: str = "text") -> Cleaned:
    """Clean one text with the bundled config."""
    global _default
    if _default is None:
        _default = Pipeline()
    return _default.clean(Document(id="text", text=text, kind=kind))  # type: ignore[arg-type]

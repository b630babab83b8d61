"""A run's audit log regrouped for review: documents, their edits, and a view of each text.

The audit keeps every removed string but not the kept text, so the view of a document
reads its input again (a page's view starts from the text the html stage extracted,
which is in the audit). When the input is gone, a document is shown as its edits alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..audit import read_audit
from ..config import Fields
from ..errors import CleanerError

KEPT, REMOVED, INSERTED, FLAGGED = "kept", "removed", "inserted", "flagged"


@dataclass
class DocEntry:
    """One document of the run: its doc record and its edit records, in order."""

    record: dict
    edits: list[dict] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.record.get("doc") or self.record.get("source") or "")

    @property
    def source(self) -> str:
        return str(self.record.get("source") or "")

    @property
    def status(self) -> str:
        return str(self.record.get("status") or "")

    @property
    def base_chars(self) -> int:
        """Characters that entered the text stages: a page counts its extracted text."""
        for e in self.edits:
            if e.get("stage") == "html" and e.get("action") != "flag":
                return len(e.get("replacement") or "")
        return int(self.record.get("chars_in") or 0)

    @property
    def removed_chars(self) -> int:
        return sum(removed(e) for e in self.edits if e.get("stage") != "html")

    @property
    def removed_share(self) -> float:
        base = self.base_chars
        return self.removed_chars / base if base else 0.0

    @property
    def flags(self) -> list[dict]:
        return [e for e in self.edits if e.get("action") == "flag"]


def removed(edit: dict) -> int:
    """Characters an edit took out of the text (a flag takes none)."""
    if edit.get("action") == "flag":
        return 0
    if edit.get("text") is None:  # a page: its size is not in the audit
        return 0
    return max(0, len(edit["text"]) - len(edit.get("replacement") or ""))


@dataclass
class Run:
    header: dict
    docs: list[DocEntry]

    def find(self, key: str) -> DocEntry | None:
        return next((d for d in self.docs if key in (d.id, d.source)), None)


def load_run(path: Path) -> Run:
    """Read an audit log; the last run header wins, documents are kept in log order."""
    header: dict = {}
    docs = list(iter_docs(path, header))
    if not header and not docs:
        raise CleanerError(f"{path}: no audit records (is this an audit log?)")
    return Run(header, docs)


def iter_docs(path: Path, header: dict | None = None) -> Iterator[DocEntry]:
    """The documents of an audit log one at a time (memory stays flat on any size of log)."""
    pending: list[dict] = []
    for rec in read_audit(path):
        kind = rec.get("type")
        if kind == "run" and header is not None:
            header.clear()
            header.update(rec)
        elif kind == "edit":
            pending.append(rec)
        elif kind == "doc":
            yield DocEntry(rec, pending)
            pending = []


# --- the text of a document, with removed spans kept in place -----------------------------


Segment = tuple[str, str, int]  # text, kind (kept/removed/inserted/flagged), index of the edit or -1


def segments(text: str | None, edits: list[dict]) -> list[Segment] | None:
    """Lay a document's edits over its input: removed text stays visible, marked.

    Offsets in the audit are per step, into the text that step was given, so the edits
    are applied step by step over a list of segments whose live text (all but removed)
    is that step's input.
    """
    steps: list[list[tuple[int, dict]]] = []
    last = None
    for i, e in enumerate(edits):
        if e.get("stage") == "html" and e.get("action") != "flag":
            text = e.get("replacement") or ""  # a page: the view starts from the extracted text
            steps, last = [], None
            continue
        if e.get("step") != last or not steps:
            steps.append([])
            last = e.get("step")
        steps[-1].append((i, e))
    if text is None:
        return None
    segs: list[list] = [[text, KEPT, -1]]
    for step in steps:
        segs = _apply_step(segs, step)
    return [(s[0], s[1], s[2]) for s in segs if s[0]]


def _apply_step(segs: list[list], step: list[tuple[int, dict]]) -> list[list]:
    cuts = sorted({b for _, e in step for b in (e["start"], e["end"])})
    # 1. split the live segments at every edit boundary
    split: list[list] = []
    pos = 0
    for s in segs:
        if s[1] == REMOVED:
            split.append(s)
            continue
        start, end = pos, pos + len(s[0])
        inner = [c for c in cuts if start < c < end]
        prev = start
        for c in [*inner, end]:
            split.append([s[0][prev - start : c - start], s[1], s[2], prev, c])
            prev = c
        pos = end
    # 2. mark the pieces each edit covers; a replacement follows the last piece it covers
    applied = [(e["start"], e["end"], i, e) for i, e in step if e.get("action") != "flag"]
    flags = [(e["start"], e["end"], i) for i, e in step if e.get("action") == "flag"]
    inserted: set[int] = set()
    out: list[list] = []
    for piece in split:
        if piece[1] == REMOVED:
            out.append(piece)
            continue
        a, b = piece[3], piece[4]
        for s, t, i, e in applied:  # a pure insertion goes before the text at its offset
            if s == t == a and i not in inserted:
                out.append([e.get("replacement") or "", INSERTED, i])
                inserted.add(i)
        hit = next(((t, i, e) for s, t, i, e in applied if s <= a and b <= t and s < t), None)
        if hit is not None:
            t, i, e = hit
            out.append([piece[0], REMOVED, i])
            if b == t and e.get("replacement"):
                out.append([e["replacement"], INSERTED, i])
            continue
        flag = next((i for s, t, i in flags if s <= a and b <= t and s < t), None)
        out.append([piece[0], FLAGGED, flag] if flag is not None else piece[:3])
    for s, t, i, e in applied:  # insertions at the very end of the text
        if s == t and i not in inserted:
            out.append([e.get("replacement") or "", INSERTED, i])
    return out


def read_inputs(docs: Iterable[DocEntry], fields: Fields | None = None) -> dict[str, str]:
    """The input text of each document, by source, read once per input file."""
    from ..io import read_items

    fields = fields or Fields()
    wanted: dict[str, set[str]] = {}
    for d in docs:
        if any(e.get("stage") == "html" for e in d.edits) or not d.edits:
            continue  # a page's view needs no input; an untouched document needs no view
        path = _file_of(d.source)
        wanted.setdefault(path, set()).add(d.source)
    found: dict[str, str] = {}
    for path, sources in wanted.items():
        p = Path(path)
        if not p.is_file():
            continue
        for item in _items(p, path, fields, read_items):
            if item.doc is not None and item.source in sources:
                found[item.source] = item.doc.text
    return found


def _items(p: Path, source: str, fields: Fields, read_items) -> Iterator:  # type: ignore[no-untyped-def]
    try:
        yield from read_items(p, source, p.stem, fields)
    except (OSError, CleanerError):
        return


def _file_of(source: str) -> str:
    """`data/a.jsonl:17` names line 17 of a JSONL file; a text or page source is its path."""
    head, sep, tail = source.rpartition(":")
    if sep and tail.isdigit() and ".jsonl" in head:
        return head
    return source

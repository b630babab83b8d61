"""The audit log: JSONL, a header per run, a record per edit, a record per document.

Replaying a document's edit records, stage by stage, over its input gives its output.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

from . import __version__
from .document import Cleaned, Edit, StageEdits, apply_edits
from .errors import CleanerError
from .io.writers import AtomicFile

# The html stage replaces a whole page; the page stays in the input file, so the audit
# keeps its size instead of a copy.
OMIT_TEXT_STAGES = {"html"}


def header_record(config_hash: str, config_sources: tuple[str, ...], argv: list[str] | None = None) -> dict:
    return {
        "type": "run",
        "version": __version__,
        "config_hash": config_hash,
        "config": list(config_sources),
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "argv": argv or [],
    }


def edit_records(cleaned: Cleaned) -> Iterator[dict]:
    doc = cleaned.doc
    text = doc.text  # each stage's offsets are into the text it was given
    kept = len(cleaned.inputs) == len(cleaned.steps)
    for n, step in enumerate(cleaned.steps):
        if kept:
            text = cleaned.inputs[n]
        for e in step.edits:
            rec = {
                "type": "edit",
                "doc": doc.id,
                "source": doc.source,
                "stage": step.stage,
                "step": n,  # a stage can run again in a later pass; offsets are per step
                "rule": e.rule,
                "action": e.action,
                "start": e.start,
                "end": e.end,
                "text": None if step.stage in OMIT_TEXT_STAGES else text[e.start : e.end],
                "replacement": e.replacement,
                "score": e.score,
                "reason": e.reason,
            }
            if e.meta:
                rec["meta"] = dict(e.meta)
            yield rec
        if not kept:
            text = apply_edits(text, step.edits)


def doc_record(
    source: str,
    doc_id: str | None,
    *,
    status: str,
    chars_in: int = 0,
    chars_out: int = 0,
    output: str | None = None,
    error: str | None = None,
    meta: dict | None = None,
    notes: dict | None = None,
    url: str | None = None,
) -> dict:
    rec: dict[str, Any] = {
        "type": "doc",
        "doc": doc_id,
        "source": source,
        "status": status,
        "chars_in": chars_in,
        "chars_out": chars_out,
        "output": output,
        "error": error,
    }
    if url:
        rec["url"] = url
    if meta:
        rec["meta"] = meta
    if notes:
        rec["notes"] = notes
    return rec


class AuditWriter(AtomicFile):
    """Appends records to a temporary file; `commit` moves it into place."""

    def __init__(self, path: Path):
        super().__init__(path)
        self.fh = self.tmp.open("wb")

    def write(self, record: dict) -> None:
        self.fh.write(orjson.dumps(record) + b"\n")

    def commit(self) -> None:
        self._publish(self.fh)

    def abort(self) -> None:
        self.fh.close()
        super().abort()


def read_audit(path: Path) -> Iterator[dict]:
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise CleanerError(f"{path}: cannot read audit log: {exc.strerror or exc}") from None
    with fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                yield orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise CleanerError(f"{path}:{lineno}: not an audit record: {exc}") from None


@dataclass
class DocAudit:
    """One document's records, regrouped: its doc record and its edits by stage, in order."""

    doc: dict
    steps: list[StageEdits] = field(default_factory=list)


def group_by_doc(records: Iterator[dict]) -> Iterator[DocAudit]:
    """Edit records of a document come right before its doc record."""
    pending: list[dict] = []
    for rec in records:
        kind = rec.get("type")
        if kind == "edit":
            pending.append(rec)
        elif kind == "doc":
            steps: list[StageEdits] = []
            last_step = None
            for r in pending:
                edit = Edit(
                    r["start"],
                    r["end"],
                    r["rule"],
                    r.get("reason", ""),
                    replacement=r.get("replacement", ""),
                    action=r["action"],
                    score=r.get("score"),
                )
                if r.get("step") != last_step or not steps:
                    steps.append(StageEdits(r["stage"], (edit,)))
                    last_step = r.get("step")
                else:
                    steps[-1] = StageEdits(r["stage"], (*steps[-1].edits, edit))
            yield DocAudit(rec, steps)
            pending = []


@dataclass
class VerifyResult:
    checked: int = 0
    replayed: int = 0
    problems: list[str] = field(default_factory=list)


def verify(
    audit_path: Path, inputs: list[Path], out: Path, text_field: str = "text", id_field: str = "id"
) -> VerifyResult:
    """Replay every cleaned document's edits over its input and compare with its output."""
    from .config import Fields
    from .io import read_items
    from .pipeline import replay
    from .run import plan

    fields = Fields(text=text_field, id=id_field)
    docs = {d.doc["source"]: d for d in group_by_doc(read_audit(audit_path)) if d.doc.get("status") == "ok"}
    result = VerifyResult()
    for job in plan(inputs, out):
        outputs = _read_outputs(job.out, text_field)
        for item in read_items(job.path, job.source, job.doc_id, fields):
            if item.doc is None:
                continue
            entry = docs.pop(item.source, None)
            if entry is None:
                result.problems.append(f"{item.source}: no audit record for this document")
                continue
            result.checked += 1
            location = entry.doc.get("output") or ""
            expected = outputs.get(location)
            if expected is None:
                result.problems.append(f"{item.source}: output {location} not found")
                continue
            try:
                got = replay(item.doc.text, entry.steps)
            except ValueError as exc:
                result.problems.append(f"{item.source}: edits do not apply: {exc}")
                continue
            if got == expected:
                result.replayed += 1
            else:
                at = next(
                    (i for i, (a, b) in enumerate(zip(got, expected, strict=False)) if a != b),
                    min(len(got), len(expected)),
                )
                result.problems.append(f"{item.source}: replay differs from {location} at character {at}")
    for source in docs:
        result.problems.append(f"{source}: in the audit log but not among the inputs")
    return result


def _read_outputs(path: Path, text_field: str) -> dict[str, str]:
    from .io.readers import kind_of, open_lines

    if not path.exists():
        return {}
    if kind_of(path) != "jsonl":
        return {str(path): path.read_bytes().decode("utf-8")}
    found = {}
    with open_lines(path) as fh:
        for n, line in enumerate(fh, 1):
            found[f"{path}:{n}"] = orjson.loads(line)[text_field]
    return found

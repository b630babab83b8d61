"""The review list: documents whose removed share is over a threshold, beside the audit log.

Over-cleaning shows up as a document that lost much of its text; those go to a file a
person works through instead of passing silently.

A run works out each document's row as it writes it and keeps the rows over its threshold
with the input's audit part (state.py), so the list is made without reading the audit log
back: on a big corpus that log is many gigabytes. Up to KEEP rows go in the part's head;
past that, in a file beside the part (`Rows`), streamed, so memory stays bounded. A part
whose head has no rows (written by an older version), or rows for a higher threshold, is
read instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from ..io.writers import AtomicFile
from ..state import read_part_head
from .model import DocEntry, iter_docs

NAME = "review.jsonl"
REVIEW_OVER = 0.3  # the default threshold: documents with more than this share removed are listed
KEEP = 1000  # rows a part's head keeps at most (it is read on every incremental check); more go beside it

Row = dict[str, Any]


def write(audit_path: Path, over: float, parts: list[Path]) -> tuple[Path, int]:
    """Write `review.jsonl` beside the audit log, most removed first; return its path and how
    many documents it lists. `parts`: the run's audit parts, in log order."""
    rows = [row for p in parts for row in part_rows(p, over)]
    rows.sort(key=lambda r: -r["removed_share"])
    path = audit_path.with_name(NAME)
    tmp = path.with_name(NAME + ".tmp")
    with tmp.open("wb") as fh:
        for row in rows:
            fh.write(orjson.dumps(row) + b"\n")
    tmp.replace(path)
    return path, len(rows)


def row(doc: str, source: str, output: str | None, share: float, removed: int, rules: Iterable[str]) -> Row:
    return {
        "doc": doc,
        "source": source,
        "output": output,
        "removed_share": round(share, 4),
        "chars_removed": removed,
        "rules": sorted(set(rules)),
    }


def rows_path(part: Path) -> Path:
    return part.with_suffix(".review.jsonl")


class Rows:
    """The review rows of the part being written: in memory up to KEEP, then all of them in
    a file beside the part, published (atomically) just before it."""

    def __init__(self, part: Path, over: float):
        self.part = part
        self.over = over
        self.rows: list[tuple[float, Row]] = []  # (removed share, row)
        self.file: AtomicFile | None = None
        self.fh: Any = None

    def add(self, share: float, row: Row) -> None:
        if self.fh is not None:
            self.fh.write(orjson.dumps([share, row], option=orjson.OPT_APPEND_NEWLINE))
            return
        self.rows.append((share, row))
        if len(self.rows) > KEEP:  # too many for the head: all of them go to the file from now on
            self.file = AtomicFile(rows_path(self.part))
            self.fh = self.file.tmp.open("wb")
            for kept in self.rows:
                self.fh.write(orjson.dumps(kept, option=orjson.OPT_APPEND_NEWLINE))
            self.rows = []

    def publish(self) -> dict:
        """Publish the file, if any; returns what the part's head says of its rows."""
        if self.file is None:
            rows_path(self.part).unlink(missing_ok=True)  # one an earlier run left for this part
            return {"over": self.over, "rows": self.rows}
        self.file._publish(self.fh)
        return {"over": self.over, "file": self.file.path.name}

    def abort(self) -> None:
        if self.file is not None:
            self.fh.close()
            self.file.abort()


def part_rows(part: Path, over: float) -> list[Row]:
    """The rows of one committed part over `over`, in document order: from its head, or the
    file beside it, when they were kept for `over` or less, else from its records."""
    head = read_part_head(part)
    if head is None:
        return []  # not committed: the audit log leaves it out too
    kept = head.get("review")
    if isinstance(kept, dict) and isinstance(kept.get("over"), float | int) and kept["over"] <= over:
        if "file" not in kept:
            return [r for share, r in kept.get("rows", []) if share > over]
        try:
            with rows_path(part).open("rb") as fh:
                return [r for share, r in map(orjson.loads, fh) if share > over]
        except (OSError, orjson.JSONDecodeError, ValueError):
            pass  # gone or damaged: the records still say it all
    return record_rows(iter_docs(part), over)


def record_rows(docs: Iterable[DocEntry], over: float) -> list[Row]:
    """The rows of documents over `over`, in order, reckoned from their audit records."""
    rows: list[Row] = []
    for d in docs:
        if d.status == "ok" and d.removed_share > over:
            rules = (str(e.get("rule")) for e in d.edits if e.get("action") != "flag" and e.get("stage") != "html")
            rows.append(row(d.id, d.source, d.record.get("output"), d.removed_share, d.removed_chars, rules))
    return rows

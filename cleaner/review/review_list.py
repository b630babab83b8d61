"""The review list: documents whose removed share is over a threshold, beside the audit log.

Over-cleaning shows up as a document that lost much of its text; those go to a file a
person works through instead of passing silently.

A run works out each document's row as it writes it and keeps the rows over its threshold
in the audit part's head (state.py), so the list is made without reading the audit log
back: on a big corpus that log is many gigabytes. A part whose head has no rows (more than
KEEP, or written by an older version), or rows for a higher threshold, is read instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from ..state import read_part_head
from .model import DocEntry, iter_docs

NAME = "review.jsonl"
REVIEW_OVER = 0.3  # the default threshold: documents with more than this share removed are listed
KEEP = 1000  # rows a part's head keeps at most: it is read on every incremental check

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


def part_rows(part: Path, over: float) -> list[Row]:
    """The rows of one committed part over `over`, in document order: from its head when it
    kept them for `over` or less, else from its records."""
    head = read_part_head(part)
    if head is None:
        return []  # not committed: the audit log leaves it out too
    kept = head.get("review")
    if isinstance(kept, dict) and isinstance(kept.get("over"), float | int) and kept["over"] <= over:
        return [r for share, r in kept.get("rows", []) if share > over]
    return record_rows(iter_docs(part), over)


def record_rows(docs: Iterable[DocEntry], over: float) -> list[Row]:
    """The rows of documents over `over`, in order, reckoned from their audit records."""
    rows: list[Row] = []
    for d in docs:
        if d.status == "ok" and d.removed_share > over:
            rules = (str(e.get("rule")) for e in d.edits if e.get("action") != "flag" and e.get("stage") != "html")
            rows.append(row(d.id, d.source, d.record.get("output"), d.removed_share, d.removed_chars, rules))
    return rows

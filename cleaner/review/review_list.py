"""The review list: documents whose removed share is over a threshold, beside the audit log.

Over-cleaning shows up as a document that lost much of its text; those go to a file a
person works through instead of passing silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from .model import DocEntry, iter_docs

NAME = "review.jsonl"


def write(audit_path: Path, over: float) -> tuple[Path, int]:
    """Write `review.jsonl` beside the audit log; return its path and how many documents it lists."""
    rows = review_rows(iter_docs(audit_path), over)
    path = audit_path.with_name(NAME)
    tmp = path.with_name(NAME + ".tmp")
    with tmp.open("wb") as fh:
        for row in rows:
            fh.write(orjson.dumps(row) + b"\n")
    tmp.replace(path)
    return path, len(rows)


def review_rows(docs: Iterable[DocEntry], over: float) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for d in docs:
        if d.status == "ok" and d.removed_share > over:
            rules = sorted(
                {str(e.get("rule")) for e in d.edits if e.get("action") != "flag" and e.get("stage") != "html"}
            )
            rows.append(
                {
                    "doc": d.id,
                    "source": d.source,
                    "output": d.record.get("output"),
                    "removed_share": round(d.removed_share, 4),
                    "chars_removed": d.removed_chars,
                    "rules": rules,
                }
            )
    rows.sort(key=lambda r: -r["removed_share"])
    return rows

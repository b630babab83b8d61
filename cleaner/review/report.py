"""`cleaner audit report`: one self-contained HTML file to review a run in a browser.

Scraped text is hostile, so no document text is ever put into markup: the data travels
as JSON in a `<script type="application/json">` block (with `<`, `>` and `&` escaped) and
the page builds its DOM with `textContent`. No network: CSS and JS are inline.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import orjson

from .model import KEPT, DocEntry, Run, read_inputs, segments
from .summary import summarize


@dataclass(frozen=True)
class Choice:
    """Which documents the page carries in full, and why (said on the page)."""

    docs: list[DocEntry]
    note: str


def choose(run: Run, max_docs: int, over: float, seed: int = 0) -> Choice:
    """All documents when they fit; else flagged ones, then over-cleaning candidates, then a sample."""
    changed = [d for d in run.docs if d.edits or d.status != "ok"]
    unchanged = len(run.docs) - len(changed)
    if len(changed) <= max_docs:
        note = f"All {len(changed):,} documents with edits or errors are shown"
        return Choice(changed, note + (f"; {unchanged:,} unchanged documents are counted only." if unchanged else "."))
    first = [d for d in changed if d.flags or d.status != "ok" or d.removed_share > over]
    first.sort(key=lambda d: (d.status == "ok", not d.flags, -d.removed_share))
    first = first[:max_docs]
    taken = {id(d) for d in first}
    rest = [d for d in changed if id(d) not in taken]
    k = max_docs - len(first)
    sample = random.Random(seed).sample(rest, k) if k < len(rest) else rest
    order = {id(d): n for n, d in enumerate(run.docs)}
    shown = sorted([*first, *sample], key=lambda d: order[id(d)])
    note = (
        f"Sampled: {len(shown):,} of {len(changed):,} changed documents are shown: every failed or flagged "
        f"one and every one over {100 * over:.0f}% removed ({len(first):,}), then a random sample "
        f"(seed {seed}) of {len(sample):,} of the other {len(rest):,}. "
        f"The tables count all {len(run.docs):,} documents."
    )
    return Choice(shown, note)


def build(run: Run, *, max_docs: int = 2000, context: int = 300, over: float = 0.3, title: str = "") -> str:
    choice = choose(run, max_docs, over)
    inputs = read_inputs(choice.docs)
    summary = summarize(run, over=over, top=50, max_flags=5000)
    data = {
        "title": title,
        "note": choice.note,
        "summary": summary,
        "docs": [_doc(d, inputs.get(d.source), context) for d in choice.docs],
    }
    page = resources.files("cleaner.review").joinpath("report.html").read_text(encoding="utf-8")
    return page.replace("/*DATA*/{}", _json_for_script(data), 1)


def write(run: Run, out: Path, **kw) -> Path:  # type: ignore[no-untyped-def]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(build(run, **kw), encoding="utf-8")
    tmp.replace(out)
    return out


def _doc(d: DocEntry, text: str | None, context: int) -> dict:
    segs = segments(text, d.edits)
    return {
        "id": d.id,
        "source": d.source,
        "status": d.status,
        "error": d.record.get("error"),
        "share": round(d.removed_share, 4),
        "removed": d.removed_chars,
        "edits": [
            {k: e.get(k) for k in ("stage", "rule", "action", "score", "reason", "text", "replacement")}
            | ({"text": None} if e.get("stage") == "html" else {})
            for e in d.edits
        ],
        "segs": None if segs is None else [[_trim(t, context) if k == KEPT else t, k, i] for t, k, i in segs],
    }


def _trim(text: str, context: int) -> str:
    """Long kept stretches are cut to their ends: the page is about what was removed."""
    if context <= 0 or len(text) <= 2 * context + 40:
        return text
    return f"{text[:context]} […{len(text) - 2 * context:,} characters kept…] {text[-context:]}"


def _json_for_script(data: dict) -> str:
    raw = orjson.dumps(data).decode("utf-8")
    for a, b in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        raw = raw.replace(a, b)
    return raw

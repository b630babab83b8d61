"""What a run removed, per stage and rule, and where to look first."""

from __future__ import annotations

from collections import Counter, defaultdict

from .model import Run, removed

SHARE_BUCKETS = (0.0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0)


def summarize(run: Run, *, over: float = 0.3, top: int = 10, max_flags: int | None = None) -> dict:
    """The figures `audit summary` prints and the report shows on top; plain JSON types only."""
    total_in = sum(d.base_chars for d in run.docs)
    rules: dict[tuple[str, str], dict] = {}
    strings: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for d in run.docs:
        for e in d.edits:
            key = (str(e.get("stage")), str(e.get("rule")))
            row = rules.setdefault(
                key, {"stage": key[0], "rule": key[1], "docs": set(), "edits": 0, "chars": 0, "flagged": 0}
            )
            row["docs"].add(d.id)
            row["edits"] += 1
            row["chars"] += removed(e)
            row["flagged"] += e.get("action") == "flag"
            if e.get("text") is not None:
                strings[key][_short(e["text"])] += 1
    table = []
    for key, row in sorted(rules.items(), key=lambda kv: (-kv[1]["chars"], kv[0])):
        row["docs"] = len(row["docs"])
        row["share"] = row["chars"] / total_in if total_in else 0.0
        row["top_removed"] = [[s, n] for s, n in strings[key].most_common(3)]
        table.append(row)
    shares = [d.removed_share for d in run.docs if d.status == "ok"]
    buckets = []
    for lo, hi in zip(SHARE_BUCKETS, SHARE_BUCKETS[1:], strict=False):
        n = sum(1 for s in shares if (lo < s <= hi) or (lo == 0.0 and s == 0.0))
        buckets.append({"from": lo, "to": hi, "docs": n})
    over_docs = sorted((d for d in run.docs if d.removed_share > over), key=lambda d: -d.removed_share)
    flags = [
        {"doc": d.id, "source": d.source, **{k: e.get(k) for k in ("stage", "rule", "score", "reason", "text")}}
        for d in run.docs
        for e in d.flags
    ]
    failed = [{"doc": d.id, "source": d.source, "error": d.record.get("error")} for d in run.docs if d.status != "ok"]
    return {
        "run": {k: run.header.get(k) for k in ("version", "config_hash", "time")},
        "docs": len(run.docs),
        "failed": len(failed),
        "touched": sum(1 for d in run.docs if any(e.get("stage") != "html" for e in d.edits)),
        "chars_in": total_in,
        "chars_removed": sum(d.removed_chars for d in run.docs),
        "rules": table,
        "removed_share": buckets,
        "over": {"threshold": over, "docs": len(over_docs), "top": [_doc_row(d) for d in over_docs[:top]]},
        "flags": {"count": len(flags), "items": flags if max_flags is None else flags[:max_flags]},
        "failures": failed,
    }


def _doc_row(d) -> dict:  # type: ignore[no-untyped-def]
    return {"doc": d.id, "source": d.source, "share": round(d.removed_share, 4), "chars": d.removed_chars}


def _short(text: str, width: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"

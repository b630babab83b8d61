"""Rich tables and diffs for the terminal."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from .model import FLAGGED, INSERTED, REMOVED, DocEntry, segments

STAGE_STYLE = {
    "html": "magenta",
    "encoding": "cyan",
    "header": "blue",
    "phrases": "red",
    "repeated": "bright_red",
    "coherence": "yellow",
    "whitespace": "dim",
}


def print_summary(s: dict, console: Console, flags_shown: int = 20) -> None:
    console.print(
        f"[bold]{s['docs']:,} documents[/], {s['touched']:,} changed, {s['failed']:,} failed; "
        f"{s['chars_removed']:,} of {s['chars_in']:,} characters removed "
        f"({_pct(s['chars_removed'] / s['chars_in'] if s['chars_in'] else 0)})"
    )
    t = Table(title="Removed, by stage and rule", title_justify="left")
    for col in ("stage", "rule", "docs", "edits", "flagged", "chars", "share"):
        t.add_column(col, justify="left" if col in ("stage", "rule") else "right", no_wrap=True)
    t.add_column("most frequent removed", min_width=24)
    for r in s["rules"]:
        frequent = "\n".join(f"{n}× {_clip(text, 60)}" for text, n in r["top_removed"])
        t.add_row(
            Text(r["stage"], style=STAGE_STYLE.get(r["stage"], "")),
            r["rule"],
            f"{r['docs']:,}",
            f"{r['edits']:,}",
            f"{r['flagged']:,}",
            f"{r['chars']:,}",
            _pct(r["share"]),
            Text(frequent, overflow="ellipsis"),
        )
    console.print(t)
    d = Table(title="Share of each document removed", title_justify="left")
    d.add_column("share")
    d.add_column("documents", justify="right")
    for b in s["removed_share"]:
        label = f"{_pct(b['from'])} – {_pct(b['to'])}"
        d.add_row(label, f"{b['docs']:,}")
    console.print(d)
    over = s["over"]
    o = Table(
        title=f"{over['docs']:,} documents with more than {_pct(over['threshold'])} removed", title_justify="left"
    )
    for col in ("doc", "source", "share", "chars"):
        o.add_column(col)
    for row in over["top"]:
        o.add_row(row["doc"], row["source"], _pct(row["share"]), f"{row['chars']:,}")
    console.print(o)
    flags = s["flags"]
    f = Table(title=f"{flags['count']:,} flagged edits (doubtful, text kept)", title_justify="left")
    for col in ("doc", "rule", "score", "text"):
        f.add_column(col)
    for e in flags["items"][:flags_shown]:
        f.add_row(e["doc"], e["rule"], "" if e["score"] is None else f"{e['score']:.3f}", Text(_clip(e["text"] or "")))
    console.print(f)
    if flags["count"] > flags_shown:
        console.print(f"… and {flags['count'] - flags_shown:,} more flagged edits: `--flags N` or `--json` lists them")
    for fail in s["failures"]:
        console.print(Text(f"failed: {fail['source']}: {fail['error']}", style="yellow"))


def render_doc(doc: DocEntry, text: str | None) -> Text:
    """A document's text with removals struck through and coloured by stage, rule ids inline."""
    out = Text()
    out.append(f"{doc.id}  ({doc.source}, {doc.status}, {_pct(doc.removed_share)} removed)\n", style="bold")
    segs = segments(text, doc.edits)
    if segs is None:
        out.append("(input not readable; the edits alone)\n", style="dim")
        for e in doc.edits:
            out.append(f"[{e.get('rule')}] ", style=STAGE_STYLE.get(str(e.get("stage")), ""))
            out.append(repr(e.get("text")) + "\n", style="strike" if e.get("action") != "flag" else "underline")
        return out
    for piece, kind, i in segs:
        if i < 0:
            out.append(piece)
            continue
        e = doc.edits[i]
        colour = STAGE_STYLE.get(str(e.get("stage")), "")
        if kind == REMOVED:
            out.append(piece, style=f"strike {colour}")
            out.append(f"⟨{e.get('rule')}⟩", style=f"dim {colour}")
        elif kind == INSERTED:
            out.append(piece, style=f"bold {colour}")
        elif kind == FLAGGED:
            out.append(piece, style=f"underline {colour}")
            out.append(f"⟨flag {e.get('rule')} {e.get('score')}⟩", style=f"dim {colour}")
        else:
            out.append(piece)
    return out


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _clip(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"

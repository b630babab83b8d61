"""Compare cleaner with peer tools on the dev sets and write BENCHMARKS.md, section `quality`.

usage: python bench/compare.py [--data bench/data] [--write BENCHMARKS.md | --print]

Every tool is scored with the same in-package scorers as `cleaner eval`. Peers: trafilatura,
jusText and ftfy (base dependencies), datatrove's C4 line filter (extra `bench`:
pip install -e '.[bench]'; its rows are skipped when it is missing). One process, CPU only.
"""

from __future__ import annotations

import argparse
import html
import platform
import re
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

import ftfy
import justext
import trafilatura

from cleaner import load_config
from cleaner.evaluate import evaluate, load_set, score
from cleaner.evaluate.sets import LabelledSet

ROOT = Path(__file__).resolve().parent.parent
SECTION = "quality"
FAMILIES = ("ad", "ad_glued", "promo", "spam", "offtopic", "mojibake", "entities")


def as_paragraph_html(text: str) -> str:
    """Plain text as a page: each blank-line-separated paragraph in its own <p>."""
    pars = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    return "<html><body><article>" + "".join(f"<p>{html.escape(p)}</p>" for p in pars) + "</article></body></html>"


def traf(page: str, **options: bool) -> str:
    return trafilatura.extract(page, include_comments=False, include_tables=True, **options) or ""


def just(page: str | bytes) -> str:
    pars = justext.justext(page, justext.get_stoplist("English"))
    return "\n\n".join(p.text for p in pars if not p.is_boilerplate)


def c4_filter() -> Callable[[str], str] | None:
    """datatrove's C4QualityFilter with its defaults, run on a Document as datatrove runs it:
    it removes lines in place, or drops the whole document (then the output is empty)."""
    try:
        from datatrove.data import Document
        from datatrove.pipeline.filters import C4QualityFilter
    except ImportError:
        return None
    f = C4QualityFilter()

    def run(text: str) -> str:
        doc = Document(text=text, id="x")
        return doc.text if f.filter(doc) is True else ""

    return run


Tool = tuple[str, str, Callable[[str], str]]  # name, command shown in the table, function


def noisy_tools() -> list[Tool]:
    tools: list[Tool] = [
        (
            "trafilatura",
            "trafilatura.extract(as_paragraph_html(text), include_comments=False, include_tables=True)",
            lambda t: traf(as_paragraph_html(t)),
        ),
        (
            "jusText",
            'justext.justext(as_paragraph_html(text), get_stoplist("English")), non-boilerplate paragraphs',
            lambda t: just(as_paragraph_html(t)),
        ),
        ("ftfy alone", "ftfy.fix_text(text)", ftfy.fix_text),
    ]
    c4 = c4_filter()
    if c4:
        tools.append(
            (
                "ftfy + C4 filter",
                "C4QualityFilter().filter(Document(ftfy.fix_text(text)))",
                lambda t: c4(ftfy.fix_text(t)),
            )
        )
    return tools


def html_tools() -> list[Tool]:
    tools: list[Tool] = [
        ("trafilatura", "trafilatura.extract(page, include_comments=False, include_tables=True)", traf),
        (
            "trafilatura precision",
            "trafilatura.extract(page, include_comments=False, include_tables=True, favor_precision=True)",
            lambda p: traf(p, favor_precision=True),
        ),
        ("jusText", 'justext.justext(page, get_stoplist("English")), non-boilerplate paragraphs', just),
        (
            "trafilatura + ftfy",
            "ftfy.fix_text(trafilatura.extract(page, ...same options))",
            lambda p: ftfy.fix_text(traf(p)),
        ),
    ]
    c4 = c4_filter()
    if c4:
        tools.append(
            (
                "trafilatura + C4 filter",
                "C4QualityFilter().filter(Document(trafilatura.extract(page, ...)))",
                lambda p: c4(traf(p)),
            )
        )
    return tools


def measure(labelled: LabelledSet, tools: list[Tool]) -> list[tuple[str, str, dict, float]]:
    rows = []
    for name, command, fn in tools:
        started = time.monotonic()
        preds = {p.stem: fn(p.read_bytes().decode("utf-8", errors="replace")) for p in labelled.inputs}
        rows.append((name, command, score(labelled, preds), time.monotonic() - started))
        print(f"  {labelled.name}: {name} done", file=sys.stderr)
    started = time.monotonic()
    figures = evaluate(labelled, load_config()).figures
    rows.append(("cleaner", f"cleaner eval bench/data/{labelled.name}", figures, time.monotonic() - started))
    return rows


def fmt(v: float | None) -> str:
    return "–" if v is None else f"{v:.3f}"


def noisy_table(rows: list) -> list[str]:
    head = ["tool", "F1", "P", "R", "par_kept", "clean_exact", "exact", "noise_rm", *FAMILIES, "seconds"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for name, _, f, secs in rows:
        fam = f.get("noise_rm_by_family", {})
        cells = [f["F1"], f["P"], f["R"], f["par_kept"], f["clean_exact"], f["exact"], f.get("noise_rm")]
        cells += [fam.get(k) for k in FAMILIES]
        lines.append(f"| {name} | " + " | ".join(fmt(c) for c in cells) + f" | {secs:.1f} |")
    return lines


def html_table(rows: list) -> list[str]:
    lines = ["| tool | F1 | P | R | seconds |", "| --- | --- | --- | --- | --- |"]
    for name, _, f, secs in rows:
        lines.append(f"| {name} | {fmt(f['F1'])} | {fmt(f['P'])} | {fmt(f['R'])} | {secs:.1f} |")
    return lines


def commands(rows: list) -> list[str]:
    return [f"- {name}: `{command}`" for name, command, _, _ in rows]


def version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def section(noisy: list, pages: list, seconds: float) -> str:
    versions = ", ".join(
        f"{d} {version(d)}" for d in ("cleaner", "trafilatura", "justext", "ftfy", "datatrove", "spacy")
    )
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        "## Quality: cleaner and peer tools on the dev sets",
        "",
        f"Made by `python bench/compare.py` on {when} in {seconds:.0f} s ({platform.python_version()},",
        "one process; seconds are wall-clock per tool over the whole set, on a shared machine).",
        f"Versions: {versions}.",
        "Scored with cleaner's in-package scorers (`cleaner eval`; definitions in cleaner/evaluate/scoring.py,",
        "identical to ../shared/bench's). `as_paragraph_html` puts each blank-line-separated paragraph in a",
        "`<p>` (bench/compare.py). C4 filter: datatrove's `C4QualityFilter` with its defaults; a document it",
        "drops counts as an empty output. – : the figure does not apply.",
        "",
        "### noisy-dev: 65 plain-text news documents with injected noise",
        "",
        *noisy_table(noisy),
        "",
        *commands(noisy),
        "",
        "### html-dev: 65 real news pages, gold article bodies",
        "",
        *html_table(pages),
        "",
        *commands(pages),
    ]
    return "\n".join(out) + "\n"


def write_section(path: Path, body: str) -> None:
    """Replace only our own section of the file; create the file or the section if missing."""
    start, end = f"<!-- {SECTION}:start -->", f"<!-- {SECTION}:end -->"
    block = f"{start}\n{body}{end}\n"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end) + r"\n?", re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + block
    path.write_text(text, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=ROOT / "bench" / "data")
    ap.add_argument("--write", type=Path, default=ROOT / "BENCHMARKS.md")
    ap.add_argument("--print", action="store_true", help="print the section instead of writing it")
    args = ap.parse_args()
    started = time.monotonic()
    noisy = measure(load_set(args.data / "noisy-dev"), noisy_tools())
    pages = measure(load_set(args.data / "html-dev"), html_tools())
    body = section(noisy, pages, time.monotonic() - started)
    if args.print:
        print(body)
    else:
        write_section(args.write, body)
        print(f"wrote section {SECTION} of {args.write}", file=sys.stderr)


if __name__ == "__main__":
    main()

"""HTML extraction on html-dev, in process: F1/P/R overall and on even/odd pages, and time.

usage: python bench/html_tune.py [HTML_DEV_DIR]     (default ../shared/bench/html-dev)

Compares trafilatura alone (default settings, then favor_precision) with the html stage as
rules/pipeline.yaml configures it, each followed by the text stages. The even/odd halves
show whether a setting holds on pages it was not chosen on. Scoring is the bench scorer's.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import replace
from pathlib import Path

from cleaner.document import Document
from cleaner.pipeline import Pipeline
from cleaner.stages.html import HtmlParams

ROOT = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parents[2] / "shared/bench/html-dev")
sys.path.insert(0, str(ROOT.parent))
from score_noisy import prf  # noqa: E402


def run(pages: dict[str, str], params: HtmlParams | None) -> tuple[dict[str, str], float]:
    pipe = Pipeline()
    html = next(s for s in pipe.stages if s.name == "html")
    if params is not None:
        html.params = params
    t0 = time.perf_counter()
    extracted = {i: html.find(Document(i, page, kind="html"), page)[0].replacement for i, page in pages.items()}
    took = time.perf_counter() - t0
    pipe.stages = [s for s in pipe.stages if s.name != "html"]
    return {i: pipe.clean(Document(i, t)).text for i, t in extracted.items()}, took / len(pages)


def figures(gold: dict, out: dict[str, str], ids: list[str]) -> str:
    pr = [prf(gold[i]["articleBody"], out[i]) for i in ids]
    p = sum(x[0] for x in pr) / len(pr)
    r = sum(x[1] for x in pr) / len(pr)
    return f"F1 {2 * p * r / (p + r):.4f} P {p:.4f} R {r:.4f}"


def main() -> None:
    gold = json.loads((ROOT / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(gold)
    pages = {i: (ROOT / f"{i}.html").read_text(encoding="utf-8") for i in ids}
    plain = HtmlParams(include_tables=True, include_comments=False)
    for name, params in (
        ("trafilatura", plain),
        ("trafilatura precision", replace(plain, favor_precision=True)),
        ("pipeline.yaml", None),
    ):
        out, per_page = run(pages, params)
        print(f"{name:22s} all {figures(gold, out, ids)} | even {figures(gold, out, ids[0::2])}", end="")
        print(f" | odd {figures(gold, out, ids[1::2])} | {per_page * 1000:.0f} ms/page")


if __name__ == "__main__":
    main()

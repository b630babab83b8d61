"""Measure the review tools at 10,000 documents, and take the report screenshots for docs/.

    python bench/review_report.py [--docs 10000] [--workdir /tmp/cleaner-review-bench] [--no-shots]

1. Screenshots of the report on the seeds' run -> docs/report-documents.png, docs/report-flagged.png.
2. A corpus of DOCS documents made from bench/data/noisy-dev/noisy.jsonl (each copy made unique),
   cleaned with `cleaner run`, then: time of `cleaner audit summary --json`, time and size of
   `cleaner audit report`, and the report's load time in headless chromium (navigation start
   to the page's own "rendered" marker). Writes the `review` section of BENCHMARKS.md.
Needs chromium + chromedriver (apt) and selenium (the dev extra).
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from _common import chromium, write_section  # noqa: E402

CLEANER = [str(Path(sys.executable).parent / "cleaner")]


def sh(*args: str) -> tuple[float, str]:
    t = time.perf_counter()
    done = subprocess.run([*CLEANER, *args], capture_output=True, text=True, cwd=ROOT)
    if done.returncode not in (0, 1):
        sys.exit(f"cleaner {' '.join(args)} failed:\n{done.stderr}")
    return time.perf_counter() - t, done.stdout


def make_corpus(path: Path, n: int) -> int:
    records = [json.loads(x) for x in (ROOT / "bench/data/noisy-dev/noisy.jsonl").read_text().splitlines() if x]
    size = 0
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            r = records[i % len(records)]
            # a unique first line keeps copies apart without touching the noise
            text = f"Report {i} of the wire service.\n\n" + r["text"]
            line = json.dumps({"id": f"{r['id']}-{i}", "text": text}, ensure_ascii=False)
            fh.write(line + "\n")
            size += len(line) + 1
    return size


def load_time(d, page: Path) -> tuple[float, list]:  # type: ignore[no-untyped-def]
    from selenium.webdriver.support.ui import WebDriverWait

    t = time.perf_counter()
    d.get(page.as_uri())
    WebDriverWait(d, 120).until(lambda x: x.execute_script("return document.body.dataset.ready") == "1")
    wall = time.perf_counter() - t
    errors = [e for e in d.get_log("browser") if e["level"] == "SEVERE"]
    return wall, errors


SEARCH = "const s = document.getElementById('f-search'); s.value = arguments[0]; s.dispatchEvent(new Event('input'))"


def screenshots(work: Path) -> None:
    from selenium.webdriver.common.by import By

    out = work / "seeds-out"
    shutil.rmtree(out, ignore_errors=True)
    sh("run", "seeds", "--out", str(out), "-q")
    page = work / "seeds-report.html"
    sh("audit", "report", str(out / ".cleaner/audit.jsonl"), "--out", str(page))
    d = chromium()
    try:
        load_time(d, page)
        d.execute_script(SEARCH, "002")
        d.execute_script("document.querySelector('.controls').scrollIntoView()")
        (ROOT / "docs").mkdir(exist_ok=True)
        d.save_screenshot(str(ROOT / "docs/report-documents.png"))
        d.find_element(By.ID, "tab-flags").click()
        d.execute_script(SEARCH, "")
        d.execute_script("window.scrollTo(0, 0)")
        d.save_screenshot(str(ROOT / "docs/report-flagged.png"))
    finally:
        d.quit()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "cleaner-review-bench")
    ap.add_argument("--no-shots", action="store_true")
    a = ap.parse_args()
    work = a.workdir
    work.mkdir(parents=True, exist_ok=True)
    if not a.no_shots:
        screenshots(work)
    corpus = work / "corpus.jsonl"
    size = make_corpus(corpus, a.docs)
    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    t_run, _ = sh("run", str(corpus), "--out", str(out), "-q")
    audit = out / ".cleaner/audit.jsonl"
    t_sum, js = sh("audit", "summary", str(audit), "--json")
    summary = json.loads(js)
    page = work / "report.html"
    t_rep, _ = sh("audit", "report", str(audit), "--out", str(page))
    d = chromium()
    try:
        t_load, errors = load_time(d, page)
        t_load2, _ = load_time(d, page)
    finally:
        d.quit()
    rows = [
        ("documents in the run", f"{summary['docs']:,} ({size / 1e6:.0f} MB of JSONL)"),
        ("audit log", f"{audit.stat().st_size / 1e6:.1f} MB; `cleaner run` took {t_run:.0f} s"),
        ("`cleaner audit summary --json`", f"{t_sum:.1f} s"),
        ("`cleaner audit report`", f"{t_rep:.1f} s; report {page.stat().st_size / 1e6:.1f} MB"),
        (
            "report load in headless chromium (to rendered)",
            f"{t_load:.2f} s (again: {t_load2:.2f} s); console errors: {len(errors)}",
        ),
        ("flagged edits / over 30% removed", f"{summary['flags']['count']:,} / {summary['over']['docs']:,}"),
    ]
    lines = [
        "<!-- review:start -->",
        "## Review tools at 10,000 documents",
        "",
        f"Made by `python bench/review_report.py --docs {a.docs}` on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC "
        f"({platform.python_version()}, {platform.machine()}, one worker). The report carries at most 2,000 documents "
        "(every flagged or over-cleaned one, then a stated random sample); its tables count all of them.",
        "",
        "| what | measured |",
        "| --- | --- |",
        *[f"| {k} | {v} |" for k, v in rows],
        "<!-- review:end -->",
    ]
    write_section(ROOT / "BENCHMARKS.md", "review", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()

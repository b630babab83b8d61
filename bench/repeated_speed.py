"""Speed of repeated-line learning: the counting pass and the stage, in MB/s on one core.

    python bench/repeated_speed.py [--mb 40] [--write BENCHMARKS.md]

The corpus is bench/data/noisy-dev's inputs and the seeds, each copy given a distinct
topic word and a per-copy line so that copies are unrelated documents (the slow path:
every line is looked up and most copies add a signature) until `--mb` megabytes.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import write_section  # noqa: E402
from cleaner.document import Document  # noqa: E402
from cleaner.repeated_store import Store  # noqa: E402
from cleaner.stages.repeated import Repeated, RepeatedParams  # noqa: E402


def corpus(mb: float) -> list[str]:
    base = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "bench/data/noisy-dev/input").glob("*.txt"))]
    base += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    docs: list[str] = []
    size = 0
    i = 0
    while size < mb * 1e6:
        tag = "".join(chr(97 + int(d)) for d in str(i))
        text = f"{base[i % len(base)]}\n\nFiled under {tag} by desk {tag}.\n"
        docs.append(text)
        size += len(text.encode())
        i += 1
    return docs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=40.0)
    ap.add_argument("--write", type=Path)
    args = ap.parse_args()
    docs = corpus(args.mb)
    mb = sum(len(d.encode()) for d in docs) / 1e6
    store = Store()
    t = time.perf_counter()
    for d in docs:
        store.add_document(d)
    count_s = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "repeated.json"
        t = time.perf_counter()
        store.save(path)
        save_s = time.perf_counter() - t
        state_mb = path.stat().st_size / 1e6
        stage = Repeated(RepeatedParams(state=str(path)))
        t = time.perf_counter()
        stage.counts()
        load_s = time.perf_counter() - t
        t = time.perf_counter()
        for i, d in enumerate(docs):
            stage.run(Document(str(i), d), d)
        stage_s = time.perf_counter() - t
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    rows = [
        f"Made by `python bench/repeated_speed.py --mb {args.mb:g}` on {when}"
        f" (Python {platform.python_version()}, one process, a shared 2-core machine).",
        f"Corpus: {len(docs)} documents, {mb:.1f} MB; store after counting: {len(store.entries)} lines,"
        f" {store.pruned} pruned, state file {state_mb:.1f} MB.",
        "",
        "| step | seconds | MB/s |",
        "| --- | --- | --- |",
        f"| counting pass (Store.add_document) | {count_s:.2f} | {mb / count_s:.1f} |",
        f"| stage (Repeated.run, table loaded) | {stage_s:.2f} | {mb / stage_s:.1f} |",
        f"| save state / load state | {save_s:.2f} / {load_s:.2f} | – |",
    ]
    body = "<!-- repeated:start -->\n## Repeated-line learning: speed\n\n" + "\n".join(rows) + "\n<!-- repeated:end -->"
    print(body)
    if args.write:
        write_section(args.write, "repeated", body)


if __name__ == "__main__":
    main()

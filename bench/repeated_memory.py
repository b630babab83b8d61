"""Size of the repeated-line state at its cap, and what loading it costs.

    python bench/repeated_memory.py [--docs 19000]

Counts --docs synthetic unrelated documents (25 unique 16-word lines each, plus one shared
footer) into a store with the default cap (500,000 lines), saves it, then loads it in two
fresh processes: whole (what the counting pass of the next run does) and counted lines only
(what each cleaning worker does). Prints seconds, file size and peak resident memory.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cleaner.repeated_store import Store  # noqa: E402


def peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def build(n: int, path: Path) -> None:
    rng = random.Random(1)
    vocab = [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 10))) for _ in range(50_000)
    ]
    store = Store()
    t = time.perf_counter()
    for _ in range(n):
        topic = rng.sample(vocab, 40)
        lines = [" ".join(rng.choice(topic if rng.random() < 0.5 else vocab) for _ in range(16)) for _ in range(25)]
        store.add_document("\n\n".join(lines) + "\n\nCopyright Example Media Group all rights reserved\n")
    count_s = time.perf_counter() - t
    store.save(path)
    print(
        f"counted {n} documents in {count_s:.1f}s: {len(store.entries):,} lines, {store.pruned:,} pruned,"
        f" peak {peak_mb()} MB"
    )
    print(f"state file {path.stat().st_size / 1e6:.1f} MB")


def load(path: Path, counted_only: bool) -> None:
    t = time.perf_counter()
    store = Store.load(path, counted_only=counted_only)
    what = "counted lines only (a worker)" if counted_only else "whole (the counting pass)"
    print(f"load {what}: {time.perf_counter() - t:.2f}s, {len(store.entries):,} lines, peak {peak_mb()} MB")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=19_000)
    ap.add_argument("--build", type=Path)
    ap.add_argument("--load", type=Path)
    ap.add_argument("--counted-only", action="store_true")
    args = ap.parse_args()
    if args.build:
        build(args.docs, args.build)
    elif args.load:
        load(args.load, args.counted_only)
    else:  # each step in a fresh process, so that each peak is its own
        with tempfile.TemporaryDirectory() as tmp:
            path = str(Path(tmp) / "repeated.json")
            for step in (
                ["--build", path, "--docs", str(args.docs)],
                ["--load", path],
                ["--load", path, "--counted-only"],
            ):
                subprocess.run([sys.executable, __file__, *step], check=True)


if __name__ == "__main__":
    main()

"""Throughput and memory of `cleaner run`, side by side with ftfy and datatrove's C4 filter.

    python bench/speed.py [--mb 200] [--peer-mb 20] [--rounds 1] [--memory-gb 0] [--without-learning]
                          [--clean-text] [--gzip] [--workdir DIR]

The corpus is bench/data/noisy-dev/noisy.jsonl, each copy made unique (its copy
number after its first line and in its id), replicated to --mb megabytes of JSONL. In one
run, on that corpus:
- `ftfy.fix_text` and datatrove's `C4QualityFilter` over the records' text, in this process
  (one core), on the first --peer-mb MB (a rate: the peers are slow);
- `cleaner run` end to end (read, clean, write outputs and the audit log) with 1 and with
  2 workers, as a subprocess; MB/s is input bytes over wall time.
With --rounds N, those four are measured N times, in turn, and each figure is the median of
its rounds (each ratio is taken within its round first); every round's figure is listed too.
With --without-learning, also `cleaner run` with the `repeated` stage off (no counting
pass), 1 and 2 workers, and what that costs in quality (`cleaner eval` on noisy-dev, both
pipelines). With --clean-text, also a corpus of noisy-dev's gold texts (the same
documents without their noise) made the same way. With --gzip, also the corpus as one
`.jsonl.gz` shard (written at level 1), 1 and 2 workers: the output is gzipped too, by the
workers; MB/s is of the uncompressed input. The machine's own speed-up from 1 to 2
processes (a pure-Python loop, no I/O, measured just before and just after the two `cleaner
run`s) shows what a shared VM gives a second process at that time: the ceiling of the
cleaner's speed-up. With --memory-gb G, also a G GB corpus
with all workers, sampling the resident memory of the whole process tree (main + workers)
every 0.2 s. Writes the `speed` section of BENCHMARKS.md. Needs the bench extra (`pip install -e '.[bench]'`).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from _common import write_section  # noqa: E402

CLEANER = str(Path(sys.executable).parent / "cleaner")


def _numbered(text: str, n: int) -> str:
    """The text with its copy number after the first line: every copy unique, and no line
    that unrelated documents share (which repeated-line learning would rightly remove)."""
    first, sep, rest = text.partition("\n")
    return f"{first} [{n}]{sep}{rest}"


NOISY = ROOT / "bench/data/noisy-dev"


def noisy_records() -> list[dict]:
    return [json.loads(x) for x in (NOISY / "noisy.jsonl").read_text(encoding="utf-8").splitlines() if x]


def gold_records() -> list[dict]:
    """The same documents without their noise: what most of a real corpus looks like."""
    return [{"id": p.stem, "text": p.read_text(encoding="utf-8")} for p in sorted((NOISY / "gold").glob("*.txt"))]


def make_corpus(path: Path, megabytes: float, records: list[dict] | None = None) -> tuple[int, int]:
    records = records or noisy_records()
    size = n = 0
    with path.open("w", encoding="utf-8") as fh:
        while size < megabytes * 1e6:
            r = records[n % len(records)]
            line = json.dumps({"id": f"{r['id']}-{n}", "text": _numbered(r["text"], n)}, ensure_ascii=False)
            fh.write(line + "\n")
            size += len(line.encode("utf-8")) + 1
            n += 1
    return size, n


def texts(path: Path, megabytes: float) -> tuple[list[str], int]:
    out, size = [], 0
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            out.append(json.loads(line)["text"])
            size += len(line.encode("utf-8"))
            if size >= megabytes * 1e6:
                break
    return out, size


def rate(fn, items: list[str], size: int) -> float:  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    for x in items:
        fn(x)
    return size / (time.perf_counter() - t) / 1e6


def c4_filter():  # type: ignore[no-untyped-def]
    from datatrove.data import Document
    from datatrove.pipeline.filters import C4QualityFilter

    f = C4QualityFilter()
    return lambda text: f.filter(Document(text=text, id="x"))


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
            for task in Path(f"/proc/{p}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def clean(corpus: Path, out: Path, workers: int, sample: bool = False, config: Path | None = None) -> tuple[float, int]:
    shutil.rmtree(out, ignore_errors=True)
    t = time.perf_counter()
    extra = ["--config", str(config)] if config else []
    proc = subprocess.Popen([CLEANER, "run", str(corpus), "--out", str(out), "--workers", str(workers), "-q", *extra])
    peak = 0
    while proc.poll() is None:
        if sample:
            peak = max(peak, tree_rss(proc.pid))
        time.sleep(0.2)
    if proc.returncode:
        sys.exit(f"cleaner run failed with {proc.returncode}")
    return time.perf_counter() - t, peak


def one_and_two(corpus: Path, size: int, work: Path, name: str, detail: str) -> list[tuple[str, str]]:
    """Table rows for `corpus` (`size` bytes of input) cleaned with 1 and with 2 workers."""
    t1, _ = clean(corpus, work / "out1", 1)
    t2, _ = clean(corpus, work / "out2", 2)
    return [
        (f"{name} ({detail}): 1 worker", f"{size / t1 / 1e6:.2f} MB/s ({t1:.0f} s)"),
        (
            f"{name}: 2 workers",
            f"{size / t2 / 1e6:.2f} MB/s ({t2:.0f} s), {size / t2 / 2e6:.2f} per core, speed-up {t1 / t2:.2f}×",
        ),
    ]


def quality(config: Path | None = None) -> str:
    """noisy-dev's F1, noise removed and off-topic insertions removed (`cleaner eval`)."""
    extra = ["--config", str(config)] if config else []
    out = subprocess.run([CLEANER, "eval", str(NOISY), "--json", *extra], capture_output=True, text=True, check=True)
    got = json.loads(out.stdout)
    offtopic = got["noise_rm_by_family"]["offtopic"]
    return f"F1 {got['F1']:.4f}, noise removed {got['noise_rm']:.3f}, off-topic removed {offtopic:.2f}"


BURN = "\n".join(
    [
        "import time",
        "t = time.perf_counter()",
        "x = 0",
        "for i in range(10_000_000): x += i * i",
        "print(time.perf_counter() - t)",
    ]
)


def machine_speedup(procs: int = 2, rounds: int = 3) -> float:
    """How much more `procs` CPU-bound processes get done than one, on this machine now
    (the fastest of `rounds` rounds of each: a shared VM's speed jumps about)."""

    def one() -> float:
        return float(subprocess.run([sys.executable, "-c", BURN], capture_output=True, text=True, check=True).stdout)

    def together() -> float:
        t = time.perf_counter()
        running = [subprocess.Popen([sys.executable, "-c", BURN], stdout=subprocess.DEVNULL) for _ in range(procs)]
        for p in running:
            p.wait()
        return time.perf_counter() - t

    return procs * min(one() for _ in range(rounds)) / min(together() for _ in range(rounds))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=200)
    ap.add_argument("--peer-mb", type=float, default=20)
    ap.add_argument("--memory-gb", type=float, default=0)
    ap.add_argument(
        "--without-learning", action="store_true", help="also time the pipeline with the repeated stage off"
    )
    ap.add_argument(
        "--clean-text", action="store_true", help="also time a corpus of the same documents without their noise"
    )
    ap.add_argument("--gzip", action="store_true", help="also time the corpus as a .jsonl.gz shard")
    ap.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure ftfy, C4 and cleaner with 1 and 2 workers this many times, "
        "in turn; the medians are reported (a shared VM's speed jumps about)",
    )
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "cleaner-speed")
    a = ap.parse_args()
    work = a.workdir
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / "corpus.jsonl"
    size, n = make_corpus(corpus, a.mb)
    import ftfy

    sample, sample_size = texts(corpus, a.peer_mb)
    try:
        c4 = c4_filter()
    except ImportError:
        c4 = None
    machine_before = machine_speedup()
    runs = []  # per round: ftfy, C4 (MB/s), seconds with 1 and with 2 workers
    for _ in range(a.rounds):
        ftfy_rate = rate(ftfy.fix_text, sample, sample_size)
        c4_rate = rate(c4, sample, sample_size) if c4 else None
        secs1, _ = clean(corpus, work / "out1", 1)
        secs2, _ = clean(corpus, work / "out2", 2)
        runs.append((ftfy_rate, c4_rate, secs1, secs2))
    machine_after = machine_speedup()

    def med(values: list[float]) -> float:
        return statistics.median(values)

    def each(values: list[float], fmt: str) -> str:  # every round's figure, when there are several
        return f"; rounds: {' / '.join(format(v, fmt) for v in values)}" if len(values) > 1 else ""

    ftfys = [r[0] for r in runs]
    c4s = [r[1] for r in runs if r[1] is not None]
    r1s = [size / r[2] / 1e6 for r in runs]
    r2s = [size / r[3] / 1e6 for r in runs]
    vs_ftfy = [size / r[2] / 1e6 / r[0] for r in runs]  # each ratio within its own round
    vs_c4 = [size / r[2] / 1e6 / r[1] for r in runs if r[1]]
    ups = [r[2] / r[3] for r in runs]
    cores = os.cpu_count() or 1
    rows = [
        ("`ftfy.fix_text`, one core", f"{med(ftfys):.2f} MB/s (first {sample_size / 1e6:.0f} MB){each(ftfys, '.2f')}"),
        (
            "datatrove `C4QualityFilter`, one core",
            f"{med(c4s):.2f} MB/s (first {sample_size / 1e6:.0f} MB){each(c4s, '.2f')}"
            if c4s
            else "datatrove not installed (`pip install -e '.[bench]'`)",
        ),
        ("`cleaner run --workers 1`", f"{med(r1s):.2f} MB/s ({size / med(r1s) / 1e6:.0f} s){each(r1s, '.2f')}"),
        ("`cleaner run --workers 2`", f"{med(r2s):.2f} MB/s ({size / med(r2s) / 1e6:.0f} s){each(r2s, '.2f')}"),
        ("cleaner, 1 worker ÷ ftfy", f"{med(vs_ftfy):.2f}×{each(vs_ftfy, '.2f')}"),
        ("cleaner, 1 worker ÷ C4 filter", f"{med(vs_c4):.1f}×{each(vs_c4, '.1f')}" if vs_c4 else "–"),
        ("speed-up 1 → 2 workers", f"{med(ups):.2f}×{each(ups, '.2f')}"),
        (
            "this machine's own speed-up, 1 → 2 processes (before / after)",
            f"{machine_before:.2f}× / {machine_after:.2f}×",
        ),  # noqa: E501
        ("per core, 2 workers", f"{med(r2s) / 2:.2f} MB/s{each([r / 2 for r in r2s], '.2f')}"),
    ]
    if a.without_learning:  # the counting pass is the one cost a batch pays twice over its input
        bundled = (ROOT / "rules/pipeline.yaml").read_text(encoding="utf-8")
        config = work / "no-learning.yaml"
        config.write_text(bundled.replace("  - name: repeated", "  - name: repeated\n    mode: off", 1))
        n1, _ = clean(corpus, work / "out1", 1, config=config)
        n2, _ = clean(corpus, work / "out2", 2, config=config)
        rows += [
            ("`repeated` stage off: 1 worker", f"{size / n1 / 1e6:.2f} MB/s ({n1:.0f} s)"),
            ("`repeated` stage off: 2 workers", f"{size / n2 / 1e6:.2f} MB/s ({n2:.0f} s), speed-up {n1 / n2:.2f}×"),
            ("what the speed costs: noisy-dev with the bundled pipeline", quality()),
            ("what the speed costs: noisy-dev with the `repeated` stage off", quality(config)),
        ]
    if a.clean_text:
        plain = work / "clean.jsonl"
        plain_size, plain_n = make_corpus(plain, a.mb, gold_records())
        detail = f"{plain_size / 1e6:.0f} MB, {plain_n:,} docs: noisy-dev's gold"
        rows += one_and_two(plain, plain_size, work, "clean text", detail)
        plain.unlink()
    if a.gzip:
        shard = work / "corpus.jsonl.gz"
        with corpus.open("rb") as src, gzip.open(shard, "wb", compresslevel=1) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        rows += one_and_two(shard, size, work, "`.jsonl.gz` shard", f"{shard.stat().st_size / 1e6:.0f} MB gzipped")
        shard.unlink()
    if a.memory_gb:
        big = work / "big.jsonl"
        big_size, big_n = make_corpus(big, a.memory_gb * 1000)
        secs, peak = clean(big, work / "out-big", cores, sample=True)
        rows.append(
            (
                f"peak memory, {big_size / 1e9:.1f} GB JSONL ({big_n:,} docs), {cores} workers",
                f"{peak / 1e6:,.0f} MB resident, main + workers ({big_size / secs / 1e6:.2f} MB/s)",
            )
        )
        big.unlink()
    versions = ", ".join(f"{p} {version(p)}" for p in ("cleaner", "ftfy", "trafilatura", "datatrove") if _has(p))
    lines = [
        "<!-- speed:start -->",
        "## Speed and memory",
        "",
        f"Made by `python bench/speed.py --mb {a.mb:g} --peer-mb {a.peer_mb:g}"
        + (f" --rounds {a.rounds}" if a.rounds > 1 else "")
        + (f" --memory-gb {a.memory_gb:g}" if a.memory_gb else "")
        + (" --without-learning" if a.without_learning else "")
        + (" --clean-text" if a.clean_text else "")
        + (" --gzip" if a.gzip else "")
        + f"` on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC: {platform.machine()}, {cores} cores, "
        f"Python {platform.python_version()}; {versions}. Corpus: noisy-dev records made unique and "
        f"replicated to {size / 1e6:.0f} MB of JSONL ({n:,} documents). `cleaner run` is end to end (read, "
        "clean, write outputs and the audit log); the peers run in one process on the first "
        f"{sample_size / 1e6:.0f} MB of the same corpus.",
        "",
        "| what | measured |",
        "| --- | --- |",
        *[f"| {k} | {v} |" for k, v in rows],
        "<!-- speed:end -->",
    ]
    write_section(ROOT / "BENCHMARKS.md", "speed", "\n".join(lines))
    print("\n".join(lines))
    corpus.unlink()


def _has(pkg: str) -> bool:
    try:
        version(pkg)
    except Exception:  # noqa: BLE001 - PackageNotFoundError
        return False
    return True


if __name__ == "__main__":
    main()

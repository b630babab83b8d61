"""The Ray engine against the local engine, on the same corpus, side by side in one run.

    python bench/ray_speed.py [--mb 200] [--workdir DIR]

The corpus is bench/speed.py's: noisy-dev records made unique and replicated to --mb MB of
JSONL. It is cleaned three times, each end to end as a user runs it (wall time of the whole
command, the start of Ray included where the run starts it):
- the local engine, 2 worker processes;
- `--engine ray --workers 2`: a new local Ray of 2 CPUs, started by the run;
- `--engine ray --address ...`: a two-node cluster on this machine (`ray start --head`, then
  a second node joining it, one CPU each), started before the run as a cluster would be.
Each Ray run's outputs and audit (its run header aside) are compared byte for byte with the
local run's. Writes the `ray` section of BENCHMARKS.md. Needs the ray extra.
"""

from __future__ import annotations

import argparse
import filecmp
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from _common import ray_cluster, write_section  # noqa: E402
from speed import CLEANER, make_corpus  # noqa: E402


def clean(corpus: Path, out: Path, *args: str) -> tuple[float, float]:
    """Wall seconds, and CPU seconds of the `cleaner` process and its children: with
    --address, the nodes' processes are not its children, so that is the main process alone."""
    shutil.rmtree(out, ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    done = subprocess.run([CLEANER, "run", str(corpus), "--out", str(out), "-q", *args])
    if done.returncode:
        sys.exit(f"cleaner run {' '.join(args)} failed with {done.returncode}")
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def audit_body(out: Path) -> list[str]:
    """The audit's records but its run header, with this run's folder taken out of the paths."""
    lines = (out / ".cleaner" / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    return [x.replace(str(out), "OUT") for x in lines if not x.startswith('{"type":"run"')]


def same(a: Path, b: Path) -> bool:
    outputs = sorted(p.name for p in a.iterdir() if p.is_file())
    match, bad, errors = filecmp.cmpfiles(a, b, outputs, shallow=False)
    return not bad and not errors and audit_body(a) == audit_body(b)


def ray_start_seconds() -> float:
    """Starting and stopping a local Ray of 2 CPUs, alone: the fixed part of the overhead."""
    code = "import ray; ray.init(address='local', num_cpus=2, include_dashboard=False); ray.shutdown()"
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=float, default=200)
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "cleaner-ray-speed")
    a = ap.parse_args()
    work = a.workdir
    work.mkdir(parents=True, exist_ok=True)
    corpus = work / "corpus.jsonl"
    size, n = make_corpus(corpus, a.mb)
    local, _ = clean(corpus, work / "local", "--workers", "2")
    new_ray, _ = clean(corpus, work / "ray", "--engine", "ray", "--workers", "2")
    same_new = same(work / "local", work / "ray")
    with ray_cluster(nodes=2, cpus=1) as address:
        two, main_cpu = clean(corpus, work / "two", "--engine", "ray", "--address", address)
    same_two = same(work / "local", work / "two")
    start = ray_start_seconds()
    mb = size / 1e6

    def row(what: str, secs: float, equal: bool | None) -> str:
        over = "" if equal is None else f"{(secs / local - 1) * 100:+.1f}%"
        eq = "" if equal is None else ("yes" if equal else "**NO**")
        return f"| {what} | {secs:.1f} s | {mb / secs:.2f} MB/s | {over} | {eq} |"

    lines = [
        "<!-- ray:start -->",
        "## The Ray engine against the local engine",
        "",
        f"Made by `python bench/ray_speed.py --mb {a.mb:g}` on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC: "
        f"{platform.machine()}, 2 cores, Python {platform.python_version()}; cleaner {version('cleaner')}, "
        f"ray {version('ray')}. Corpus: noisy-dev records made unique and replicated to {mb:.0f} MB of JSONL "
        f"({n:,} documents), as in `speed`. Wall time of the whole `cleaner run` (counting pass and cleaning, "
        'outputs and audit written); "same": outputs byte for byte and audit records equal to the local run\'s.',
        "",
        "| run | time | throughput | vs local | same |",
        "| --- | --- | --- | --- | --- |",
        row("local engine, `--workers 2`", local, None),
        row("`--engine ray --workers 2` (starts a local Ray)", new_ray, same_new),
        row("`--engine ray --address` two-node cluster (1 CPU each)", two, same_two),
        "",
        f"Starting and stopping a local Ray, measured apart, takes {start:.1f} s: paid once per run, "
        "so its share falls as the corpus grows. A Ray batch is 8 times a local one (256 documents to "
        "clean, 512 to count): a task costs milliseconds.",
        "",
        f"The main process (it reads, merges the counts, orders and writes) used {main_cpu:.1f} s of CPU "
        f"in the two-node run, start-up included: it keeps up with {mb / main_cpu:.0f} MB/s, about "
        f"{mb / main_cpu / (mb / two / 2):.0f} worker CPUs at this run's {mb / two / 2:.1f} MB/s per CPU. "
        "A bigger cluster needs the corpus split over several runs (README, On a Ray cluster).",
        "<!-- ray:end -->",
    ]
    write_section(ROOT / "BENCHMARKS.md", "ray", "\n".join(lines))
    print("\n".join(lines))
    corpus.unlink()
    if not (same_new and same_two):
        sys.exit("a Ray run differs from the local run")


if __name__ == "__main__":
    main()

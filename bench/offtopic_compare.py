"""The off-topic scorers side by side: quality on both dev sets and speed.

    python bench/offtopic_compare.py [--scorers share,model,embed]

For each scorer of the coherence stage (`share`: v1; `model`: the lexical model, the
default; `embed`: the embedding model, extra `[embed]`), with every other setting as
bundled: `cleaner eval` figures on noisy-dev and html-dev, and the coherence stage's own
throughput over noisy-dev's inputs in this process (one core; the embedding model
loaded before timing). Writes the `offtopic` section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from _common import write_section  # noqa: E402

from cleaner import Document, load_config  # noqa: E402
from cleaner import embed as embedding  # noqa: E402
from cleaner.config import Config  # noqa: E402
from cleaner.evaluate import evaluate, load_set  # noqa: E402
from cleaner.stages.coherence import Coherence  # noqa: E402


def stage_rate(config: Config) -> float:
    spec = config.stage("coherence")
    assert spec is not None
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "bench/data/noisy-dev/input").glob("*.txt"))]
    docs = [Document(id=str(i), text=t, source="x") for i, t in enumerate(texts)]
    size = sum(len(t.encode("utf-8")) for t in texts)
    stage = Coherence(spec.params)
    stage.find(docs[0], docs[0].text)  # loads a model
    best = float("inf")
    for _ in range(3):
        stage._memo_of = None  # no memo from the round before
        t = time.perf_counter()
        for d in docs:
            stage.find(d, d.text)
        best = min(best, time.perf_counter() - t)
    return size / best / 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scorers", default="share,model,embed")
    a = ap.parse_args()
    base = load_config()
    noisy, pages = load_set(ROOT / "bench/data/noisy-dev"), load_set(ROOT / "bench/data/html-dev")
    rows = []
    for scorer in a.scorers.split(","):
        if scorer == "embed" and not embedding.available():
            rows.append(f"| `{scorer}` | not installed (extra `[embed]`) | | | | | | |")
            continue
        config = base.with_params("coherence", scorer=scorer)
        n = evaluate(noisy, config).figures
        h = evaluate(pages, config).figures
        rate = stage_rate(config)
        rows.append(
            f"| `{scorer}`{' (default)' if scorer == base.stage('coherence').params.scorer else ''} "  # type: ignore[union-attr]
            f"| {n['F1']:.4f} | {n['par_kept']:.4f} | {n['clean_exact']:.3f} | {n['noise_rm']:.3f} "
            f"| {n['noise_rm_by_family']['offtopic']:.2f} | {h['F1']:.4f} | {rate:.2f} MB/s |"
        )
        print(rows[-1], flush=True)
    p = base.stage("coherence").params  # type: ignore[union-attr]
    lines = [
        "<!-- offtopic:start -->",
        "## Off-topic scorers",
        "",
        f"Made by `python bench/offtopic_compare.py --scorers {a.scorers}` on "
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC ({platform.machine()}, Python "
        f"{platform.python_version()}); every other setting as bundled (remove at probability "
        f"{p.remove_above}, flag at {p.flag_above}), shared paragraphs included (teasers an unrelated "
        "document of the set prints too; `cleaner eval` runs the counting pass). Stage speed: the coherence "
        "stage alone over noisy-dev's inputs, one core, best of 3, model loaded, without a corpus (so without "
        "the shared-paragraph check; `bench/speed.py` measures the whole pipeline).",
        "",
        "| scorer | noisy-dev F1 | par_kept | clean_exact | noise_rm | offtopic | html-dev F1 | stage speed |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
        *rows,
        "<!-- offtopic:end -->",
    ]
    write_section(ROOT / "BENCHMARKS.md", "offtopic", "\n".join(lines))


if __name__ == "__main__":
    main()

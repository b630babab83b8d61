"""Ad markers and spam no pack names: how much of them the learned mechanisms still remove.

    python bench/novel_markers.py [--workdir DIR]

The project is judged on held-out documents whose ad markers are not in the dev data. This
builds noisy-dev again with each of its four ad markers (on their own line, family `ad`, and
glued to the next paragraph, `ad_glued`) swapped for a marker of the same shape that no
bundled pack names, then runs `cleaner eval` on it: what is still removed is removed by
repeated-line learning (a line many unrelated documents print, and its glued copies), not by
a list. The four markers were written once, before any measurement, and nothing was tuned on
them. A second set swaps the two spam leads (family `spam`, "slot gacor But it is...") for
two no pack names, the first pair tried (two more pairs, "cheap pills"/"bet777 bonus" and
"crypto gains"/"hoki99 login", gave the same figures). Writes the `novel-markers` section of
BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from _common import write_section  # noqa: E402

CLEANER = str(Path(sys.executable).parent / "cleaner")
DEV = ROOT / "bench/data/noisy-dev"
SWAP = {
    "Story continues below advertisement": "The report resumes after this sponsor message",
    "Article continues after this advertisement": "Our partners keep this page free to read",
    "Advertisement - Scroll to continue": "Sponsor message - keep scrolling",
    "ADVERTISEMENT": "PARTNER SPOT",
}
SPAM_SWAP = {"slot gacor": "zorbex spin", "mentos4d slot": "kilat77 max"}


def build(folder: Path, swap: dict[str, str] = SWAP, families: tuple[str, ...] = ("ad", "ad_glued")) -> int:
    """noisy-dev with the noise of `families` swapped (input/, gold/, noisy.jsonl); returns how
    many insertions were."""
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "input").mkdir(parents=True)
    shutil.copytree(DEV / "gold", folder / "gold")
    records, swapped = [], 0
    for line in (DEV / "noisy.jsonl").read_text(encoding="utf-8").splitlines():
        r = json.loads(line)
        raw = (DEV / "input" / f"{r['id']}.txt").read_bytes().decode("utf-8")
        for noise in r["noise"]:
            new = swap.get(noise["text"]) if noise["family"] in families else None
            if new:
                raw, r["text"], noise["text"] = (
                    raw.replace(noise["text"], new),
                    r["text"].replace(noise["text"], new),
                    new,
                )
                swapped += 1
        (folder / "input" / f"{r['id']}.txt").write_bytes(raw.encode("utf-8"))
        records.append(json.dumps(r, ensure_ascii=False))
    (folder / "noisy.jsonl").write_text("\n".join(records) + "\n", encoding="utf-8")
    return swapped


def evaluate(folder: Path) -> dict:
    out = subprocess.run([CLEANER, "eval", str(folder), "--json"], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "cleaner-novel-markers")
    a = ap.parse_args()
    folder = a.workdir / "novel-markers"
    swapped = build(folder)
    rows = [("noisy-dev", evaluate(DEV)), ("noisy-dev, ad markers swapped", evaluate(folder))]
    spam_folder = a.workdir / "novel-spam"
    spam_swapped = build(spam_folder, SPAM_SWAP, ("spam",))
    rows.append(("noisy-dev, spam leads swapped", evaluate(spam_folder)))
    fams = ("ad", "ad_glued", "spam")
    lines = [
        "<!-- novel-markers:start -->",
        "## Ad markers and spam no pack names",
        "",
        f"Made by `python bench/novel_markers.py` on {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC. noisy-dev with "
        f"its four ad markers swapped ({swapped} insertions, on their own line or glued to the next paragraph) for "
        "markers of the same shape no bundled pack names: "
        + "; ".join(f"“{old}” → “{new}”" for old, new in SWAP.items())
        + f". Then, apart, its two spam leads swapped ({spam_swapped} insertions, set before a paragraph): "
        + "; ".join(f"“{old}” → “{new}”" for old, new in SPAM_SWAP.items())
        + ". What is still removed, repeated-line learning removed.",
        "",
        "| set | F1 | noise_rm | " + " | ".join(fams) + " | exact |",
        "| --- | --- | --- | " + " | ".join("---" for _ in fams) + " | --- |",
        *[
            f"| {name} | {r['F1']:.4f} | {r['noise_rm']:.3f} | "
            + " | ".join(f"{r['noise_rm_by_family'][f]:.3f}" for f in fams)
            + f" | {r['exact']:.3f} |"
            for name, r in rows
        ],
        "<!-- novel-markers:end -->",
    ]
    write_section(ROOT / "BENCHMARKS.md", "novel-markers", "\n".join(lines))
    print("\n".join(lines))
    shutil.rmtree(folder, ignore_errors=True)
    shutil.rmtree(spam_folder, ignore_errors=True)


if __name__ == "__main__":
    main()

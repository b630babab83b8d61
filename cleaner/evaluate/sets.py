"""Labelled sets on disk: find the layout, read inputs and gold, name what is missing.

Two layouts (those of ../shared/bench):
  noisy text   DIR/input/ID.txt and DIR/gold/ID.txt, optionally DIR/noisy.jsonl with one
               record per document: {"id": ..., "noise": [{"family": ..., "text": ...}]}
  HTML pages   DIR/ID.html (or .htm) and DIR/ground-truth.json: {ID: {"articleBody": ...}}
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from .scoring import Noise, Sample

LAYOUTS = "input/ and gold/ (noisy text set) or ground-truth.json (HTML set)"


@dataclass(frozen=True)
class LabelledSet:
    name: str
    kind: str  # "noisy" or "html"
    inputs: tuple[Path, ...]  # the files to clean, one per document, sorted by id
    samples: tuple[Sample, ...] = ()  # noisy sets
    gold: tuple[tuple[str, str], ...] = ()  # html sets: (id, article body)
    unscored: tuple[str, ...] = ()  # html pages with no gold entry, not cleaned


def _text(path: Path) -> str:
    # Bytes decoded as-is: the scorers compare exact text, CRLF included.
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None


def _more(missing: list[str]) -> str:
    return f" and {len(missing) - 1} more" if len(missing) > 1 else ""


def load_set(folder: Path) -> LabelledSet:
    """Read a labelled set, detecting its layout. Raises InputError naming what is missing."""
    if not folder.is_dir():
        raise InputError(f"{folder}: no such folder (a labelled set is a folder with {LAYOUTS})")
    if (folder / "input").exists() or (folder / "gold").exists():
        return _noisy(folder)
    if (folder / "ground-truth.json").exists():
        return _html(folder)
    raise InputError(f"{folder}: not a labelled set: expected {LAYOUTS}")


def _noisy(folder: Path) -> LabelledSet:
    for sub in ("input", "gold"):
        if not (folder / sub).is_dir():
            raise InputError(f"{folder / sub}: missing; a noisy text set needs input/ID.txt and gold/ID.txt")
    inputs = {p.stem: p for p in (folder / "input").glob("*.txt")}
    golds = {p.stem: p for p in (folder / "gold").glob("*.txt")}
    if not inputs:
        raise InputError(f"{folder / 'input'}: no .txt files")
    if no_gold := sorted(inputs.keys() - golds.keys()):
        i = no_gold[0]
        raise InputError(f"{folder / 'gold' / (i + '.txt')}: missing (the gold for {inputs[i]}){_more(no_gold)}")
    if no_input := sorted(golds.keys() - inputs.keys()):
        i = no_input[0]
        raise InputError(f"{folder / 'input' / (i + '.txt')}: missing (the input for {golds[i]}){_more(no_input)}")
    noise = _noise_labels(folder / "noisy.jsonl", set(inputs)) if (folder / "noisy.jsonl").exists() else None
    samples = tuple(
        Sample(i, _text(inputs[i]), _text(golds[i]), noise[i] if noise is not None else None) for i in sorted(inputs)
    )
    return LabelledSet(folder.name, "noisy", tuple(inputs[i] for i in sorted(inputs)), samples=samples)


def _noise_labels(path: Path, ids: set[str]) -> dict[str, tuple[Noise, ...]]:
    labels: dict[str, tuple[Noise, ...]] = {}
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                doc_id = rec["id"]
                noise = tuple(Noise(str(x["family"]), str(x.get("text") or "")) for x in rec.get("noise") or ())
            except (ValueError, KeyError, TypeError) as exc:
                raise InputError(f"{path}:{n}: not a noise record ({type(exc).__name__}: {exc})") from None
            if doc_id not in ids:
                raise InputError(f"{path}:{n}: id {doc_id!r} has no input/{doc_id}.txt")
            labels[doc_id] = noise
    if unlabelled := sorted(ids - labels.keys()):
        raise InputError(f"{path}: no record for {unlabelled[0]} (input/{unlabelled[0]}.txt){_more(unlabelled)}")
    return labels


def _html(folder: Path) -> LabelledSet:
    path = folder / "ground-truth.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    if not isinstance(data, dict) or not data:
        raise InputError(f'{path}: expected a non-empty object {{ID: {{"articleBody": ...}}}}')
    pages = {p.stem: p for p in folder.iterdir() if p.suffix.lower() in (".html", ".htm") and p.is_file()}
    gold: list[tuple[str, str]] = []
    for i, entry in sorted(data.items()):
        body = entry.get("articleBody") if isinstance(entry, dict) else None
        if not isinstance(body, str):
            raise InputError(f"{path}: {i}: no articleBody text")
        if i not in pages:
            raise InputError(f"{folder / (i + '.html')}: missing (the page for {i} in {path.name})")
        gold.append((i, body))
    inputs = tuple(pages[i] for i, _ in gold)
    unscored = tuple(sorted(pages.keys() - data.keys()))
    return LabelledSet(folder.name, "html", inputs, gold=tuple(gold), unscored=unscored)

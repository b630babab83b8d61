"""`cleaner eval`: clean a labelled set exactly as `cleaner run` does, then score the outputs."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Config
from ..errors import InputError
from .floors import Floor, check_floors, figure, load_floors
from .scoring import score_html, score_noisy
from .sets import LabelledSet, load_set

__all__ = [
    "Evaluation",
    "Floor",
    "LabelledSet",
    "check_floors",
    "evaluate",
    "figure",
    "load_floors",
    "load_set",
    "read_outputs",
    "score",
]


@dataclass
class Evaluation:
    figures: dict
    failures: list[tuple[str, str]] = field(default_factory=list)  # (source, error) from the run
    seconds: float = 0.0


def read_outputs(labelled: LabelledSet, out: Path) -> dict[str, str]:
    """The run's output text per document id; a document with no output is left out (scored as empty)."""
    preds = {}
    for path in labelled.inputs:
        f = out / f"{path.stem}.txt"
        if f.exists():
            preds[path.stem] = f.read_bytes().decode("utf-8", errors="replace")
    return preds


def score(labelled: LabelledSet, preds: dict[str, str]) -> dict:
    if labelled.kind == "html":
        return score_html(dict(labelled.gold), preds)
    return score_noisy(labelled.samples, preds)


def evaluate(labelled: LabelledSet, config: Config, out: Path | None = None) -> Evaluation:
    """Run the normal run machinery over the set's inputs into `out` (a temporary folder if None) and score."""
    from ..run import run

    if out is not None and out.exists() and (not out.is_dir() or any(out.iterdir())):
        # Old outputs there would be scored for documents that fail this time.
        raise InputError(f"--out {out} must be a new or empty folder")
    with tempfile.TemporaryDirectory(prefix="cleaner-eval-") as tmp:
        target = out if out is not None else Path(tmp) / "out"
        failures: list[tuple[str, str]] = []
        result = run(list(labelled.inputs), target, config, on_failure=lambda s, e: failures.append((s, e)))
        figures = score(labelled, read_outputs(labelled, target))
    return Evaluation(figures, failures, result.seconds)

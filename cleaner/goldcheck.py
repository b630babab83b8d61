"""Checks that no phrase rule matches text known to be clean (gold article text).

    python -m cleaner.goldcheck PATH... [--rules PACK]...

PATH is a .txt file, a folder of them (searched recursively), or a ground-truth .json
mapping ids to {"articleBody": ...} (html-dev's format). Every phrase rule runs alone on
every gold text; any edit it makes is printed with the rule id and the matched text, and
the exit code is 1. A rule that touches gold text removes content: fix the rule.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from .config import load_config
from .document import Document
from .errors import CleanerError
from .stages.phrases import Loaded, Phrases


def gold_texts(paths: list[Path]) -> Iterator[tuple[str, str]]:
    """(name, text) for every gold text under `paths`."""
    for path in paths:
        if path.is_dir():
            for p in sorted(path.rglob("*.txt")):
                yield str(p), p.read_text(encoding="utf-8")
        elif path.suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            for key, value in data.items():
                body = value.get("articleBody") if isinstance(value, dict) else value
                if isinstance(body, str):
                    yield f"{path}:{key}", body
        else:
            yield str(path), path.read_text(encoding="utf-8")


def hits(paths: list[Path], rules: tuple[Path, ...] = ()) -> list[tuple[str, str, str]]:
    """(gold name, rule id, matched text) for every edit a phrase rule makes on gold text."""
    spec = load_config(rules=rules).stage("phrases")
    assert spec is not None, "the bundled config has a phrases stage"
    stage = Phrases(Loaded(spec.params.rules))
    found = []
    for name, text in gold_texts(paths):
        for e in stage.run(Document(name, text), text):
            found.append((name, e.rule, text[e.start : e.end]))
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m cleaner.goldcheck", description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="+", type=Path)
    ap.add_argument("--rules", action="append", type=Path, default=[])
    args = ap.parse_args(argv)
    try:
        found = hits(args.paths, tuple(args.rules))
    except (CleanerError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for name, rule, text in found:
        print(f"{name}: {rule} matched {text!r}")
    n = sum(1 for _ in gold_texts(args.paths))
    print(f"{len(found)} rule matches in {n} gold texts", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

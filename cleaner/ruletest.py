"""Runs phrase rules' own examples: each rule alone, then whitespace normalisation."""

from __future__ import annotations

from .document import Document, apply_edits
from .packs import Example, Rule
from .stages.phrases import Loaded, Phrases
from .stages.whitespace import Whitespace


def run_rule(rule: Rule, text: str) -> str:
    doc = Document(id="example", text=text)
    for stage in (Phrases(Loaded((rule,))), Whitespace()):
        text = apply_edits(text, stage.run(doc, text))
    return text


def check_rules(rules: tuple[Rule, ...] | list[Rule]) -> tuple[list[tuple[Rule, Example, str]], int]:
    """Returns the failing (rule, example, got) and the number of examples run."""
    failures = []
    total = 0
    for rule in rules:
        for ex in rule.examples:
            total += 1
            got = run_rule(rule, ex.input)
            if got != ex.output:
                failures.append((rule, ex, got))
    return failures, total

"""Every bundled phrase rule's examples, one test each; and the negatives against all rules."""

import pytest

from cleaner import load_config
from cleaner.document import Document
from cleaner.ruletest import run_rule

RULES = load_config().stage("phrases").params.rules
EXAMPLES = [(rule, ex) for rule in RULES for ex in rule.examples]


def test_every_rule_has_examples():
    assert RULES, "no bundled rules found"
    assert [r.id for r in RULES if not r.examples] == []
    assert [r.id for r in RULES if all(ex.input != ex.output for ex in r.examples)] == [], "need a negative example"


@pytest.mark.parametrize("rule, example", EXAMPLES, ids=[f"{r.id}-{i}" for i, (r, _) in enumerate(EXAMPLES)])
def test_rule_example(rule, example):
    assert run_rule(rule, example.input) == example.output


NEGATIVES = sorted({ex.input for _, ex in EXAMPLES if ex.input == ex.output})


@pytest.mark.parametrize("text", NEGATIVES)
def test_negative_examples_survive_the_whole_pipeline(pipeline, text):
    cleaned = pipeline.clean(Document("ex", text))
    assert cleaned.text == text.strip() or cleaned.text == text

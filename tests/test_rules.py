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


def test_the_compiled_sets_agree_with_each_rule_alone():
    """A set that outgrows RE2's memory budget fails to compile or, at match time, silently finds nothing."""
    from cleaner.stages.phrases import Phrases

    stage = Phrases()
    lines = {line.strip() for _, ex in EXAMPLES for line in ex.input.split("\n") if line.strip()}
    starts = len(stage.start.regexes)
    hit = 0
    for line in lines:  # on a stripped line, the prefilter's line hits are the line rules matching all of it
        want = [i for i, rx in enumerate(stage.start.regexes) if rx.match(line)]
        want += [starts + i for i, rx in enumerate(stage.line.regexes) if rx.fullmatch(line)]
        assert stage.hits(line) == want, line
        hit += bool(want)
    assert hit > 50

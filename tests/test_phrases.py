"""The phrase engine's semantics, with rules made here (the bundled packs are tested by test_rules)."""

import pytest

from cleaner.document import Document, apply_edits
from cleaner.glue import glued_at
from cleaner.packs import Rule
from cleaner.stages.phrases import Loaded, Phrases
from cleaner.stages.whitespace import Whitespace

AD = Rule("ads/continues", "Article continues after this advertisement", "start", "ad marker")
AD_LINE = Rule("ads/ad", "ADVERTISEMENT", "line", "ad marker")
AD_GLUED = Rule("ads/ad-glued", '(?P<cut>ADVERTISEMENT)(?:[A-Z][a-z]|[“"])', "start", "ad marker", regex=True)
SPAM = Rule("spam/slot", r"[a-z]+4d slot|slot gacor", "start", "spam", regex=True, ignore_case=True)
READ = Rule("promo/read", "READ: .{1,200}", "line", "related story", regex=True)
NEWS = Rule("social/newsletter", "Subscribe to our daily newsletter", "line", "newsletter prompt")
TOKEN = Rule("spam/token", "mentos4d", "anywhere", "spam token")
ALL = (AD, AD_LINE, AD_GLUED, SPAM, READ, NEWS)


def clean(text: str, rules=ALL) -> str:
    doc = Document("d", text)
    for stage in (Phrases(Loaded(tuple(rules))), Whitespace()):
        text = apply_edits(text, stage.run(doc, text))
    return text


def test_glued_marker_at_line_start():
    assert clean("One.\nArticle continues after this advertisementBut Rubio said.") == "One.\nBut Rubio said."


def test_chain_of_start_rules():
    text = "One.\nmentos4d slot Article continues after this advertisement“Any unlawful immigrant,” he said."
    assert clean(text) == "One.\n“Any unlawful immigrant,” he said."


def test_start_then_whole_line_rule_removes_the_line():
    assert clean("A.\n\nADVERTISEMENTSubscribe to our daily newsletter\n\nB.") == "A.\n\nB."
    assert clean("A.\n\nADVERTISEMENT\n\nB.") == "A.\n\nB."


def test_cut_group_keeps_context():
    assert clean("A.\n\nADVERTISEMENTThe company said.") == "A.\n\nThe company said."
    assert clean("ADVERTISEMENTS are everywhere.") == "ADVERTISEMENTS are everywhere."


def test_line_rules_need_the_whole_line():
    text = "He told me to READ: the book.\nSubscribe to our daily newsletter and more, he joked."
    assert clean(text) == text


@pytest.mark.parametrize("space", [" ", "\t", "\u00a0", "\u3000", "\u2009 \x1f", "\x85"])
def test_line_rules_with_any_trailing_space(space):
    """One RE2 set tests every line first (`_prefilter`): a line rule still matches a line
    that ends in any space str.strip() takes off, and a rule that only matches with that
    space is still turned down."""
    assert clean(f"A.\nADVERTISEMENT{space}\nB.") == "A.\nB."
    assert clean(f"A.\n  {space}ADVERTISEMENT{space}\nB.") == "A.\nB."
    spaced = Rule("ads/spaced", "ADVERTISEMENT\\s+", "line", "ad marker", regex=True)
    text = "A.\nADVERTISEMENT \nB."
    assert Phrases(Loaded((spaced,))).run(Document("d", text), text) == ()  # the line is tested stripped


def test_last_line_removed_without_leaving_blank_lines():
    assert clean("A.\n\nREAD: Other story\n\nSubscribe to our daily newsletter") == "A."


def test_case_matters_unless_asked():
    assert clean("A.\nadvertisement\nB.") == "A.\nadvertisement\nB."
    assert clean("A.\nSLOT GACOR The rest.") == "A.\nThe rest."


def test_marker_inside_a_sentence_is_kept_for_start_rules():
    text = "She said the Article continues after this advertisement was a joke."
    assert clean(text) == text


def test_anywhere_rule_removes_every_occurrence_with_one_space():
    assert clean("Buy mentos4d now and mentos4d.", (TOKEN,)) == "Buy now and."


def test_edits_carry_rule_and_reason():
    text = "A.\nREAD: Other story\nB."
    edits = Phrases(Loaded(ALL)).run(Document("d", text), text)
    assert [(e.rule, e.reason, text[e.start : e.end]) for e in edits] == [
        ("promo/read", "related story", "READ: Other story\n")
    ]


def test_crlf_lines():
    assert clean("A.\r\nADVERTISEMENT\r\nB.") == "A.\nB."


SPONSORED = Rule("ads/sponsored", "Sponsored|Sponsored Content", "line", "sponsor label", regex=True, glued=True)
LABEL = Rule("ads/label", r"-?\s*Advertisement\s*-?\s*[:.]?", "line", "ad label", regex=True, glued=True)
GLUED = (SPONSORED, LABEL)


def test_a_glued_line_rule_cuts_its_marker_where_the_case_turns():
    assert (
        clean("A.\n\nSponsored ContentThe phone goes on sale in May.", GLUED) == "A.\n\nThe phone goes on sale in May."
    )
    assert clean("A.\n\nAdvertisement:The council voted on Monday.", GLUED) == "A.\n\nThe council voted on Monday."
    assert clean("A.\n\n- Advertisement -“We are ready,” she said.", GLUED) == "A.\n\n“We are ready,” she said."
    assert clean("A.\n\nSponsored\n\nB.", GLUED) == "A.\n\nB."  # still a line rule


def test_a_glued_rule_leaves_text_that_is_not_glued():
    for text in (
        "Advertisement revenue fell 5% in the quarter.",  # a space: a sentence about ads
        "Sponsored by the city, the fair opens on Friday.",
        "SponsoredContent",  # no paragraph follows
        "AdvertisementsPlus is a small firm.",  # the rule's longest cut is "Advertisement", then "s"
        "Advertisement—The council voted on Monday.",  # neither a case turn nor a quote
    ):
        assert clean(f"A.\n\n{text}", GLUED) == f"A.\n\n{text}"


def test_glued_at():
    assert glued_at("advertisementThe vote passed today", 13)
    assert glued_at("ADVERTISEMENTThe vote passed today", 13)
    assert not glued_at("ADVERTISEMENTUS officials said today", 13)  # "US": no lowercase after the capital
    assert not glued_at("Advertisement The vote passed today", 14)  # the cut ends in a space
    assert not glued_at("advertisementThe vote", 13)  # fewer than three words follow


def test_binding_match_is_the_wrappers():
    """The stage asks each rule's regex through the binding's Match on UTF-8 (`raw`); on every
    bundled rule's example lines and their non-ASCII variants, that is the wrapper's
    match() and fullmatch(), spans turned into characters."""
    from cleaner.stages.phrases import BOTH, NO_SPAN, START, chars

    stage = Phrases()
    groups = [stage.start, stage.line]
    lines = {line for g in groups for r in g.rules for ex in r.examples for line in ex.input.splitlines()}
    lines |= {f"é{line}" for line in list(lines)} | {line.replace(" ", "\u00a0 ", 1) for line in list(lines)}
    lines |= {"Anzeige — Σίσυφος", "ADVERTISEMENT 😀 Story"}
    asked = matched = 0
    for g in groups:
        for raw, rx, cut in zip(g.raw, g.regexes, g.cut, strict=True):
            for line in lines:
                data = line.encode("utf-8")
                m, spans = rx.match(line), raw(START, data, 0, len(data))
                assert (m is None) == (spans[0] == NO_SPAN)
                if m is not None:
                    matched += 1
                    s, e = spans[cut] if cut else spans[0]
                    got = (chars(data, s), chars(data, e)) if s >= 0 else (s, e)
                    assert got == m.span(cut or 0)
                assert (rx.fullmatch(line) is None) == (raw(BOTH, data, 0, len(data))[0] == NO_SPAN)
                asked += 1
    assert asked > 10_000 and matched > 100

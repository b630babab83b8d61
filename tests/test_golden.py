"""Golden cases: the seeds' expected outputs, and clean texts that must not change."""

import re

import pytest

from cleaner.audit import edit_records, group_by_doc
from cleaner.document import Document
from cleaner.pipeline import replay

from .conftest import CASES, ROOT

SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
UNCHANGED = sorted((CASES / "unchanged").glob("*.txt"))
NOISE_002 = [
    "Article continues after this advertisement",
    "FEATURED STORIES",
    "READ: Marco Rubio wins unanimous nod",
    "READ: Rubio lays down ultimatum",
    "mentos4d slot",
    "Subscribe to our daily newsletter",
    "Asakawa",
    "Miguel Mapa",
]
RESIDUE = re.compile(r"\A date \d{4}-\d{2}-\d{2} ")


def clean(pipeline, path):
    text = path.read_text(encoding="utf-8")
    return text, pipeline.clean(Document(path.stem, text, source=str(path)))


def assert_replays(text, cleaned):
    records = [*edit_records(cleaned), {"type": "doc"}]
    (audit,) = group_by_doc(iter(records))
    assert replay(text, audit.steps) == cleaned.text


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.stem[:3])
def test_seed_matches_golden_output(pipeline, path):
    text, cleaned = clean(pipeline, path)
    expected = (CASES / "seeds" / path.name).read_text(encoding="utf-8")
    assert cleaned.text == expected
    assert_replays(text, cleaned)


def test_seed_002_loses_all_noise_and_keeps_the_story(pipeline):
    (path,) = [p for p in SEEDS if p.name.startswith("002_")]
    text, cleaned = clean(pipeline, path)
    for noise in NOISE_002:
        assert noise in text and noise not in cleaned.text, noise
    story = [
        "There is virtually no precedent in contemporary times for a democratic country to send its own citizens",
        "But Rubio said Bukele, who has launched a sweeping crackdown on crime",
        "“No country’s ever made an offer of friendship such as this,” Rubio said.",
        "“We are profoundly grateful. I spoke to President Trump about this earlier today,” he said.",
        "Rubio appeared to suggest that the prison transfer would focus on members of Latin American gangs",
        "“Any unlawful immigrant and illegal immigrant United States who is a dangerous criminal",
        "Trump has sought to crack down on the right to birthright citizenship",
    ]
    for sentence in story:
        assert sentence in cleaned.text, sentence


@pytest.mark.parametrize("path", [p for p in SEEDS if not p.name.startswith("002_")], ids=lambda p: p.stem[:3])
def test_other_seeds_lose_only_the_date_residue(pipeline, path):
    text, cleaned = clean(pipeline, path)
    assert RESIDUE.sub("", text) == cleaned.text
    applied = {e.rule for _, e in cleaned.edits if e.applied}
    assert applied <= {"header/date"}


@pytest.mark.parametrize("path", UNCHANGED, ids=lambda p: p.stem)
def test_clean_text_comes_out_unchanged(pipeline, path):
    text, cleaned = clean(pipeline, path)
    assert cleaned.text == text
    assert [e for _, e in cleaned.edits if e.applied] == []
    assert_replays(text, cleaned)


def test_there_are_enough_cases():
    assert len(SEEDS) == 5
    langs = {p.name.split("_")[0] for p in UNCHANGED}
    assert {"en", "es", "pt", "fr", "de", "it", "id"} <= langs

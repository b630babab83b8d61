"""Shared paragraphs (cleaner/sentences.py, the `coherence` stage): a paragraph whose every
sentence an unrelated document of the corpus prints, and that uses almost none of its own
document's words, is a teaser of another story."""

from __future__ import annotations

import orjson
import pytest

from cleaner import ConfigError, load_config
from cleaner.run import run
from cleaner.sentences import fingerprint, split

from .test_repeated import story

TEASER = "Geologists said the crater of the island volcano had widened overnight after the eruption."
HOST = (  # the volcano story the teaser comes from: there it is inside a longer paragraph
    f"Villagers were evacuated from the slopes on Monday as ash fell on the island. {TEASER} "
    "The summit has been closed to climbers since the lava reached the old road.\n\n"
    "The island's volcano observatory said the eruption could last for weeks, and the ash "
    "cloud was drifting west over the villagers' fields and the crater rim.\n\n"
    "Geologists at the observatory said lava flows were slowing, but villagers would not be "
    "allowed home until the island's crater was quiet again.\n"
)


def football(teaser: str = "") -> str:
    paras = [  # a story repeats its words: its topic signature is those, not a teaser's
        "The striker scored twice as the league leaders beat their rivals in front of a full stadium.",
        "The coach praised his midfield after the match, saying the supporters had carried the team.",
        "Supporters in the stadium sang the striker's name, and the coach waved to the supporters.",
        *([teaser] if teaser else []),
        "A late penalty sealed the win, and the striker's second goal was his tenth of the season.",
        "The league table now shows the leaders five points clear, with the coach's midfield unbeaten.",
    ]
    return "\n\n".join(paras) + "\n"


def run_corpus(tmp_path, texts, config=None):
    shard = tmp_path / "in" / "shard.jsonl"
    shard.parent.mkdir(exist_ok=True)
    shard.write_text("".join(orjson.dumps({"id": f"d{i}", "text": t}).decode() + "\n" for i, t in enumerate(texts)))
    out = tmp_path / "out"
    run([shard], out, config or load_config())
    docs = [orjson.loads(x)["text"] for x in (out / "shard.jsonl").read_text().splitlines()]
    edits = [
        r
        for r in map(orjson.loads, (out / ".cleaner" / "audit.jsonl").read_bytes().splitlines())
        if r.get("type") == "edit"
    ]
    return docs, [e for e in edits if e["rule"] == "coherence/shared"]


def test_a_teaser_of_an_unrelated_story_is_removed_and_its_original_kept(tmp_path):
    docs, edits = run_corpus(tmp_path, [HOST, football(TEASER), story(4), story(5)])
    assert TEASER not in docs[1] and docs[1] == football()
    assert docs[0] == HOST  # the original keeps its sentence
    assert [(e["doc"], e["action"]) for e in edits] == [("d1", "remove")]
    assert "unrelated document" in edits[0]["reason"]


def test_noise_glued_to_the_teaser_does_not_hide_it(tmp_path):
    """A sentence is known by its end: scraper residue glued to its start changes nothing."""
    docs, edits = run_corpus(tmp_path, [HOST, football("zqxwv" + TEASER), story(4)])
    assert "crater" not in docs[1]
    assert [(e["doc"], e["action"]) for e in edits] == [("d1", "remove")]


def test_copies_of_one_story_share_sentences_freely(tmp_path):
    """Related documents never count: a rewrite quoting the original keeps the quote."""
    rewrite = HOST.replace("on Monday", "on Tuesday").replace("for weeks", "for months") + f"\n{TEASER}\n"
    docs, edits = run_corpus(tmp_path, [HOST, rewrite, story(4)])
    assert edits == [] and docs[1].count(TEASER) == 2


def test_a_shared_paragraph_that_fits_its_document_is_left(tmp_path):
    """Two unrelated documents print the same paragraph: the one whose words it uses keeps it."""
    quote = "The striker said the coach and the supporters had made the league season the best of his life."
    fits, other = football(quote), story(4) + f"\n{quote}\n"
    docs, edits = run_corpus(tmp_path, [fits, other, story(5)])
    assert [(e["doc"], e["action"]) for e in edits] == [("d1", "remove")]
    assert docs[0] == fits and quote not in docs[1]


def test_switched_off_or_bad_thresholds(tmp_path):
    cfg = load_config().with_params("coherence", shared=False)
    docs, edits = run_corpus(tmp_path, [HOST, football(TEASER), story(4)], cfg)
    assert edits == [] and TEASER in docs[1]
    bad = tmp_path / "bad.yaml"
    bad.write_text("stages:\n  - name: coherence\n    shared_remove_below: 0.5\n    shared_flag_below: 0.2\n")
    with pytest.raises(ConfigError, match="shared_remove_below"):
        load_config(bad)


def test_sentences_and_fingerprints():
    assert split("He left. “Why?” she asked! Then… nothing") == ["He left.", "“Why?”", "she asked!", "Then…", "nothing"]
    long = "one two three four five six seven eight nine ten."
    assert fingerprint(long) == fingerprint("GLUED" + long) == fingerprint("  one two  three " + long[14:])
    assert fingerprint(long) != fingerprint(long.replace("ten", "eleven"))


def test_a_cron_run_finds_the_teaser_of_an_article_an_earlier_run_saw(tmp_path):
    """The sentences counted stay in the state file: run 2 knows run 1's articles."""
    feed, out = tmp_path / "feed", tmp_path / "out"
    feed.mkdir()
    (feed / "a.txt").write_text(HOST)
    (feed / "b.txt").write_text(story(4))
    run([feed], out, load_config(), incremental=True)
    (feed / "c.txt").write_text(football(TEASER))
    run([feed], out, load_config(), incremental=True)
    assert (out / "c.txt").read_text() == football()
    assert (out / "a.txt").read_text() == HOST


def test_a_stock_sentence_several_unrelated_documents_print_is_only_flagged(tmp_path):
    """A teaser is printed by its article; a sentence three unrelated stories print is a
    stock phrase, and a phrase is no proof of another story."""
    stock = "The company did not respond to a request for comment on the report."
    texts = [football(stock), story(4) + f"\n{stock}\n", story(5) + f"\n{stock}\n", HOST]
    docs, edits = run_corpus(tmp_path, texts)
    assert edits and {e["action"] for e in edits} == {"flag"}
    assert all(stock in d for d in docs[:3])


def test_a_worker_reads_no_further_than_the_shared_sentences(tmp_path):
    """Cleaning workers load the counted lines and the shared sentences only: the lines seen
    once, the signatures and every sentence (most of the file) are not theirs to parse."""
    from cleaner.errors import CleanerError
    from cleaner.repeated_store import Store, learn

    store = learn([HOST, football(TEASER), story(4)])
    path = tmp_path / "repeated.json"
    store.save(path)
    head, counted, shared, *_ = path.read_bytes().splitlines()
    path.write_bytes(b"\n".join([head, counted, shared, b"{not json"]) + b"\n")
    light = Store.load(path, counted_only=True)
    assert light.sentences.shared() and set(light.sentences.shared()) == set(store.sentences.shared())
    with pytest.raises(CleanerError, match="unreadable"):
        Store.load(path)

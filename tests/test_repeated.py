"""Repeated-line learning: the store, the stage, the counting pass of a run, `rules suggest`."""

import dataclasses

import orjson
import pytest

from cleaner import ConfigError, Document, Pipeline, clean, load_config, repeated_store
from cleaner.errors import CleanerError
from cleaner.learn import learn_inputs
from cleaner.pool import Engine
from cleaner.repeated_store import Store, fingerprint, learn, normalise
from cleaner.run import run
from cleaner.sentences import fingerprint as sentences_fp

from .conftest import CASES, ROOT

SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
UNCHANGED = sorted((CASES / "unchanged").glob("*.txt"))
FOOTER = "Harbour Light Media Group, Quay Street, Portsmouth. Call the newsroom on weekdays."  # no pack names it
TOPICS = [
    ("volcano", "eruption lava ash island villagers evacuated crater summit geologists"),
    ("football", "striker goal stadium league coach penalty midfield supporters season"),
    ("budget", "parliament treasury deficit taxes spending minister pensions bonds inflation"),
    ("vaccine", "clinical trial patients hospital doses researchers virus immunity nurses"),
    ("harvest", "farmers wheat drought rainfall tractors cattle irrigation prices soil"),
    ("rocket", "launch orbit satellite engineers payload booster astronauts capsule mission"),
    ("museum", "painting exhibition curator gallery sculpture collection artist portrait auction"),
]


def story(topic: int, tail: str = "", variant: int = 0) -> str:
    """A small document about one topic; different topics share no content words."""
    name, words = TOPICS[topic]
    w = words.split()
    paras = [  # glue words of three letters or fewer: not content words; topic words repeat
        f"The {name} was big on day {variant} and the {w[0]} and the {w[1]} had to act.",
        f"Yet the {w[2]} and the {w[3]} got in too, as did the {w[4]} and the {w[5]} by now.",
        f"So the {w[6]}, the {w[7]} and the {w[8]} met the {w[0]} and the {name} for a day.",
        f"The {w[1]}, the {w[2]}, the {w[3]} and the {w[4]} saw it all, as did the {w[5]}.",
        f"And the {w[6]} and the {w[7]} and the {w[8]} had the {name} in for a day or two.",
    ]
    return "\n\n".join(paras) + (f"\n\n{tail}\n" if tail else "\n")


def config():
    """The bundled config less the coherence stage, which would take the odd footer out too."""
    cfg = load_config()
    return dataclasses.replace(cfg, stages=tuple(s for s in cfg.stages if s.name != "coherence"))


def pipeline_with(store: Store, tmp_path, **params) -> Pipeline:
    path = tmp_path / "repeated.json"
    store.save(path)
    return Pipeline(config().with_params("repeated", state=str(path), **params))


def repeated_edits(cleaned):
    return [(st, e) for st, e in cleaned.edits if st == "repeated"]


def test_normalise_folds_case_digits_and_space():
    assert normalise("  Copyright 2024   Example\tMedia ") == "copyright 0 example media"
    assert fingerprint("© 2023 Example Media") == fingerprint("© 2025 example  media")
    assert fingerprint("ab") is None and fingerprint("x" * 500) is None and fingerprint("12 34") is None


def test_seed_sentences_are_never_removed_even_at_the_lowest_threshold(tmp_path):
    texts = [p.read_text(encoding="utf-8") for p in SEEDS]
    store = learn(texts)
    assert all(e.count == 1 for e in store.entries.values())  # five copies of one story count once
    pipe = pipeline_with(store, tmp_path, min_docs=2, flag_docs=2)
    for path, text in zip(SEEDS, texts, strict=True):
        assert repeated_edits(pipe.clean(Document(path.stem, text))) == [], path.name


def test_footer_in_enough_unrelated_documents_is_removed_with_its_count(tmp_path):
    texts = [story(i, FOOTER) for i in range(6)]
    pipe = pipeline_with(learn(texts), tmp_path)
    for i, text in enumerate(texts):
        cleaned = pipe.clean(Document(f"d{i}", text))
        assert FOOTER not in cleaned.text
        assert cleaned.text == story(i).rstrip("\n") or cleaned.text == story(i)
        ((_, e),) = repeated_edits(cleaned)
        assert e.rule == f"repeated/{fingerprint(FOOTER)}" and e.action == "remove" and e.score == 6.0


def test_footer_in_few_unrelated_documents_is_flagged_or_kept(tmp_path):
    flagged = [story(i, FOOTER) for i in range(3)]
    pipe = pipeline_with(learn(flagged), tmp_path)
    cleaned = pipe.clean(Document("d0", flagged[0]))
    assert FOOTER in cleaned.text
    ((_, e),) = repeated_edits(cleaned)
    assert e.action == "flag" and e.score == 3.0
    kept = [story(i, FOOTER) for i in range(2)]
    pipe = pipeline_with(learn(kept), tmp_path)
    assert repeated_edits(pipe.clean(Document("d0", kept[0]))) == []


MARKER = "Our partners keep this page free to read"  # a new ad marker: no pack names it


def test_a_learned_line_glued_to_a_paragraph_is_cut_too(tmp_path):
    pipe = pipeline_with(learn([story(i, MARKER) for i in range(6)]), tmp_path)
    glued = story(6).replace("So the", f"{MARKER}So the", 1)
    cleaned = pipe.clean(Document("g", glued))
    assert cleaned.text.rstrip("\n") == story(6).rstrip("\n")
    ((_, e),) = repeated_edits(cleaned)
    assert e.rule == f"repeated/{fingerprint(MARKER)}" and e.action == "remove" and e.score == 6.0
    assert e.reason.endswith("glued to the paragraph after it")
    # With a space the line begins a sentence; and a line the corpus did not learn is no marker.
    for text in (
        story(6).replace("So the", f"{MARKER} So the", 1),
        story(6).replace("So the", "Our partnersSo the", 1),
    ):
        assert repeated_edits(pipe.clean(Document("s", text))) == []


def glued_to(text: str, marker: str, k: int) -> str:
    """`text` with `marker` glued to the start of its paragraph `k`."""
    paras = text.split("\n\n")
    paras[k] = marker + paras[k]
    return "\n\n".join(paras)


def each_cut_back_to_its_story(pipe: Pipeline, texts: list[str], why: str) -> None:
    """Text i of `texts` cleans back to story(i), by one removal whose reason ends in `why`."""
    for i, text in enumerate(texts):
        cleaned = pipe.clean(Document(f"d{i}", text))
        assert cleaned.text == story(i), i
        ((_, e),) = repeated_edits(cleaned)
        assert e.action == "remove" and e.reason.endswith(why)


def test_a_marker_the_corpus_prints_only_glued_is_learned_and_cut(tmp_path):
    # Glued before paragraphs 1-4 in turn: "Yet", "So", "The", "And". Docs 0 and 4 glue it
    # before the same word, and only a different word counts again, so 6 of the 7 count.
    texts = [glued_to(story(i), MARKER, 1 + i % 4) for i in range(7)]
    store = learn(texts)
    e = store.entries[fingerprint(MARKER)]
    assert (e.count, e.example, e.after) == (6, MARKER, "Yet")
    pipe = pipeline_with(store, tmp_path)
    each_cut_back_to_its_story(pipe, texts, "glued to the paragraph after it")
    # Its copy on a line of its own is the same marker.
    own = pipe.clean(Document("own", story(0, MARKER)))
    assert own.text == story(0) and len(repeated_edits(own)) == 1
    # The word after it is kept through a save and a load; a line of its own makes it a line.
    path = tmp_path / "s.json"
    store.save(path)
    assert Store.load(path).entries[fingerprint(MARKER)].after == "Yet"
    store.add_document(story(0, MARKER))  # the same document: the count stays, the line is attested
    assert (e.count, e.after) == (6, "")


def repeating(text: str) -> str:
    """`text` naming again, later on, what its glued paragraph starts with ("OpenYet")."""
    glued = next(p for p in text.split("\n\n") if "Open" in p)
    return f"{text}\nThey met {glued.split()[3]} again.\n"


@pytest.mark.parametrize(
    ("marker", "make"),
    [
        ("Mr. Mc", lambda i: glued_to(story(i), "Mr. Mc", 1 + i % 4)),  # "Mr. McConnell": a name's start
        ("Shares of Soft", lambda i: glued_to(story(i), "Shares of Soft", 1).replace("Yet the", "Bank rose as the", 1)),
        ("The team of Open", lambda i: repeating(glued_to(story(i), "The team of Open", 1 + i % 4))),  # named again
        ("Report by Reuters (", lambda i: glued_to(story(i), "Report by Reuters (", 1 + i % 4)),  # a bracket opens
        ("Our partners keep", lambda i: glued_to(story(i), "Our partners keep", 1).replace("Yet the", "AI the", 1)),
    ],
)
def test_names_and_brackets_glued_like_markers_are_not_learned(marker, make):
    """What glues like a marker but is part of a name ("SoftBank", "OpenAI", "(Reuters)")."""
    store = learn([make(i) for i in range(7)])
    assert fingerprint(marker) not in store.counts(2)
    # The same documents with a marker glued to a paragraph added to each: that one is learned.
    words = ["Still", "Then", "Now", "Here", "There", "Later", "Soon"]
    more = [f"{make(i)}\n\n{MARKER}{words[i]} they all went home.\n" for i in range(7)]
    assert fingerprint(MARKER) in learn(more).counts(5)


SPAM = "zorbex spin"  # SEO spam no pack names, set before a paragraph with a space


def test_a_lowercase_lead_the_corpus_sets_before_paragraphs_is_learned_and_cut(tmp_path):
    texts = [glued_to(story(i), f"{SPAM} ", 1 + i % 4) for i in range(7)]
    store = learn(texts)
    assert store.entries[fingerprint(SPAM)].count == 6  # docs 0 and 4: the same word after it
    pipe = pipeline_with(store, tmp_path)
    each_cut_back_to_its_story(pipe, texts, "set before a paragraph")
    # Not before a paragraph that starts in lowercase for good, nor inside a sentence.
    for text in (
        story(0).replace("Yet the", f"{SPAM} yet the", 1),
        story(0).replace("Yet the", f"Yet {SPAM} The", 1),
    ):
        assert repeated_edits(pipe.clean(Document("s", text))) == []


def hard_wrapped(text: str) -> str:
    """`text` with the paragraph that starts with SPAM wrapped onto the line before it."""
    i = text.index(SPAM)
    return text[: i - 2] + " and then\n" + text[i:]


@pytest.mark.parametrize(
    ("lead", "make"),
    [
        ("and the", lambda i: glued_to(story(i), "and the ", 1 + i % 4)),  # function words only
        ("â€”", lambda i: glued_to(story(i), "â€” ", 1 + i % 4)),  # mojibake of a dash: no word
        ("iPhone maker", lambda i: glued_to(story(i), "iPhone maker ", 1).replace("Yet the", "Apple and the", 1)),
        # a hard wrap: the line before ends mid-sentence, so this line starts no paragraph
        ("zorbex spin", lambda i: hard_wrapped(glued_to(story(i), "zorbex spin ", 1 + i % 4))),
    ],
)
def test_leads_that_are_no_spam_are_not_learned(lead, make):
    assert fingerprint(lead) not in learn([make(i) for i in range(7)]).counts(2)


def test_lead_finds_where_the_sentence_starts():
    from cleaner.glue import lead

    def cut(line: str) -> str:
        return line[: lead(line)]

    assert cut("slot gacor But it is not merely that") == "slot gacor "
    assert cut("mentos4d slot 8 Brad Keselowski 2318") == "mentos4d slot "
    assert cut("slot gacor “It’s a shame to see") == "slot gacor "
    for line in (
        "The paragraph starts well here",  # no lowercase lead
        "slot gacor AI is here now",  # capitals running on
        "slot gacor But no",  # too short to be a paragraph
        "one two three four five Six seven eight",  # longer than a lead
        "slot gacor “it’s a shame",  # a quote opening on no sentence
    ):
        assert lead(line) == 0, line


def test_suggested_rule_for_a_marker_seen_glued_is_a_glued_rule(tmp_path):
    from cleaner.learn import suggest_pack
    from cleaner.packs import load_pack
    from cleaner.ruletest import check_rules

    pack = tmp_path / "learned.yaml"
    pack.write_text(suggest_pack(learn([glued_to(story(i), MARKER, 1 + i % 4) for i in range(7)]), 5), encoding="utf-8")
    (rule,) = load_pack(pack)
    assert rule.glued and len(rule.examples) == 3
    assert check_rules([rule]) == ([], 3)


def test_copies_of_one_story_do_not_make_its_sentences_boilerplate(tmp_path):
    texts = [story(0, '"We will rebuild every house," the governor said.', variant=v) for v in range(8)]
    store = learn(texts)
    assert max(e.count for e in store.entries.values()) == 1
    pipe = pipeline_with(store, tmp_path)
    assert repeated_edits(pipe.clean(Document("d0", texts[0]))) == []


def test_short_repeated_line_is_only_flagged(tmp_path):
    texts = [story(i, "Heimatblatt") for i in range(6)]
    cleaned = pipeline_with(learn(texts), tmp_path).clean(Document("d0", texts[0]))
    ((_, e),) = repeated_edits(cleaned)
    assert e.action == "flag" and "Heimatblatt" in cleaned.text


def test_single_document_without_corpus_is_untouched():
    cleaned = clean(story(0, FOOTER))
    assert repeated_edits(cleaned) == []
    text = story(0, FOOTER)
    assert Pipeline(config()).clean(Document("d", text)).text == text


def test_clean_texts_stay_byte_identical_with_a_learned_corpus(tmp_path):
    paths = [*UNCHANGED, *SEEDS]
    texts = [p.read_text(encoding="utf-8") for p in paths]
    pipe = pipeline_with(learn(texts), tmp_path, min_docs=2, flag_docs=2)
    for path, text in zip(paths, texts, strict=True):
        assert repeated_edits(pipe.clean(Document(path.stem, text))) == [], path.name


def test_store_is_bounded_and_round_trips(tmp_path):
    store = Store(max_lines=1000)
    for i in range(800):
        tag = "".join(chr(97 + int(d)) for d in str(i))  # digits fold to 0; letters do not
        store.add_document(f"unique line {tag} alpha\nanother unique {tag} beta gamma\n{FOOTER}\n")
    assert len(store.entries) <= 1000
    assert store.pruned > 0
    path = tmp_path / "s.json"
    store.save(path)
    again = Store.load(path)
    assert again.counts() == store.counts() and again.docs == store.docs
    assert again.entries[fingerprint(FOOTER)].example == FOOTER


def test_unreadable_state_names_the_file(tmp_path):
    bad = tmp_path / "repeated.json"
    bad.write_text("{not json")
    with pytest.raises(CleanerError, match="repeated.json"):
        Store.load(bad)


def test_bad_thresholds_stop_with_file_and_key(tmp_path):
    cfg = tmp_path / "p.yaml"
    cfg.write_text("stages:\n  - name: repeated\n    min_docs: 2\n    flag_docs: 4\n")
    with pytest.raises(ConfigError, match=r"p.yaml:4: stages\[0\]\(repeated\).flag_docs"):
        load_config(cfg)


def write_corpus(folder, texts):
    folder.mkdir(parents=True)
    for i, t in enumerate(texts):
        (folder / f"doc{i}.txt").write_text(t, encoding="utf-8")


def test_run_counts_its_batch_then_cleans_and_audits(tmp_path):
    write_corpus(tmp_path / "in", [story(i, FOOTER) for i in range(6)])
    out = tmp_path / "out"
    run([tmp_path / "in"], out, config(), workers=1)
    assert FOOTER not in (out / "doc0.txt").read_text(encoding="utf-8")
    recs = [orjson.loads(line) for line in (out / ".cleaner" / "audit.jsonl").read_bytes().splitlines()]
    hits = [r for r in recs if r.get("stage") == "repeated"]
    assert len(hits) == 6 and all(r["rule"].startswith("repeated/") and r["score"] == 6 for r in hits)


def test_a_later_run_learns_from_earlier_ones(tmp_path):
    state = tmp_path / "state"
    write_corpus(tmp_path / "a", [story(i, FOOTER) for i in range(3)])
    write_corpus(tmp_path / "b", [story(i, FOOTER) for i in range(3, 6)])
    run([tmp_path / "a"], tmp_path / "oa", config(), workers=1, state=state)
    assert FOOTER in (tmp_path / "oa" / "doc0.txt").read_text(encoding="utf-8")  # 3 documents: flagged only
    run([tmp_path / "b"], tmp_path / "ob", config(), workers=1, state=state)
    assert FOOTER not in (tmp_path / "ob" / "doc0.txt").read_text(encoding="utf-8")  # 6 by now


def test_stage_off_learns_nothing(tmp_path):
    cfg = tmp_path / "p.yaml"
    cfg.write_text("stages:\n  - name: repeated\n    mode: 'off'\n")
    config = load_config(cfg)
    assert learn_inputs(config, [], tmp_path) is config
    assert not (tmp_path / "repeated.json").exists()


def test_suggested_pack_loads_and_its_examples_pass(tmp_path):
    from cleaner.learn import suggest_pack
    from cleaner.packs import load_pack
    from cleaner.ruletest import check_rules

    dated = "© 2024 Harbour Light Media. All rights reserved."
    store = learn([story(i, f"{FOOTER}\n\n{dated.replace('2024', str(2020 + i))}") for i in range(6)])
    pack = tmp_path / "learned.yaml"
    pack.write_text(suggest_pack(store, 5), encoding="utf-8")
    rules = load_pack(pack)
    assert {r.id for r in rules} == {
        "learned/harbour-light-media-group-quay",
        "learned/harbour-light-media-all-rights",
    }
    failures, total = check_rules(rules)
    assert failures == [] and total == 4
    (dated_rule,) = [r for r in rules if r.regex]
    from cleaner.ruletest import run_rule

    assert run_rule(dated_rule, "Text.\n\n© 1999 harbour light media. All rights reserved.\n") == "Text.\n"


def test_rules_suggest_command(tmp_path):
    from typer.testing import CliRunner

    from cleaner.cli import app

    write_corpus(tmp_path / "in", [story(i, FOOTER) for i in range(6)])
    runner = CliRunner()
    res = runner.invoke(app, ["rules", "suggest", str(tmp_path / "in"), "--min-docs", "5"])
    assert res.exit_code == 0, res.output
    assert f'match: "{FOOTER}"' in res.stdout and "repeated/" in res.stdout
    res = runner.invoke(app, ["rules", "suggest", str(tmp_path / "in"), "--min-docs", "7"])
    assert res.exit_code == 0 and "rules: []" in res.stdout
    res = runner.invoke(app, ["rules", "suggest", "--state", str(tmp_path / "missing.json")])
    assert res.exit_code == 2 and "missing.json" in res.output
    res = runner.invoke(app, ["rules", "suggest"])
    assert res.exit_code == 2


def test_counting_the_same_documents_again_changes_nothing():
    texts = [story(i % 7, FOOTER, variant=i) for i in range(40)]
    store = learn(texts)
    before = store.counts()
    learn(reversed(texts), store)
    assert store.counts() == before
    assert before[fingerprint(FOOTER)] == 7  # seven topics, each counted once


def test_copies_share_one_signature_object_and_the_memo_is_bounded(tmp_path, monkeypatch):
    """A copy's equal signature is swapped for the one kept, so checking that it is kept
    compares no words; the state is what it would be without the memo."""
    texts = [story(i % 7, FOOTER, variant=i % 3) for i in range(60)]  # every story three ways, copied
    saved = []
    for recent in (4096, 1):  # 1: each document's signature is new to the memo
        monkeypatch.setattr(repeated_store, "RECENT", recent)
        store = Store()
        for text in texts:
            store.add_prepared(*repeated_store.prepare(text))
            assert len(store._recent) <= recent
        store.save(tmp_path / f"{recent}.json")
        saved.append((tmp_path / f"{recent}.json").read_bytes())
    assert saved[0] == saved[1]

    class Sig(frozenset):  # counts the word-by-word comparisons
        compared = 0

        def __eq__(self, other):
            Sig.compared += 1
            return frozenset.__eq__(self, other)

        __hash__ = frozenset.__hash__

    monkeypatch.setattr(repeated_store, "RECENT", 4096)
    store = Store()
    sig, lines, sents = repeated_store.prepare(texts[0])
    store.add_prepared(Sig(sig), lines, sents)
    Sig.compared = 0
    store.add_prepared(Sig(sig), lines, sents)  # a copy: its lines and sentences are all kept for it
    assert len(lines) + len(sents) > 5 and Sig.compared == 1  # the memo's, not one per line


def test_documents_too_short_to_have_a_topic_do_not_vouch():
    store = learn([f"Tap for the app\n\nOk {i} by you" for i in range(10)])  # no word of 4+ letters
    assert store.counts() == {} and store.docs == 0
    store = learn([f"{FOOTER}\n\nShort note {i}." for i in range(10)])  # the footer is all they say
    assert store.counts()[fingerprint(FOOTER)] == 1


def test_counting_pass_is_the_same_with_workers_and_skips_bad_lines(tmp_path):
    """Workers parse and fingerprint; the main process merges in input order, so the
    learned state does not depend on the worker count. A malformed line is left to the
    cleaning pass, which reports it."""
    lines = [orjson.dumps({"id": f"d{i}", "text": story(i % 7, FOOTER, variant=i)}).decode() for i in range(150)]
    lines.insert(40, "{not json")
    shard = tmp_path / "in" / "shard.jsonl"
    shard.parent.mkdir()
    shard.write_text("\n".join(lines) + "\n", encoding="utf-8")
    states = []
    for workers in (1, 2):
        state = tmp_path / f"state{workers}"
        learn_inputs(config(), [(shard, str(shard), "shard")], state, Engine(workers))
        states.append((state / "repeated.json").read_bytes())
    assert states[0] == states[1]
    store = Store.load(tmp_path / "state1" / "repeated.json")
    assert store.docs == 150
    assert max(store.counts().values()) == 7  # the footer, once per unrelated topic


class Tally:
    """A progress callback that adds up the documents."""

    docs = 0

    def __call__(self, docs: int, size: int) -> None:
        self.docs += docs


def test_workers_reading_byte_ranges_learn_what_one_process_reads(tmp_path, monkeypatch):
    """With workers, a plain JSONL input is read by them in byte ranges (learn.RANGE), cut at
    line ends; other inputs are read here. The state is the same as one process learns,
    whatever the ranges: blank lines, a last line without a line end, and inputs of every
    kind in between."""
    import gzip

    from cleaner import learn

    def lines(n, first):
        return [orjson.dumps({"id": f"d{i}", "text": story(i % 5, FOOTER, variant=i)}) for i in range(first, first + n)]

    src = tmp_path / "in"
    src.mkdir()
    (src / "a.jsonl").write_bytes(b"\n".join(lines(30, 0)[:12] + [b"", b"  "] + lines(30, 0)[12:]))  # no final \n
    (src / "b.txt").write_text(story(1, FOOTER, variant=99), encoding="utf-8")
    (src / "c.jsonl.gz").write_bytes(gzip.compress(b"\n".join(lines(20, 30)) + b"\n"))
    (src / "d.jsonl").write_bytes(b"\n".join(lines(25, 50)) + b"\r\n")
    jobs = [(p, str(p), p.stem) for p in sorted(src.iterdir())]
    states = []
    whole = learn.RANGE
    for workers, size in ((1, whole), (2, 700), (2, 1)):
        monkeypatch.setattr(learn, "RANGE", size)
        state = tmp_path / f"state-{workers}-{size}"
        tally = Tally()
        learn_inputs(config(), jobs, state, Engine(workers), on_progress=tally)
        states.append((state / "repeated.json").read_bytes())
        assert tally.docs == 30 + 1 + 20 + 25  # documents, blank lines not counted
    assert states[0] == states[1] == states[2]
    for workers in (1, 2):  # --limit stops counting at that many documents, read here
        learn_inputs(config(), jobs, tmp_path / f"limited-{workers}", Engine(workers), limit=40)
        assert Store.load(tmp_path / f"limited-{workers}" / "repeated.json").docs == 40
    assert Store.load(tmp_path / f"state-1-{whole}" / "repeated.json").docs == 76
    assert [(e - s) for s, e in learn._ranges(src / "a.jsonl", 10**9)] == [(src / "a.jsonl").stat().st_size]
    cut = list(learn._ranges(src / "d.jsonl", 700))
    assert cut[0][0] == 0 and cut[-1][1] == (src / "d.jsonl").stat().st_size
    assert all(a[1] == b[0] for a, b in zip(cut, cut[1:], strict=False))  # no byte read twice or skipped
    data = (src / "d.jsonl").read_bytes()
    assert all(data[e - 1 : e] == b"\n" for _, e in cut)  # each range ends at a line end


# ---------------------------------------------------------------- whole runs, as a user runs them

AD_MARKER = "Tap here for this week's partner offers"  # a new ad marker no pack names


def audit_records(out):
    return [orjson.loads(line) for line in (out / ".cleaner" / "audit.jsonl").read_bytes().splitlines()]


def test_cleaner_run_over_the_seeds_keeps_every_sentence_and_the_golden_outputs(tmp_path):
    from typer.testing import CliRunner

    from cleaner.cli import app

    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["run", str(ROOT / "seeds"), "--out", str(out), "--workers", "1"])
    assert res.exit_code == 0, res.output
    # 004's paragraphs are all longer than a template line can be: four documents counted
    assert "repeated.json has counted 5 documents; 0 line(s) printed by 5+ unrelated documents" in res.output
    assert (out / ".cleaner" / "repeated.json").is_file()  # the counting pass ran
    for path in SEEDS:
        assert (out / path.name).read_text(encoding="utf-8") == (CASES / "seeds" / path.name).read_text(
            encoding="utf-8"
        ), path.name
    assert [r for r in audit_records(out) if r.get("stage") == "repeated"] == []


def test_seed_copies_count_as_one_group_even_with_the_lowest_thresholds(tmp_path):
    cfg = load_config()
    spec = cfg.stage("repeated")
    assert spec is not None
    low = dataclasses.replace(spec, params=dataclasses.replace(spec.params, min_docs=2, flag_docs=2))
    out = tmp_path / "out"
    run([ROOT / "seeds"], out, dataclasses.replace(cfg, stages=tuple(low if s is spec else s for s in cfg.stages)))
    assert [r for r in audit_records(out) if r.get("stage") == "repeated"] == []
    for path in SEEDS:  # 000, 001, 003, 004 lose only their date residue, 002 only its noise
        assert (out / path.name).read_text(encoding="utf-8") == (CASES / "seeds" / path.name).read_text(
            encoding="utf-8"
        ), path.name


def test_run_removes_a_template_footer_and_a_new_ad_marker_with_audit_records(tmp_path):
    texts = []
    for i in range(6):
        paras = story(i).rstrip("\n").split("\n\n")
        texts.append("\n\n".join([*paras[:2], AD_MARKER, *paras[2:], FOOTER]) + "\n")
    write_corpus(tmp_path / "in", texts)
    out = tmp_path / "out"
    result = run([tmp_path / "in"], out, config(), workers=2)
    assert not result.failures
    for i in range(6):
        got = (out / f"doc{i}.txt").read_text(encoding="utf-8")
        assert AD_MARKER not in got and FOOTER not in got
        assert got == story(i)  # nothing else touched
    hits = [r for r in audit_records(out) if r.get("stage") == "repeated"]
    assert {r["text"].strip() for r in hits} == {AD_MARKER, FOOTER} and len(hits) == 12
    for r in hits:
        assert r["action"] == "remove" and r["score"] == 6
        assert r["rule"] == f"repeated/{fingerprint(r['text'].strip())}"
        assert "6 unrelated documents" in r["reason"]


def test_running_the_same_inputs_again_counts_nothing_twice(tmp_path):
    write_corpus(tmp_path / "in", [story(i, FOOTER) for i in range(3)])
    state = tmp_path / "state"
    for _ in range(3):  # full runs, not incremental: every document is read and counted again
        run([tmp_path / "in"], tmp_path / "out", config(), workers=1, state=state)
        assert Store.load(state / "repeated.json").counts()[fingerprint(FOOTER)] == 3
    assert FOOTER in (tmp_path / "out" / "doc0.txt").read_text(encoding="utf-8")  # still only flagged


def test_an_incremental_cron_run_learns_from_the_earlier_ones(tmp_path):
    feed, out = tmp_path / "feed", tmp_path / "out"
    write_corpus(feed, [story(i, FOOTER) for i in range(3)])
    run([feed], out, config(), workers=1, incremental=True)
    assert FOOTER in (out / "doc0.txt").read_text(encoding="utf-8")
    for i in range(3, 6):  # the feed grows
        (feed / f"doc{i}.txt").write_text(story(i, FOOTER), encoding="utf-8")
    result = run([feed], out, config(), workers=1, incremental=True)
    assert len(result.todo) == 3  # only the new files are cleaned (and counted)
    assert Store.load(out / ".cleaner" / "repeated.json").counts()[fingerprint(FOOTER)] == 6
    assert FOOTER not in (out / "doc5.txt").read_text(encoding="utf-8")


def test_rules_suggest_from_a_run_folder_gives_a_pack_that_rules_test_passes(tmp_path):
    from typer.testing import CliRunner

    from cleaner.cli import app
    from cleaner.packs import load_pack

    write_corpus(tmp_path / "in", [story(i, f"{AD_MARKER}\n\n{FOOTER}") for i in range(6)])
    out = tmp_path / "out"
    run([tmp_path / "in"], out, config(), workers=1)
    runner = CliRunner()
    pack = tmp_path / "learned.yaml"
    for where in (out, out / ".cleaner", out / ".cleaner" / "repeated.json"):  # OUT, the state folder, the file
        res = runner.invoke(app, ["rules", "suggest", "--state", str(where), "--out", str(pack)])
        assert res.exit_code == 0, res.output
        rules = load_pack(pack)
        assert {r.match for r in rules} == {AD_MARKER, FOOTER}
        assert all(r.where == "line" and len(r.examples) == 2 for r in rules)
    res = runner.invoke(app, ["rules", "test", "--rules", str(pack)])
    assert res.exit_code == 0, res.output


def test_state_file_writes_each_signature_once_and_the_stage_reads_only_counted_lines(tmp_path):
    texts = [story(i, FOOTER) for i in range(6)]
    store = learn(texts)
    path = tmp_path / "repeated.json"
    store.save(path)
    head, counted, shared, single, sigs, sentences = (orjson.loads(x) for x in path.read_bytes().splitlines())
    assert head == {"version": 2, "docs": 6}
    assert list(counted["counted"]) == [fingerprint(FOOTER)] and len(sigs["sigs"]) == 6
    assert len(single["single"]) == len(store.entries) - 1
    footer_first = sentences_fp("Harbour Light Media Group, Quay Street, Portsmouth.")
    assert list(shared["shared"]) == [str(footer_first)]  # six unrelated stories share only the footer
    assert len(sentences["sentences"]) == len(store.sentences.sigs) > 0
    again = Store.load(path)
    assert again.counts() == store.counts() and {fp: e.sigs for fp, e in again.entries.items()} == {
        fp: e.sigs for fp, e in store.entries.items()
    }
    assert again.sentences.sigs == store.sentences.sigs
    # A format-2 file from before shared sentences (no `shared` or `sentences` line) still loads.
    path.write_bytes(b"\n".join(orjson.dumps(x) for x in (head, counted, single, sigs)) + b"\n")
    assert Store.load(path).counts() == store.counts()
    assert Store.load(path, counted_only=True).counts() == {fingerprint(FOOTER): 6}
    store.save(path)
    light = Store.load(path, counted_only=True)
    assert light.counts() == {fingerprint(FOOTER): 6} and light.entries[fingerprint(FOOTER)].sigs == []
    with pytest.raises(CleanerError):
        light.save(path)
    with pytest.raises(CleanerError):
        light.add_document(texts[0])


def test_state_files_of_format_1_are_still_read(tmp_path):
    store = learn([story(i, FOOTER) for i in range(6)])
    old = {
        "version": 1,
        "docs": store.docs,
        "lines": {fp: [e.count, [sorted(s) for s in e.sigs], e.example] for fp, e in store.entries.items()},
    }
    path = tmp_path / "repeated.json"
    path.write_bytes(orjson.dumps(old))
    assert Store.load(path).counts() == store.counts()
    assert Store.load(path, counted_only=True).counts() == {fingerprint(FOOTER): 6}
    Store.load(path).save(path)  # rewritten in format 2 by the next run
    assert orjson.loads(path.read_bytes().splitlines()[0])["version"] == 2
    assert Store.load(path).counts() == store.counts()


def test_limit_stops_the_counting_pass_too(tmp_path):
    """`cleaner run --limit N` on a big corpus must not read all of it to count lines."""
    shard = tmp_path / "in" / "shard.jsonl"
    shard.parent.mkdir()
    lines = [orjson.dumps({"id": f"d{i}", "text": story(i % 7, FOOTER, variant=i)}).decode() for i in range(60)]
    shard.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run([shard.parent], tmp_path / "out", config(), limit=10)
    assert result.limited
    state = orjson.loads((tmp_path / "out" / ".cleaner" / "repeated.json").read_bytes().splitlines()[0])
    assert state["docs"] == 10


def test_suggested_rule_for_a_lead_is_a_start_rule(tmp_path):
    from cleaner.learn import suggest_pack
    from cleaner.packs import load_pack
    from cleaner.ruletest import check_rules, run_rule

    pack = tmp_path / "learned.yaml"
    lead = "kilat77 max"
    pack.write_text(
        suggest_pack(learn([glued_to(story(i), f"{lead} ", 1 + i % 4) for i in range(7)]), 5), encoding="utf-8"
    )
    (rule,) = load_pack(pack)
    assert rule.where == "start" and not rule.glued
    assert check_rules([rule]) == ([], 2)
    assert run_rule(rule, "kilat78 max The vote was close.\n") == "The vote was close.\n"  # digits vary
    assert run_rule(rule, "kilat77 max the vote was close.\n") == "kilat77 max the vote was close.\n"

"""Config and rule-pack loading: the bundled files load; every error names file, line and key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import cleaner
from cleaner import ConfigError, load_config
from cleaner.config import Fields

RULES = Path(__file__).resolve().parent.parent / "rules"

# A valid pipeline for the stage-level error cases to start from.
MINIMAL = """\
stages:
  - name: encoding
  - name: phrases
  - name: whitespace
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def config_error(config: Path | None = None, rules: list[Path] = ()) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_config(config, rules=list(rules))
    return info.value


def bundled_rule_ids() -> set[str]:
    ids = set()
    for pack in sorted((RULES / "packs").glob("*.yaml")):
        name = re.search(r"^pack:\s*(\S+)", pack.read_text(encoding="utf-8"), re.M).group(1)
        ids |= {f"{name}/{rid}" for rid in re.findall(r"^\s*- id:\s*(\S+)", pack.read_text(encoding="utf-8"), re.M)}
    return ids


# ---------------------------------------------------------------- what loads


def test_bundled_config_loads():
    cfg = load_config()
    assert [s.name for s in cfg.stages] == [
        "html",
        "encoding",
        "header",
        "phrases",
        "repeated",
        "coherence",
        "whitespace",
    ]
    assert all(s.mode == "apply" for s in cfg.stages)
    assert cfg.fields == Fields(text="text", id="id")
    assert re.fullmatch(r"[0-9a-f]{16}", cfg.hash)
    coherence = cfg.stage("coherence").params
    assert (coherence.remove_below, coherence.flag_below) == (0.05, 0.15)
    assert {r.id for r in cfg.stage("phrases").params.rules} == bundled_rule_ids()


def test_bundled_config_is_the_same_as_naming_it():
    assert load_config(RULES / "pipeline.yaml").hash == load_config().hash


def test_custom_config_fields_modes_and_hash(tmp_path):
    path = write(
        tmp_path,
        "p.yaml",
        "fields:\n  text: body\n  id: uid\nstages:\n  - name: encoding\n    mode: flag\n  - name: whitespace\n",
    )
    cfg = load_config(path)
    assert cfg.fields == Fields(text="body", id="uid")
    assert [(s.name, s.mode) for s in cfg.stages] == [("encoding", "flag"), ("whitespace", "apply")]
    assert cfg.hash != load_config().hash
    assert cfg.sources == (str(path),)


def test_extra_rules_pack_is_added(tmp_path):
    pack = write(
        tmp_path,
        "mine.yaml",
        "pack: mine\nrules:\n  - id: promo\n    match: BUY NOW\n    reason: promo line\n",
    )
    cfg = load_config(None, rules=[pack])
    ids = {r.id for r in cfg.stage("phrases").params.rules}
    assert "mine/promo" in ids
    assert ids - {"mine/promo"} == bundled_rule_ids()
    assert cfg.hash != load_config().hash
    assert cfg.sources[-1] == str(pack)


# ---------------------------------------------------------------- pipeline errors

PIPELINE_ERRORS = {
    "unknown top-level key": (
        "stages:\n  - name: encoding\ncolour: blue\n",
        3,
        "colour",
    ),
    "unknown stage": (
        "stages:\n  - name: encoding\n  - name: sparkle\n",
        3,
        "stages[1].name",
    ),
    "stage listed twice": (
        "stages:\n  - name: encoding\n  - name: whitespace\n  - name: encoding\n",
        4,
        "stages[2].name",
    ),
    "bad mode": (
        "stages:\n  - name: encoding\n  - name: whitespace\n    mode: sometimes\n",
        4,
        "stages[1].mode",
    ),
    "unknown stage parameter": (
        "stages:\n  - name: encoding\n  - name: coherence\n    min_words: 6\n    foo: 1\n",
        5,
        "stages[1](coherence).foo",
    ),
    "wrong type": (
        'stages:\n  - name: coherence\n    flag_below: 0.2\n    remove_below: "high"\n',
        4,
        "stages[0](coherence).remove_below",
    ),
    "remove_below above flag_below": (
        "stages:\n  - name: encoding\n  - name: coherence\n    remove_below: 0.5\n    flag_below: 0.2\n",
        4,
        "stages[1](coherence).remove_below",
    ),
    "coherence judging paragraphs of no words": (
        "stages:\n  - name: encoding\n  - name: coherence\n    min_words: 0\n",
        4,
        "stages[1](coherence).min_words",
    ),
    "unknown fields key": (
        "fields:\n  text: body\n  title: headline\nstages:\n  - name: encoding\n",
        3,
        "fields.title",
    ),
    "key given twice": (
        "stages:\n  - name: coherence\n    min_words: 6\n    min_words: 7\n",
        4,
        "min_words",
    ),
    "yaml syntax error": (
        "stages:\n  - name: encoding\n  - name: whitespace: extra\n",
        3,
        "(syntax)",
    ),
}


@pytest.mark.parametrize("text, line, key", PIPELINE_ERRORS.values(), ids=PIPELINE_ERRORS.keys())
def test_pipeline_error_names_file_line_and_key(tmp_path, text, line, key):
    path = write(tmp_path, "pipeline.yaml", text)
    exc = config_error(path)
    assert exc.path == str(path)
    assert exc.line == line
    assert exc.key == key
    assert str(exc).startswith(f"{path}:{line}: {key}: ")


def test_missing_config_file(tmp_path):
    missing = tmp_path / "nope.yaml"
    exc = config_error(missing)
    assert exc.path == str(missing)
    assert exc.line is None
    assert "not found" in exc.problem


def test_missing_rules_file(tmp_path):
    missing = tmp_path / "nope-pack.yaml"
    exc = config_error(None, [missing])
    assert exc.path == str(missing)
    assert exc.key == "--rules"
    assert "not found" in exc.problem


def test_rules_without_phrases_stage(tmp_path):
    config = write(tmp_path, "p.yaml", "stages:\n  - name: encoding\n")
    pack = write(tmp_path, "mine.yaml", "pack: mine\nrules:\n  - id: a\n    match: BUY NOW\n    reason: r\n")
    exc = config_error(config, [pack])
    assert exc.path == str(config)
    assert "phrases" in exc.problem


@pytest.mark.parametrize(
    "body, key",
    [("    disable: [ads/no-such-rule]\n", "phrases.disable"), ("    packs: [missing.yaml]\n", "phrases.packs")],
    ids=["disable unknown rule", "pack not found"],
)
def test_phrases_stage_errors_name_the_line(tmp_path, body, key):
    # The module promises "every error names file, line and key".
    path = write(tmp_path, "p.yaml", "stages:\n  - name: encoding\n  - name: phrases\n" + body)
    exc = config_error(path)
    assert exc.path == str(path)
    assert key in exc.key
    assert exc.line == 4


# ---------------------------------------------------------------- rule pack errors

PACK_HEAD = "pack: mine\ndescription: test pack\nrules:\n"  # rules start on line 4
GOOD_RULE = "  - id: good\n    match: BUY NOW\n    reason: promo\n"  # lines 4-6


def rule(match: str = "BUY NOW", *, rid: str = "bad", extra: str = "", regex: bool = True) -> str:
    """A rule starting on line 7, after GOOD_RULE: id on 7, match on 8."""
    return f"  - id: {rid}\n    match: '{match}'\n    regex: {str(regex).lower()}\n    reason: r\n{extra}"


PACK_ERRORS = {
    "lookbehind": (rule("(?<=x)a"), 8, "match", "RE2"),
    "unbalanced paren": (rule("(a"), 8, "match", "RE2"),
    "unknown rule key": (rule(extra="    colour: red\n"), 11, "colour", "unknown key"),
    "bad where": (rule(extra="    where: middle\n"), 11, "where", "line, start, anywhere"),
    "duplicate id": (rule(rid="good"), 7, "id", "twice"),
    "named group not cut": (rule("(?P<keep>BUY) NOW"), 8, "match", "cut"),
    "matches empty text": (rule("x*"), 8, "match", "empty"),
    "matches empty text at a word boundary": (rule(r"\b"), 8, "match", "empty"),
    "empty plain match": (rule("", regex=False), 8, "match", "non-empty"),
    "bad id": (rule(rid="Bad_Id"), 7, "id", "lowercase"),
    "example without out": (rule(extra="    examples:\n      - in: BUY NOW\n"), 12, "examples[0]", "out"),
    "glued start rule": (rule(extra="    where: start\n    glued: true\n"), 12, "glued", "where: line"),
    "glued not a boolean": (rule(extra="    glued: yes please\n"), 11, "glued", "bool"),
    "glued with a cut group": (rule("(?P<cut>BUY) NOW", extra="    glued: true\n"), 8, "match", "cut"),
}


@pytest.mark.parametrize("rule_text, line, key, words", PACK_ERRORS.values(), ids=PACK_ERRORS.keys())
def test_pack_error_names_file_line_and_key(tmp_path, rule_text, line, key, words):
    pack = write(tmp_path, "mine.yaml", PACK_HEAD + GOOD_RULE + rule_text)
    exc = config_error(None, [pack])
    assert exc.path == str(pack)
    assert exc.line == line
    assert key in exc.key
    assert words in exc.problem
    assert str(exc).startswith(f"{pack}:{line}: ")


def test_pack_unknown_top_level_key(tmp_path):
    pack = write(tmp_path, "mine.yaml", "pack: mine\nrules:\n  - id: a\n    match: x\n    reason: r\nauthor: me\n")
    exc = config_error(None, [pack])
    assert (exc.path, exc.line, exc.key) == (str(pack), 6, "author")


def test_pack_yaml_syntax_error(tmp_path):
    pack = write(tmp_path, "mine.yaml", PACK_HEAD + GOOD_RULE + "  - id: [broken\n")
    exc = config_error(None, [pack])
    assert exc.path == str(pack)
    assert exc.key == "(syntax)"
    assert exc.line is not None and exc.line >= 7


def test_duplicate_rule_across_packs_names_second_file_and_first(tmp_path):
    first = write(tmp_path, "one.yaml", PACK_HEAD + GOOD_RULE)
    second = write(tmp_path, "two.yaml", "pack: mine\nrules:\n  - id: other\n    match: x\n    reason: r\n" + GOOD_RULE)
    exc = config_error(None, [first, second])
    assert exc.path == str(second)
    assert exc.line == 6
    assert "mine/good" in str(exc)
    assert f"{first}:4" in str(exc)


def test_pack_clashing_with_bundled_rule_id(tmp_path):
    pack = write(tmp_path, "ads.yaml", "pack: ads\nrules:\n  - id: skip-advertisement\n    match: x\n    reason: r\n")
    exc = config_error(None, [pack])
    assert exc.path == str(pack)
    assert exc.line == 3
    assert "ads/skip-advertisement" in str(exc)


def test_config_error_is_a_cleaner_error(tmp_path):
    path = write(tmp_path, "p.yaml", "stages: []\n")
    exc = config_error(path)
    assert isinstance(exc, cleaner.CleanerError)
    assert exc.key == "stages"
    assert exc.line == 1

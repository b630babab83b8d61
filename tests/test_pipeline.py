"""Pipeline behaviour across stages: modes, metadata into JSONL, statistics."""

import gzip
import json
import shutil
from pathlib import Path

from cleaner import Document, Pipeline, load_config
from cleaner.pipeline import Stats
from cleaner.run import run

from .conftest import ROOT

NOISY = (ROOT / "seeds" / "002_5a4bd590d2219db2.txt").read_text(encoding="utf-8")


def config_with(tmp_path: Path, phrases_mode: str) -> Path:
    text = (ROOT / "rules" / "pipeline.yaml").read_text(encoding="utf-8")
    text = text.replace("  - name: phrases ", f"  - name: phrases\n    mode: {phrases_mode}\n   ")
    path = tmp_path / "pipeline.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_flag_mode_records_without_changing(tmp_path):
    cfg = load_config(config_with(tmp_path, "flag"))
    cleaned = Pipeline(cfg).clean(Document("d", NOISY))
    phrase_edits = [e for stage, e in cleaned.edits if stage == "phrases"]
    assert phrase_edits and all(e.action == "flag" for e in phrase_edits)
    assert "Article continues after this advertisement" in cleaned.text


def test_off_mode_skips_the_stage(tmp_path):
    cfg = load_config(config_with(tmp_path, "off"))
    cleaned = Pipeline(cfg).clean(Document("d", NOISY))
    assert "phrases" not in {s.stage for s in cleaned.steps}
    assert "Subscribe to our daily newsletter" in cleaned.text


def test_lifted_date_goes_into_jsonl_records(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    records = [
        {"id": "a", "text": " date 2025-02-04 Rubio said on Monday.", "lang": "en"},
        {"id": "b", "text": " date 2025-02-04 Rubio said.", "date": "kept"},
    ]
    with gzip.open(src / "s.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r) + "\n" for r in records)
    run([src], tmp_path / "out", load_config())
    with gzip.open(tmp_path / "out" / "s.jsonl.gz", "rt", encoding="utf-8") as fh:
        got = [json.loads(line) for line in fh]
    assert got == [
        {"id": "a", "text": "Rubio said on Monday.", "lang": "en", "date": "2025-02-04"},
        {"id": "b", "text": "Rubio said.", "date": "kept"},
    ]


def test_stats_count_rules_and_net_characters(tmp_path):
    src = tmp_path / "in"
    shutil.copytree(ROOT / "seeds", src)
    result = run([src], tmp_path / "out", load_config())
    s = result.stats.as_dict()
    assert s["docs"] == 5 and s["failed"] == 0
    assert s["rules"]["ads/article-continues"]["edits"] == 5
    assert s["rules"]["header/date"]["docs"] == 3
    removed = sum(r["chars"] for r in s["rules"].values())
    assert removed == s["chars_in"] - s["chars_out"]


def test_stats_failures():
    stats = Stats()
    stats.add_failure()
    assert stats.as_dict()["failed"] == 1


def test_step_inputs_are_what_replaying_gives():
    """The pipeline keeps each step's input text; the audit's records from them are the ones
    replaying the edits gives (what a Cleaned made elsewhere, without them, falls back to)."""
    from dataclasses import replace

    from cleaner.audit import edit_records

    pipeline = Pipeline()
    several = 0
    for path in sorted((ROOT / "bench/data/noisy-dev/input").glob("*.txt")):
        cleaned = pipeline.clean(Document(id=path.stem, text=path.read_text(), kind="text", source=str(path)))
        assert len(cleaned.inputs) == len(cleaned.steps)
        assert list(edit_records(cleaned)) == list(edit_records(replace(cleaned, inputs=())))
        several += len(cleaned.steps) > 2
    assert several > 10

"""The command line, end to end through typer's CliRunner: exit codes, outputs, audit log."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cleaner
from cleaner import load_config
from cleaner.cli import app

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
PACKS = sorted((ROOT / "rules" / "packs").glob("*.yaml"))
AD_SEED = next(p for p in SEEDS if "Article continues after this advertisement" in p.read_text(encoding="utf-8"))


def invoke(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


def messages(result) -> str:
    """stdout and stderr together, whatever the typer version does with them."""
    stderr = getattr(result, "stderr", "") or ""
    return result.output + ("" if stderr in result.output else stderr)


def audit_records(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / ".cleaner" / "audit.jsonl").read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def seeds(tmp_path) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    for path in SEEDS:
        shutil.copy(path, src / path.name)
    return src


def write_pack(tmp_path: Path, example_out: str) -> Path:
    pack = tmp_path / "promo.yaml"
    pack.write_text(
        "pack: promo\n"
        "rules:\n"
        "  - id: buy-now\n"
        "    match: BUY NOW AND SAVE\n"
        "    reason: promo line\n"
        "    examples:\n"
        '      - in: "News.\\nBUY NOW AND SAVE\\nMore news."\n'
        f"        out: {json.dumps(example_out)}\n",
        encoding="utf-8",
    )
    return pack


# ---------------------------------------------------------------- run


def test_run_writes_outputs_and_audit(tmp_path, seeds):
    out = tmp_path / "out"
    result = invoke("run", seeds, "--out", out)
    assert result.exit_code == 0, messages(result)
    assert sorted(p.name for p in out.glob("*.txt")) == [p.name for p in SEEDS]

    cleaned = (out / AD_SEED.name).read_text(encoding="utf-8")
    assert "Article continues after this advertisement" not in cleaned
    assert "But Rubio said Bukele" in cleaned

    records = audit_records(out)
    header = records[0]
    assert header["type"] == "run"
    assert header["version"] == cleaner.__version__
    assert header["config_hash"] == load_config().hash
    assert [r["type"] for r in records[1:]].count("run") == 0

    edits = [r for r in records if r["type"] == "edit"]
    assert any(r["rule"] == "ads/article-continues" and r["source"] == str(seeds / AD_SEED.name) for r in edits)
    marker_edits = [r for r in edits if r["rule"] == "ads/article-continues"]
    assert all(r["text"] == "Article continues after this advertisement" for r in marker_edits)

    docs = {r["source"]: r for r in records if r["type"] == "doc"}
    assert set(docs) == {str(seeds / p.name) for p in SEEDS}
    for path in SEEDS:
        rec = docs[str(seeds / path.name)]
        output = out / path.name
        assert rec["status"] == "ok"
        assert rec["error"] is None
        assert rec["chars_in"] == len(path.read_text(encoding="utf-8"))
        assert rec["chars_out"] == len(output.read_text(encoding="utf-8"))
        assert rec["output"] == str(output)
    assert docs[str(seeds / AD_SEED.name)]["chars_out"] < docs[str(seeds / AD_SEED.name)]["chars_in"]


def test_edit_records_come_before_their_doc_record(tmp_path, seeds):
    out = tmp_path / "out"
    assert invoke("run", seeds, "--out", out).exit_code == 0
    current = None
    for rec in audit_records(out)[1:]:
        if rec["type"] == "edit":
            current = current or rec["source"]
            assert rec["source"] == current
        else:
            assert current in (None, rec["source"])
            current = None


def test_run_with_a_binary_file_exits_1_and_writes_the_rest(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(SEEDS[0], src / "good.txt")
    (src / "bad.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    out = tmp_path / "out"
    result = invoke("run", src, "--out", out)
    assert result.exit_code == 1
    assert (out / "good.txt").read_text(encoding="utf-8").startswith("El Salvador's leader")
    assert not (out / "bad.txt").exists()
    assert "bad.txt" in messages(result)
    assert "binary" in messages(result)
    docs = {Path(r["source"]).name: r for r in audit_records(out) if r["type"] == "doc"}
    assert docs["good.txt"]["status"] == "ok"
    assert docs["bad.txt"]["status"] == "failed"
    assert "binary" in docs["bad.txt"]["error"]
    assert docs["bad.txt"]["output"] is None


def test_run_with_a_malformed_jsonl_line_exits_1_and_keeps_good_lines(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shard = src / "news.jsonl.gz"
    lines = [
        json.dumps({"id": "a", "text": "The council met.\n\nADVERTISEMENT\n\nIt voted 7-2.", "lang": "en"}),
        '{"id": "b", "text": "cut off',
        json.dumps({"id": "c", "text": "Markets fell on Tuesday.", "lang": "en"}),
    ]
    shard.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    out = tmp_path / "out"
    result = invoke("run", src, "--out", out)
    assert result.exit_code == 1
    assert f"{shard}:2" in messages(result)
    written = [json.loads(x) for x in gzip.decompress((out / "news.jsonl.gz").read_bytes()).splitlines()]
    assert [r["id"] for r in written] == ["a", "c"]
    assert written[0]["text"] == "The council met.\n\nIt voted 7-2."
    failed = [r for r in audit_records(out) if r["type"] == "doc" and r["status"] == "failed"]
    assert [r["source"] for r in failed] == [f"{shard}:2"]


def test_run_with_a_bad_config_exits_2_and_writes_nothing(tmp_path, seeds):
    bad = tmp_path / "pipeline.yaml"
    bad.write_text("stages:\n  - name: encoding\n  - name: sparkle\n", encoding="utf-8")
    out = tmp_path / "out"
    result = invoke("run", seeds, "--out", out, "--config", bad)
    assert result.exit_code == 2
    assert f"{bad}:3" in messages(result)
    assert "sparkle" in messages(result)
    assert not out.exists()


def test_run_with_a_bad_rules_pack_exits_2_and_writes_nothing(tmp_path, seeds):
    pack = tmp_path / "bad.yaml"
    pack.write_text("pack: bad\nrules:\n  - id: x\n    match: '(?<=x)a'\n    regex: true\n    reason: r\n")
    out = tmp_path / "out"
    result = invoke("run", seeds, "--out", out, "--rules", pack)
    assert result.exit_code == 2
    assert f"{pack}:4" in messages(result)
    assert not out.exists()


def test_run_with_out_inside_input_exits_2(seeds):
    result = invoke("run", seeds, "--out", seeds / "cleaned")
    assert result.exit_code == 2
    assert "inside the input folder" in messages(result)
    assert not (seeds / "cleaned").exists()
    assert sorted(p.name for p in seeds.iterdir()) == [p.name for p in SEEDS]


def test_run_with_a_missing_input_exits_2(tmp_path):
    result = invoke("run", tmp_path / "nothing-here", "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "no such file" in messages(result)
    assert not (tmp_path / "out").exists()


def test_run_with_custom_audit_path(tmp_path, seeds):
    log = tmp_path / "logs" / "run1.jsonl"
    result = invoke("run", seeds, "--out", tmp_path / "out", "--audit", log)
    assert result.exit_code == 0
    assert json.loads(log.read_text(encoding="utf-8").splitlines()[0])["type"] == "run"
    assert not (tmp_path / "out" / ".cleaner" / "audit.jsonl").exists()


# ---------------------------------------------------------------- explain


def test_explain_prints_cleaned_text_and_rule_ids(tmp_path):
    doc = tmp_path / AD_SEED.name
    shutil.copy(AD_SEED, doc)
    result = invoke("explain", doc)
    assert result.exit_code == 0, messages(result)
    assert "But Rubio said Bukele" in result.output
    assert "advertisementBut" not in result.output
    assert "ads/article-continues" in result.output
    assert re.search(r"\d+ edits", result.output)


def test_explain_a_binary_file_fails(tmp_path):
    doc = tmp_path / "blob.txt"
    doc.write_bytes(b"\x00\x01\x02")
    result = invoke("explain", doc)
    assert result.exit_code == 1
    assert "binary" in messages(result)


# ---------------------------------------------------------------- rules


def rule_ids_in_packs() -> list[str]:
    ids = []
    for pack in PACKS:
        text = pack.read_text(encoding="utf-8")
        name = re.search(r"^pack:\s*(\S+)", text, re.M).group(1)
        ids += [f"{name}/{rid}" for rid in re.findall(r"^\s*- id:\s*(\S+)", text, re.M)]
    return ids


def test_rules_list(tmp_path):
    result = invoke("rules", "list")
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    ids = rule_ids_in_packs()
    assert lines[-1] == f"{len(ids)} rules"
    listed = [line.split()[0] for line in lines[:-1]]
    assert listed == ids


def test_rules_list_with_extra_pack(tmp_path):
    pack = write_pack(tmp_path, "News.\nMore news.")
    result = invoke("rules", "list", "--rules", pack)
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert lines[-1] == f"{len(rule_ids_in_packs()) + 1} rules"
    assert any(line.startswith("promo/buy-now") and "BUY NOW AND SAVE" in line for line in lines)


@pytest.mark.skipif(not PACKS, reason="no bundled rule packs")
def test_rules_test_bundled_packs_pass():
    result = invoke("rules", "test")
    assert result.exit_code == 0, messages(result)
    m = re.search(r"(\d+) of (\d+) examples pass", result.output)
    assert m and m.group(1) == m.group(2) and int(m.group(2)) > 0
    assert "FAIL" not in messages(result)


def test_rules_test_passes_a_right_example(tmp_path):
    result = invoke("rules", "test", "--rules", write_pack(tmp_path, "News.\nMore news."))
    assert result.exit_code == 0, messages(result)


def test_rules_test_fails_a_wrong_example(tmp_path):
    pack = write_pack(tmp_path, "News.\nBUY NOW AND SAVE\nMore news.")  # claims the line stays
    result = invoke("rules", "test", "--rules", pack)
    assert result.exit_code == 1
    text = messages(result)
    assert "FAIL promo/buy-now" in text
    assert str(pack) in text
    m = re.search(r"(\d+) of (\d+) examples pass", result.output)
    assert m and int(m.group(2)) - int(m.group(1)) == 1


# ---------------------------------------------------------------- audit verify


def test_audit_verify_after_run_then_after_tampering(tmp_path, seeds):
    out = tmp_path / "out"
    assert invoke("run", seeds, "--out", out).exit_code == 0
    audit = out / ".cleaner" / "audit.jsonl"

    ok = invoke("audit", "verify", audit, seeds, out)
    assert ok.exit_code == 0, messages(ok)
    assert f"{len(SEEDS)} of {len(SEEDS)} documents replay exactly; 0 problem(s)" in ok.output

    target = out / AD_SEED.name
    target.write_text(target.read_text(encoding="utf-8").replace("Rubio", "Rubia", 1), encoding="utf-8")
    bad = invoke("audit", "verify", audit, seeds, out)
    assert bad.exit_code == 1
    assert AD_SEED.name in messages(bad)
    assert f"{len(SEEDS) - 1} of {len(SEEDS)} documents replay exactly; 1 problem(s)" in bad.output


def test_audit_verify_jsonl_shard(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    lines = [json.dumps({"id": f"d{i}", "text": p.read_text(encoding="utf-8")}) for i, p in enumerate(SEEDS)]
    (src / "s.jsonl.gz").write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    out = tmp_path / "out"
    assert invoke("run", src, "--out", out).exit_code == 0
    result = invoke("audit", "verify", out / ".cleaner" / "audit.jsonl", src, out)
    assert result.exit_code == 0, messages(result)
    assert f"{len(SEEDS)} of {len(SEEDS)} documents replay exactly" in result.output


def test_audit_verify_deleted_output(tmp_path, seeds):
    out = tmp_path / "out"
    invoke("run", seeds, "--out", out)
    (out / SEEDS[0].name).unlink()
    result = invoke("audit", "verify", out / ".cleaner" / "audit.jsonl", seeds, out)
    assert result.exit_code == 1
    assert "not found" in messages(result)


# ---------------------------------------------------------------- help


@pytest.mark.parametrize(
    "command",
    [["run"], ["explain"], ["rules", "list"], ["rules", "test"], ["audit", "verify"]],
    ids=lambda c: " ".join(c),
)
def test_help(command):
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    assert "Usage" in result.output
    assert " ".join(command) in result.output


def test_run_help_mentions_out():
    assert "--out" in invoke("run", "--help").output

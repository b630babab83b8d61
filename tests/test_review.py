"""audit summary / report / show / recheck and the review list, on real runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner import load_config
from cleaner.cli import app
from cleaner.review import load_run, read_inputs, segments
from cleaner.review import report as html_report
from cleaner.review.model import REMOVED
from cleaner.review.summary import summarize
from cleaner.run import run

from .conftest import ROOT

BENCH = ROOT / "bench" / "data"


@pytest.fixture(scope="module")
def seeds_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("seeds") / "out"
    return run([ROOT / "seeds"], out, load_config()).audit_path


def invoke(*args: object):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, [str(a) for a in args])


@pytest.mark.parametrize("dataset", ["noisy-dev/input", "html-dev"])
def test_segments_rebuild_every_output(tmp_path, dataset):
    """The review view is the input with removals marked: its live text is the output, exactly."""
    result = run([BENCH / dataset], tmp_path / "out", load_config())
    docs = load_run(result.audit_path).docs
    inputs = read_inputs(docs)
    checked = 0
    for d in docs:
        if not d.edits:
            continue
        segs = segments(inputs.get(d.source), d.edits)
        assert segs is not None, d.source
        live = "".join(t for t, kind, _ in segs if kind != REMOVED)
        assert live == Path(d.record["output"]).read_text(encoding="utf-8"), d.source
        checked += 1
    assert checked > 40


def test_summary_counts_on_the_seeds(seeds_run):
    s = summarize(load_run(seeds_run), over=0.3)
    rules = {r["rule"]: r for r in s["rules"]}
    ad = rules["ads/article-continues"]
    assert (ad["docs"], ad["edits"], ad["chars"]) == (1, 5, 5 * len("Article continues after this advertisement"))
    assert ad["top_removed"] == [["Article continues after this advertisement", 5]]
    assert rules["header/date"]["docs"] == 3  # 000, 001, 004 (003 has no date residue)
    assert s["docs"] == 5 and s["failed"] == 0
    assert [d["doc"] for d in s["over"]["top"]] == ["002_5a4bd590d2219db2"]
    assert s["flags"]["count"] == sum(r["flagged"] for r in s["rules"]) > 0
    assert sum(b["docs"] for b in s["removed_share"]) == 5
    assert s["chars_removed"] == sum(r["chars"] for r in s["rules"])


def test_summary_cli_table_and_json(seeds_run):
    res = invoke("audit", "summary", seeds_run)
    assert res.exit_code == 0 and "ads/article-continues" in res.output and "flagged edits" in res.output
    data = json.loads(invoke("audit", "summary", seeds_run, "--json", "--over", "0.5").output)
    assert data["over"]["docs"] == 0 and data["docs"] == 5
    assert invoke("audit", "summary", seeds_run.parent / "nope.jsonl").exit_code == 2


def test_show_one_document(seeds_run):
    res = invoke("audit", "show", seeds_run, "002_5a4bd590d2219db2")
    assert res.exit_code == 0
    assert "⟨ads/article-continues⟩" in res.output and "mentos4d slot" in res.output
    assert invoke("audit", "show", seeds_run, "no-such-doc").exit_code == 1


def test_review_list_beside_the_audit(tmp_path):
    res = invoke("run", ROOT / "seeds", "--out", tmp_path / "out")
    assert res.exit_code == 0, res.output
    listed = tmp_path / "out" / ".cleaner" / "review.jsonl"
    rows = [json.loads(x) for x in listed.read_text().splitlines()]
    assert [r["doc"] for r in rows] == ["002_5a4bd590d2219db2"] and rows[0]["removed_share"] > 0.3
    assert "listed in" in res.output
    res = invoke("run", ROOT / "seeds", "--out", tmp_path / "out2", "--review-over", "0.9")
    assert (tmp_path / "out2" / ".cleaner" / "review.jsonl").read_text() == ""


def _mixed_inputs(tmp_path: Path, pages: int = 8) -> Path:
    """Pages, texts and JSONL records, some of them cleaned heavily."""
    inputs = tmp_path / "in"
    shutil.copytree(BENCH / "noisy-dev" / "input", inputs / "noisy")
    for page in sorted((BENCH / "html-dev").glob("*.html"))[:pages]:
        shutil.copy(page, inputs / page.name)
    records = [{"id": p.stem, "text": p.read_text()} for p in sorted((BENCH / "noisy-dev" / "input").glob("*.txt"))]
    (inputs / "shard.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    return inputs


def _read_back(audit: Path, over: float) -> list[dict]:
    """The review list reckoned from the whole audit log, as it was made before runs kept rows."""
    from cleaner.review.model import iter_docs
    from cleaner.review.review_list import record_rows

    return sorted(record_rows(iter_docs(audit), over), key=lambda r: -r["removed_share"])


def _listed(out: Path) -> list[dict]:
    return [json.loads(x) for x in (out / ".cleaner" / "review.jsonl").read_text().splitlines()]


def test_review_list_from_the_run_is_the_audit_read_back(tmp_path):
    """The rows a run keeps in its part heads are the rows the audit log's records give."""
    inputs = _mixed_inputs(tmp_path, pages=100)
    out = tmp_path / "out"
    for over in ("0.3", "0.02"):
        res = invoke("run", inputs, "--out", out, "--review-over", over, "-q")
        assert res.exit_code == 0, res.output
        rows = _listed(out)
        assert rows == _read_back(out / ".cleaner" / "audit.jsonl", float(over))
        assert len(rows) > (1 if over == "0.3" else 30)
        kinds = {r["source"].rsplit(".", 1)[1].split(":")[0] for r in rows}  # a record's source is FILE:LINE
        assert kinds >= ({"txt", "jsonl"} if over == "0.3" else {"txt", "jsonl", "html"})


def test_review_list_reads_parts_kept_for_a_higher_threshold(tmp_path):
    """An incremental run lists the documents of the inputs it skipped too; when their part
    kept rows for a higher threshold (or none, from an older version), the part is read."""
    inputs = _mixed_inputs(tmp_path)
    out = tmp_path / "out"
    assert invoke("run", inputs, "--out", out, "--incremental", "-q").exit_code == 0
    heads = sorted((out / ".cleaner" / "parts").glob("*.head.json"))
    old = json.loads(heads[0].read_text())
    del old["review"]  # as an older version wrote it
    heads[0].write_text(json.dumps(old))
    changed = inputs / "noisy" / sorted(p.name for p in (inputs / "noisy").iterdir())[0]
    changed.write_text(changed.read_text() + "\nArticle continues after this advertisement\n")
    res = invoke("run", inputs, "--out", out, "--incremental", "--review-over", "0.02", "-q")
    assert res.exit_code == 0, res.output
    rows = _listed(out)
    assert rows == _read_back(out / ".cleaner" / "audit.jsonl", 0.02) and len(rows) > 30
    res = invoke("run", inputs, "--out", out, "--review-over", "0.5", "-q")  # a higher one: from the heads
    assert _listed(out) == _read_back(out / ".cleaner" / "audit.jsonl", 0.5)


def test_report_escapes_hostile_text_and_says_when_it_samples(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    hostile = '<script>alert("x")</script> <img src=x onerror=alert(1)> " onmouseover="alert(2)'
    for i in range(6):
        body = f"Story {i} about the harbour.\n\nArticle continues after this advertisement\n\n{hostile} {i}\n"
        (inputs / f"d{i}.txt").write_text(body)
    audit = run([inputs], tmp_path / "out", load_config()).audit_path
    page = html_report.build(load_run(audit), max_docs=3)
    data_block = page.split('<script type="application/json" id="data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data_block and ">" not in data_block  # nothing from a document can close the block
    assert "onmouseover" not in page.split('<script type="application/json"', 1)[0]
    data = json.loads(data_block)
    assert len(data["docs"]) == 3 and data["note"].startswith("Sampled: 3 of 6")
    assert any(hostile in seg[0] for d in data["docs"] for seg in d["segs"])
    assert "http://" not in page and "https://" not in page  # self-contained: nothing to fetch
    full = json.loads(html_report.build(load_run(audit)).split('id="data">', 1)[1].split("</script>", 1)[0])
    assert len(full["docs"]) == 6 and full["note"].startswith("All 6")


def test_report_cli(seeds_run, tmp_path):
    res = invoke("audit", "report", seeds_run, "--out", tmp_path / "r" / "report.html")
    assert res.exit_code == 0 and (tmp_path / "r" / "report.html").stat().st_size > 5000


# --- corrections: allow.yaml and recheck ------------------------------------------------------


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_recheck_predicts_what_a_rerun_restores(seeds_run, tmp_path):
    allow = write(
        tmp_path / "allow.yaml",
        "allow:\n  - text: 'READ: Rubio lays down ultimatum to Panama over canal'\n    note: a real headline\n"
        "disable: [spam/*]\n",
    )
    res = invoke("audit", "recheck", seeds_run, "--allow", allow, "--json")
    assert res.exit_code == 0, res.output
    changes = [json.loads(x) for x in res.stdout.splitlines() if x.startswith("{")]
    assert {(c["rule"], c["now"]) for c in changes} == {("promo/read-upper", "kept"), ("spam/brand-4d-slot", "off")}
    # a real re-run with the same allow list restores exactly those texts
    rerun = invoke("run", ROOT / "seeds", "--out", tmp_path / "out", "--allow", allow)
    assert rerun.exit_code == 0, rerun.output
    text = (tmp_path / "out" / "002_5a4bd590d2219db2.txt").read_text()
    assert "READ: Rubio lays down ultimatum to Panama over canal" in text and "mentos4d slot" in text
    log = [json.loads(x) for x in (tmp_path / "out" / ".cleaner" / "audit.jsonl").read_text().splitlines()]
    kept = [r for r in log if r.get("rule") == "promo/read-upper"]
    assert kept[0]["action"] == "flag" and kept[0]["meta"]["allowed"] == "allow.yaml:2"
    assert not [r for r in log if str(r.get("rule")).startswith("spam/")]


def test_allow_narrowed_to_rule_source_and_domain(tmp_path):
    marker = "Article continues after this advertisement"
    body = f"The council met on Monday.\n\n{marker}\n\nIt voted to keep the library open late.\n"
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.txt").write_text(body)
    (inputs / "b.txt").write_text(body)
    recs = [
        {"id": "x", "text": body, "url": "https://news.example.com/x"},
        {"id": "y", "text": body, "url": "https://other.org/y"},
    ]
    (inputs / "c.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs))

    def kept_in(allow_text: str) -> set[str]:
        allow = write(tmp_path / "allow.yaml", allow_text)
        out = tmp_path / f"out{len(list(tmp_path.iterdir()))}"
        assert invoke("run", inputs, "--out", out, "-q", "--allow", allow).exit_code == 0
        found = set()
        for r in (json.loads(x) for x in (out / ".cleaner" / "audit.jsonl").read_text().splitlines()):
            if r.get("rule") == "ads/article-continues" and r["action"] == "flag":
                found.add(r["source"].rsplit("/", 1)[-1])
        return found

    assert kept_in(f"allow:\n  - text: {marker}\n    rule: promo/*\n") == set()
    assert kept_in(f"allow:\n  - text: {marker}\n    rule: ads/*\n") == {"a.txt", "b.txt", "c.jsonl:1", "c.jsonl:2"}
    assert kept_in(f"allow:\n  - text: {marker}\n    source: '*/a.txt'\n") == {"a.txt"}
    assert kept_in("allow:\n  - pattern: '(?i)article continues'\n    domain: example.com\n") == {"c.jsonl:1"}


@pytest.mark.parametrize(
    "text, where",
    [
        ("allow:\n  - text: x\n    pattern: y\n", "allow.yaml:2: allow[0]"),
        ("allow:\n  - text: x\n    colour: red\n", "allow.yaml:3: allow[0].colour"),
        ("allow:\n  - pattern: '(unclosed'\n", "allow.yaml:2: allow[0].pattern"),
        ("allow:\n  - pattern: 'a*'\n", "allow.yaml:2: allow[0].pattern"),
        ("disable: ads/x\n", "allow.yaml:1: disable"),
        ("deny: []\n", "allow.yaml:1: deny"),
    ],
)
def test_bad_allow_file_stops_before_output(tmp_path, text, where):
    allow = write(tmp_path / "allow.yaml", text)
    res = invoke("run", ROOT / "seeds", "--out", tmp_path / "out", "--allow", allow)
    assert res.exit_code == 2 and where in res.output, res.output
    assert not (tmp_path / "out").exists()


def test_bundled_allow_list_is_empty_and_documented():
    cfg = load_config()
    assert not cfg.allow and cfg.allow.sources[0].endswith("allow.yaml")
    assert "domain:" in (ROOT / "rules" / "allow.yaml").read_text()


def test_recheck_reads_pages_without_their_input(tmp_path):
    pages = tmp_path / "pages"
    shutil.copytree(BENCH / "html-dev", pages, ignore=lambda d, names: [n for n in names if n.startswith(("0", "1"))])
    audit = run([pages], tmp_path / "out", load_config()).audit_path
    shutil.rmtree(pages)  # the view of a page starts from the audit's extracted text
    res = invoke("audit", "recheck", audit, "--allow", write(tmp_path / "a.yaml", "disable: ['*']\n"))
    assert res.exit_code == 0 and "would be undone" in res.output


def test_review_rows_past_keep_go_beside_the_part(tmp_path, monkeypatch):
    """Past KEEP rows, a part's rows go to a file beside it: the list reads that, not the
    part; when the file is gone, it reads the part's records. A rerun with few rows drops it."""
    from cleaner.review import model, review_list

    monkeypatch.setattr(review_list, "KEEP", 5)
    inputs = _mixed_inputs(tmp_path, pages=0)
    out = tmp_path / "out"
    assert invoke("run", inputs, "--out", out, "--review-over", "0.02", "-q").exit_code == 0
    parts = out / ".cleaner" / "parts"
    heads = {p: json.loads(p.read_text()) for p in parts.glob("*.head.json")}
    shard_head = next(p for p, h in heads.items() if h["source"].endswith("shard.jsonl"))
    kept = heads[shard_head]["review"]
    assert kept["over"] == 0.02 and "rows" not in kept  # its 30-odd rows are in the file
    side = parts / kept["file"]
    assert side.exists() and len(side.read_text().splitlines()) > 30
    assert any(h["review"].get("rows") for h in heads.values())  # a text's one row stayed in its head
    expected = _read_back(out / ".cleaner" / "audit.jsonl", 0.02)
    assert _listed(out) == expected and len(expected) > 30

    read = []
    monkeypatch.setattr(review_list, "iter_docs", lambda part: read.append(part) or model.iter_docs(part))
    assert invoke("run", inputs, "--out", out, "--review-over", "0.02", "-q").exit_code == 0
    assert read == [] and _listed(out) == expected  # every row from heads and files
    side.unlink()
    review_list.write(out / ".cleaner" / "audit.jsonl", 0.02, sorted(parts.glob("*[0-9a-f].jsonl")))
    key = lambda r: (-r["removed_share"], r["source"])  # noqa: E731 (parts here in another order)
    assert len(read) == 1 and sorted(_listed(out), key=key) == sorted(expected, key=key)  # its records instead

    monkeypatch.setattr(review_list, "KEEP", 1000)
    assert invoke("run", inputs, "--out", out, "--review-over", "0.02", "-q").exit_code == 0
    assert not side.exists() and "rows" in json.loads(shard_head.read_text())["review"]
    assert _listed(out) == expected

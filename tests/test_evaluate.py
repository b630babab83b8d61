"""cleaner eval: the scorers' definitions on hand-computed cases, set layouts, floors, the command."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner import load_config
from cleaner.cli import app
from cleaner.errors import ConfigError, InputError
from cleaner.evaluate import check_floors, evaluate, load_floors, load_set, read_outputs, score
from cleaner.evaluate.scoring import Noise, Sample, prf, score_html, score_noisy

CASES = Path(__file__).resolve().parent / "cases" / "eval"


def invoke(*args: object):
    return CliRunner().invoke(app, [str(a) for a in args])


def messages(result) -> str:
    stderr = getattr(result, "stderr", "") or ""
    return result.output + ("" if stderr in result.output else stderr)


# --- scorers, hand-computed -------------------------------------------------------------


def test_prf_counts_4_gram_shingles():
    # gold shingles: abcd, bcde; pred: abcd, bcdf -> one of two right each way
    assert prf("a b c d e", "a b c d f") == (0.5, 0.5)
    assert prf("", "") == (1.0, 1.0)
    assert prf("a b c d e", "") == (0.0, 0.0)
    assert prf("x y", "x y") == (1.0, 1.0)  # shorter than 4 tokens: one shingle of what there is


SAMPLES = [
    # noise left in: gold has 7 shingles, pred 9, 4 shared -> P 4/9, R 4/7; both paragraphs intact
    Sample(
        "left",
        "a b c d e\n\nBUY NOW\n\nRELATED: q\n\nf g h i j",
        "a b c d e\n\nf g h i j",
        (Noise("ad", "BUY NOW"), Noise("promo", "RELATED: q")),
    ),
    # noise-free control, returned with other line endings: counts as unchanged
    Sample("control", "x y z\n\nw", "x y z\n\nw", ()),
    # mojibake not fixed: the one shingle differs (P = R = 0), but canon text equals the gold
    Sample("moji", "It\u00e2\u20ac\u2122s fine.", "It\u2019s fine.", (Noise("mojibake", ""),)),
]
PREDS = {
    "left": "a b c d e\n\nBUY NOW\n\nf g h i j",
    "control": "x y z\r\n\r\nw\r\n",
    "moji": "It\u00e2\u20ac\u2122s fine.",
}


def test_score_noisy_figures():
    fig = score_noisy(SAMPLES, PREDS)
    p, r = (4 / 9 + 1 + 0) / 3, (4 / 7 + 1 + 0) / 3
    assert fig["P"] == pytest.approx(p) and fig["R"] == pytest.approx(r)
    assert fig["F1"] == pytest.approx(2 * p * r / (p + r))
    assert fig["par_kept"] == 1.0
    assert fig["exact"] == pytest.approx(2 / 3)  # "left" still carries BUY NOW
    assert fig["clean_exact"] == 1.0
    assert fig["noise_rm_by_family"] == {"ad": 0.0, "mojibake": 0.0, "promo": 1.0}
    assert fig["noise_rm"] == pytest.approx(1 / 3)


def test_score_noisy_missing_prediction_is_empty_and_changed_control_counts():
    fig = score_noisy(SAMPLES, {"control": "x y z"})
    assert fig["par_kept"] == pytest.approx(0.5 / 3)  # only "x y z" of the control's two paragraphs
    assert fig["clean_exact"] == 0.0
    assert fig["noise_rm_by_family"]["ad"] == 1.0  # an empty output has no noise left
    assert fig["noise_rm_by_family"]["mojibake"] == 1.0


def test_score_noisy_without_labels_takes_input_equal_gold_as_control():
    unlabelled = [Sample(s.id, s.text, s.gold, None) for s in SAMPLES]
    fig = score_noisy(unlabelled, PREDS)
    assert "noise_rm" not in fig
    assert fig["clean_exact"] == 1.0  # only "control" has input == gold
    assert score_noisy(unlabelled, {**PREDS, "control": "x y"})["clean_exact"] == 0.0


def test_score_html_means_over_pages():
    fig = score_html({"p": "a b c d e", "q": "k l m n o"}, {"p": "a b c d f"})
    assert (fig["P"], fig["R"], fig["F1"], fig["docs"]) == (0.25, 0.25, 0.25, 2)


# --- layouts ------------------------------------------------------------------------------


def test_layouts_are_detected():
    noisy, html = load_set(CASES / "noisy"), load_set(CASES / "html")
    assert (noisy.kind, len(noisy.samples), noisy.name) == ("noisy", 3, "noisy")
    assert {s.id: s.noise for s in noisy.samples}["clean"] == ()
    assert (html.kind, [i for i, _ in html.gold]) == ("html", ["library"])


@pytest.fixture
def tiny(tmp_path) -> Path:
    shutil.copytree(CASES / "noisy", tmp_path / "mine")
    return tmp_path / "mine"


def test_missing_gold_names_the_file(tiny):
    (tiny / "gold" / "ad.txt").unlink()
    with pytest.raises(InputError, match=r"gold/ad\.txt: missing"):
        load_set(tiny)


def test_missing_input_folder_named(tiny):
    shutil.rmtree(tiny / "input")
    with pytest.raises(InputError, match=r"mine/input: missing"):
        load_set(tiny)


def test_noise_labels_must_cover_the_inputs(tiny):
    lines = (tiny / "noisy.jsonl").read_text(encoding="utf-8").splitlines()
    (tiny / "noisy.jsonl").write_text("\n".join(lines[1:]) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"noisy\.jsonl: no record for ad"):
        load_set(tiny)
    (tiny / "noisy.jsonl").write_text("\n".join(lines) + '\n{"id": "ghost", "noise": []}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"noisy\.jsonl:4: id 'ghost' has no input/ghost\.txt"):
        load_set(tiny)
    (tiny / "noisy.jsonl").write_text("{not json\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"noisy\.jsonl:1: not a noise record"):
        load_set(tiny)


def test_html_set_needs_a_page_per_gold_entry(tmp_path):
    shutil.copytree(CASES / "html", tmp_path / "pages")
    gt = tmp_path / "pages" / "ground-truth.json"
    gt.write_text(json.dumps({"library": {"articleBody": "x"}, "gone": {"articleBody": "y"}}), encoding="utf-8")
    with pytest.raises(InputError, match=r"pages/gone\.html: missing"):
        load_set(tmp_path / "pages")
    gt.write_text(json.dumps({"library": {"url": "u"}}), encoding="utf-8")
    with pytest.raises(InputError, match=r"ground-truth\.json: library: no articleBody"):
        load_set(tmp_path / "pages")


def test_not_a_set(tmp_path):
    with pytest.raises(InputError, match="not a labelled set"):
        load_set(tmp_path)
    with pytest.raises(InputError, match="no such folder"):
        load_set(tmp_path / "nope")


# --- evaluate: cleans as `cleaner run` does -----------------------------------------------


def test_evaluate_tiny_noisy_set_is_clean(tmp_path):
    res = evaluate(load_set(CASES / "noisy"), load_config(), tmp_path / "out")
    fig = res.figures
    assert res.failures == []
    assert (fig["F1"], fig["par_kept"], fig["clean_exact"], fig["exact"], fig["noise_rm"]) == (1, 1, 1, 1, 1)
    # the kept outputs are what `cleaner run` writes, audit log included
    assert (tmp_path / "out" / "clean.txt").read_bytes() == (CASES / "noisy" / "input" / "clean.txt").read_bytes()
    assert (tmp_path / "out" / ".cleaner" / "audit.jsonl").exists()
    with pytest.raises(InputError, match="must be a new or empty folder"):
        evaluate(load_set(CASES / "noisy"), load_config(), tmp_path / "out")


def test_evaluate_output_equals_cleaner_run(tmp_path):
    labelled = load_set(CASES / "noisy")
    assert invoke("run", CASES / "noisy" / "input", "--out", tmp_path / "run", "-q").exit_code == 0
    evaluate(labelled, load_config(), tmp_path / "eval")
    for path in labelled.inputs:
        assert (tmp_path / "eval" / path.name).read_bytes() == (tmp_path / "run" / path.name).read_bytes()
    assert score(labelled, read_outputs(labelled, tmp_path / "run")) == evaluate(labelled, load_config()).figures


def test_evaluate_tiny_html_set(tmp_path):
    fig = evaluate(load_set(CASES / "html"), load_config(), tmp_path / "out").figures
    body = json.loads((CASES / "html" / "ground-truth.json").read_text(encoding="utf-8"))["library"]["articleBody"]
    p, r = prf(body, (tmp_path / "out" / "library.txt").read_text(encoding="utf-8"))
    assert (fig["P"], fig["R"]) == (p, r)
    assert r == 1.0 and p > 0.9  # the article is all there; navigation, aside and footer are not


# --- floors -------------------------------------------------------------------------------


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_floors_by_set_name_and_flat(tmp_path):
    f = write(tmp_path / "f.yaml", "noisy:\n  F1: 0.9\n  noise_rm.ad: 1.0\nhtml:\n  P: 0.5\n")
    assert [(x.figure, x.value) for x in load_floors(f, "noisy")] == [("F1", 0.9), ("noise_rm.ad", 1.0)]
    flat = write(tmp_path / "flat.yaml", "F1: 0.5\n")
    assert [x.figure for x in load_floors(flat, "anything")] == ["F1"]


@pytest.mark.parametrize(
    "text, match",
    [
        ("noisy:\n  F1: 0.9\n", r"f\.yaml: other: no floors for this set"),
        ("other:\n  F1: high\n", r"f\.yaml:2: F1: a floor is a number"),
        ("other:\n  F1: 1.5\n", r"f\.yaml:2: F1: a floor is a number"),
        ("other:\n  F1: 0.9\n  speed: 0.1\n", r"f\.yaml:3: speed: not a figure"),
    ],
)
def test_bad_floors_name_file_line_and_key(tmp_path, text, match):
    with pytest.raises(ConfigError, match=match):
        load_floors(write(tmp_path / "f.yaml", text), "other")


def test_check_floors_names_each_figure_below(tmp_path):
    f = write(tmp_path / "f.yaml", "s:\n  F1: 0.9\n  P: 0.5\n  noise_rm.ad: 1.0\n")
    fig = {"F1": 0.8, "P": 0.5, "noise_rm_by_family": {"ad": 0.5}}
    problems = check_floors(fig, load_floors(f, "s"))
    assert len(problems) == 2
    assert problems[0].startswith("F1 0.8000 is below its floor 0.9000") and "f.yaml:2" in problems[0]
    assert problems[1].startswith("noise_rm.ad 0.5000 is below its floor 1.0000")
    assert "no such figure" in check_floors({"F1": 1.0}, load_floors(f, "s"))[-1]


# --- the command --------------------------------------------------------------------------


def test_cli_eval_prints_figures_and_exit_codes(tmp_path):
    res = invoke("eval", CASES / "noisy")
    assert res.exit_code == 0, messages(res)
    assert "F1 1.0000" in res.output and "noise_rm by family: ad 1.0000  mojibake 1.0000" in res.output
    res = invoke("eval", CASES / "noisy", "--json")
    assert json.loads(res.output)["clean_exact"] == 1.0
    ok = write(tmp_path / "ok.yaml", "noisy:\n  F1: 1.0\n  clean_exact: 1.0\n")
    assert invoke("eval", CASES / "noisy", "--floors", ok).exit_code == 0
    # A gold body with a sentence the page lacks: recall drops below 1, precision stays.
    pages = tmp_path / "html"
    shutil.copytree(CASES / "html", pages)
    gold = json.loads((pages / "ground-truth.json").read_text())
    gold["library"]["articleBody"] += "\nA sentence the page never printed, so recall cannot be perfect."
    (pages / "ground-truth.json").write_text(json.dumps(gold))
    high = write(tmp_path / "high.yaml", "html:\n  R: 0.99\n  P: 0.5\n")
    res = invoke("eval", pages, "--floors", high)
    assert res.exit_code == 1
    assert "below floor: html: R" in messages(res) and "P " not in messages(res).split("below floor")[-1]


def test_cli_eval_usage_errors(tmp_path):
    res = invoke("eval", tmp_path)
    assert res.exit_code == 2 and "not a labelled set" in messages(res)
    bad = write(tmp_path / "bad.yaml", "noisy:\n  F1: x\n")
    res = invoke("eval", CASES / "noisy", "--floors", bad)
    assert res.exit_code == 2 and "bad.yaml:2: F1" in messages(res)
    assert not (tmp_path / "out").exists()


# --- bench/compare.py writes only its own section of BENCHMARKS.md --------------------------


def _compare_module():
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "bench" / "compare.py"
    spec = importlib.util.spec_from_file_location("bench_compare", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_compare_writes_only_its_section(tmp_path):
    write_section = _compare_module().write_section
    target = tmp_path / "BENCHMARKS.md"
    write_section(target, "first\n")
    assert target.read_text(encoding="utf-8") == "# Benchmarks\n\n<!-- quality:start -->\nfirst\n<!-- quality:end -->\n"
    other = "<!-- speed:start -->\nspeed table\n<!-- speed:end -->\n"
    target.write_text("# B\n\n" + other + "\n" + target.read_text(encoding="utf-8").split("\n\n", 1)[1] + "tail\n")
    write_section(target, "second\n")
    text = target.read_text(encoding="utf-8")
    assert other in text and "second\n<!-- quality:end -->\ntail\n" in text and "first" not in text

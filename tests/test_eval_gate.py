"""The CI quality gate: `cleaner eval` on the in-repo dev sets against bench/floors.yaml.

Like trafilatura's eval_gate.py: a change that lowers a pinned figure fails here. When the
project's shared bench (../shared/bench) is present, the in-package scorers are also checked
against its scorers, figure for figure, on the same outputs.
"""

from __future__ import annotations

import filecmp
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.evaluate import load_set, read_outputs, score

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
FLOORS = ROOT / "bench" / "floors.yaml"
SHARED = Path(os.environ.get("CLEANER_SHARED_BENCH", ROOT.parent / "shared" / "bench"))
SETS = ("noisy-dev", "html-dev")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict[str, tuple[Path, object]]:
    """Each dev set cleaned once through `cleaner eval --floors`, outputs kept for the checks below."""
    runs = {}
    for name in SETS:
        out = tmp_path_factory.mktemp("gate") / name
        res = CliRunner().invoke(app, ["eval", str(DATA / name), "--floors", str(FLOORS), "--out", str(out)])
        runs[name] = (out, res)
    return runs


@pytest.mark.parametrize("name", SETS)
def test_dev_set_meets_its_floors(outputs, name):
    _, res = outputs[name]
    stderr = getattr(res, "stderr", "") or ""
    assert res.exit_code == 0, f"quality gate failed on {name}:\n{res.output}{stderr}"
    assert "floors met" in res.output


def _shared_scorer():
    spec = importlib.util.spec_from_file_location("shared_score_noisy", SHARED / "score_noisy.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


needs_shared = pytest.mark.skipif(not (SHARED / "score_noisy.py").exists(), reason=f"no shared bench at {SHARED}")


@needs_shared
def test_noisy_figures_equal_the_shared_scorer(outputs):
    out, _ = outputs["noisy-dev"]
    mine = score(load_set(DATA / "noisy-dev"), read_outputs(load_set(DATA / "noisy-dev"), out))
    theirs = _shared_scorer().score(SHARED / "noisy-dev", out)
    for key in ("docs", "F1", "P", "R", "par_kept", "clean_exact", "exact"):
        assert round(mine[key], 4) == round(theirs[key], 4), key
    assert round(mine["noise_rm"], 4) == round(theirs["noise_rm_all"], 4)
    assert {k: round(v, 3) for k, v in mine["noise_rm_by_family"].items()} == theirs["noise_rm"]


@needs_shared
def test_html_figures_equal_the_shared_scorer(outputs):
    out, _ = outputs["html-dev"]
    mine = score(load_set(DATA / "html-dev"), read_outputs(load_set(DATA / "html-dev"), out))
    printed = subprocess.run(
        [sys.executable, str(SHARED / "score_html.py"), str(SHARED / "html-dev"), str(out)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    m = re.match(r"F1 ([\d.]+)  P ([\d.]+)  R ([\d.]+)  pages (\d+)", printed)
    assert m, printed
    assert (f"{mine['F1']:.4f}", f"{mine['P']:.4f}", f"{mine['R']:.4f}", str(mine["docs"])) == m.groups()


@needs_shared
@pytest.mark.parametrize("name", SETS)
def test_in_repo_copies_match_the_shared_sets(name):
    def files(root: Path) -> list[str]:
        return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())

    ours, shared = DATA / name, SHARED / name
    assert files(ours) == files(shared)
    match, mismatch, errors = filecmp.cmpfiles(ours, shared, files(ours), shallow=False)
    assert mismatch == [] and errors == []

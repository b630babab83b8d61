"""Cron mode: incremental runs, the lock, kill -9 and resume, --dry-run, --limit, summary.json."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cleaner.cli import app
from cleaner.state import LOCKED_EXIT, Lock

from .conftest import ROOT

NOISY = ROOT / "bench" / "data" / "noisy-dev" / "noisy.jsonl"


def invoke(*args: object):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, [str(a) for a in args])


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def outputs(folder: Path) -> dict[str, bytes]:
    return {k: v for k, v in files(folder).items() if not k.startswith(".cleaner/")}


def audit_records(folder: Path) -> list[dict]:
    return [json.loads(x) for x in (folder / ".cleaner" / "audit.jsonl").read_text().splitlines()]


def docs_in_audit(folder: Path) -> list[str]:
    return [r["source"] for r in audit_records(folder) if r["type"] == "doc"]


@pytest.fixture
def feed(tmp_path) -> Path:
    src = tmp_path / "feed"
    src.mkdir()
    for p in sorted((ROOT / "seeds").glob("*.txt"))[:3]:
        (src / p.name).write_bytes(p.read_bytes())
    return src


def test_unchanged_new_changed_and_config(feed, tmp_path):
    out = tmp_path / "out"
    assert invoke("run", feed, "--out", out, "--incremental").exit_code == 0
    before = files(out)
    # unchanged: nothing cleaned, nothing rewritten (not even the audit log)
    res = invoke("run", feed, "--out", out, "--incremental")
    assert res.exit_code == 0 and "nothing to do: 3 input(s) unchanged" in res.output
    assert files(out) == before
    # a new file: only it is cleaned; the audit covers all four inputs once each
    (feed / "new.txt").write_text("Article continues after this advertisement\n\nThe port reopened on Monday.\n")
    res = invoke("run", feed, "--out", out, "--incremental", "--dry-run")
    assert "would clean" in res.output and "new.txt" in res.output and "(new)" in res.output
    assert files(out) == before  # a dry run writes nothing
    res = invoke("run", feed, "--out", out, "--incremental")
    assert "from 1 input(s)" in res.output and "3 input(s) unchanged" in res.output
    assert sorted(docs_in_audit(out)) == sorted(str(p) for p in feed.glob("*.txt"))
    assert (out / "new.txt").read_text() == "The port reopened on Monday.\n"
    # a changed file (same size and mtime would not count; content does)
    (feed / "new.txt").write_text("READ: Something else entirely\n\nThe port closed again on Tuesday.\n")
    res = invoke("run", feed, "--out", out, "--incremental", "--dry-run")
    assert "(changed)" in res.output and res.output.count("would clean") == 1
    invoke("run", feed, "--out", out, "--incremental")
    assert (out / "new.txt").read_text() == "The port closed again on Tuesday.\n"
    assert len(docs_in_audit(out)) == 4
    # a touched but unchanged file is not cleaned again
    os.utime(feed / "new.txt")
    assert "nothing to do" in invoke("run", feed, "--out", out, "--incremental").output
    # a changed config: everything again
    allow = tmp_path / "allow.yaml"
    allow.write_text("disable: [spam/*]\n")
    res = invoke("run", feed, "--out", out, "--incremental", "--allow", allow, "--dry-run")
    assert res.output.count("(config changed)") == 4
    res = invoke("run", feed, "--out", out, "--incremental", "--allow", allow)
    assert "from 4 input(s)" in res.output
    summary = json.loads((out / ".cleaner" / "summary.json").read_text())
    assert summary["inputs_cleaned"] == 4 and summary["documents"] == 4 and "chars_removed_by_stage" in summary


def test_overlapping_run_is_refused(feed, tmp_path):
    out = tmp_path / "out"
    held = Lock(out / ".cleaner")  # as a running process would hold it
    try:
        res = invoke("run", feed, "--out", out, "--incremental")
        assert res.exit_code == LOCKED_EXIT == 3
        assert "another cleaner run is using this state folder" in res.output
        assert not [p for p in out.iterdir() if p.name != ".cleaner"]
    finally:
        held.release()
    assert invoke("run", feed, "--out", out, "--incremental").exit_code == 0


def test_limit_stops_early_and_the_next_run_finishes(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    lines = NOISY.read_text().splitlines()[:10]
    (src / "a.jsonl").write_text(
        "\n".join(json.dumps({"id": json.loads(x)["id"], "text": json.loads(x)["text"]}) for x in lines) + "\n"
    )
    out = tmp_path / "out"
    res = invoke("run", src, "--out", out, "--incremental", "--limit", "4")
    assert res.exit_code == 0 and "stopped at --limit 4" in res.output
    assert len((out / "a.jsonl").read_text().splitlines()) == 4
    res = invoke("run", src, "--out", out, "--incremental", "--dry-run")
    assert "(unfinished)" in res.output
    invoke("run", src, "--out", out, "--incremental")
    assert len((out / "a.jsonl").read_text().splitlines()) == 10
    assert len(docs_in_audit(out)) == 10


def _corpus(folder: Path, files_n: int, copies: int) -> None:
    """Many inputs, so that a kill lands part-way through a run."""
    folder.mkdir()
    records = [json.loads(x) for x in NOISY.read_text().splitlines()]
    for f in range(files_n):
        with (folder / f"shard{f:03}.jsonl").open("w") as fh:
            for c in range(copies):
                r = records[(f * copies + c) % len(records)]
                fh.write(json.dumps({"id": f"{r['id']}-{f}-{c}", "text": f"Copy {f}.{c}.\n\n" + r["text"]}) + "\n")
        (folder / f"page{f:03}.txt").write_text(records[f % len(records)]["text"])


def test_kill_9_then_resume_equals_an_uninterrupted_run(tmp_path):
    src = tmp_path / "in"
    _corpus(src, files_n=40, copies=6)
    ref = tmp_path / "ref"
    assert invoke("run", src, "--out", ref, "--workers", "1", "-q").exit_code == 0

    out = tmp_path / "out"
    cmd = [sys.executable, "-c", "from cleaner.cli import app; app()", "run", str(src), "--out", str(out)]
    killed_mid_run = False
    for _attempt in range(3):  # a kill that lands after the end proves nothing: try again
        proc = subprocess.Popen([*cmd, "--incremental", "--workers", "1", "-q"])
        parts = out / ".cleaner" / "parts"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if parts.exists() and len(list(parts.glob("*.jsonl"))) >= 10:
                break
            time.sleep(0.01)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            done = len(list(parts.glob("*.jsonl")))
            killed_mid_run = 0 < done < 80
            if killed_mid_run:
                break
    assert killed_mid_run, "could not kill the run part-way"
    assert not (out / ".cleaner" / "audit.jsonl").exists()  # assembled only at the end
    done = subprocess.run([*cmd, "--incremental", "--workers", "2", "-q"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert outputs(out) == outputs(ref)
    sources = docs_in_audit(out)
    assert len(sources) == len(set(sources)) == len(docs_in_audit(ref))
    strip = lambda recs: [r for r in recs if r["type"] != "run"]  # noqa: E731
    assert strip(audit_records(out)) == [
        r | {"output": r["output"].replace(str(ref), str(out))} if r["type"] == "doc" else r
        for r in strip(audit_records(ref))
    ]
    assert not [p for p in out.rglob(".*.tmp-*")]
    assert invoke("audit", "verify", out / ".cleaner" / "audit.jsonl", src, out).exit_code == 0

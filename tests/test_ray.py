"""`cleaner run --engine ray`: a new local Ray, and a two-node cluster on this machine.

Each run is compared with a local run of the same input: outputs byte for byte, and the
audit record for record (its run header aside: the command line differs).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from .conftest import ROOT, bench_common
from .test_incremental import audit_records, files, invoke, outputs

ray = pytest.importorskip("ray")

from cleaner.config import load_config  # noqa: E402
from cleaner.ray_engine import KILL_ONCE, _land, _relocated, _state_files  # noqa: E402
from cleaner.repeated_store import Store, learn, worker_part  # noqa: E402

CLEANER = [sys.executable, "-c", "from cleaner.cli import app; app()"]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    """JSONL records, plain texts and pages: every kind of input."""
    src = tmp_path_factory.mktemp("in")
    shutil.copy(ROOT / "bench/data/noisy-dev/noisy.jsonl", src / "noisy.jsonl")
    for p in sorted((ROOT / "seeds").glob("*.txt")):
        shutil.copy(p, src / p.name)
    for p in sorted((ROOT / "bench/data/html-dev").glob("*.html"))[:3]:
        shutil.copy(p, src / p.name)
    return src


@pytest.fixture(scope="module")
def local(inputs, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("local")
    assert invoke("run", inputs, "--out", out, "--workers", "2", "-q").exit_code == 0
    return out


def records(out: Path) -> list[dict]:
    """The audit without its run header, output paths made relative."""
    recs = [r for r in audit_records(out) if r["type"] != "run"]
    for r in recs:
        if r.get("output"):
            r["output"] = r["output"].replace(str(out), "OUT")
    return recs


def assert_same(out: Path, local: Path) -> None:
    assert outputs(out) == outputs(local)
    state = ".cleaner/repeated.json"  # the counting pass's store: merged here, in the same order
    assert (out / state).read_bytes() == (local / state).read_bytes()
    got = records(out)
    assert got == records(local)
    docs = [(r["source"], r["doc"]) for r in got if r["type"] == "doc"]
    assert len(docs) == len(set(docs))  # no document twice


def cleaner(*args: object, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*CLEANER, "run", *map(str, args)], capture_output=True, text=True, env=env, timeout=600)


def test_a_new_local_ray_equals_the_local_engine(inputs, local, tmp_path):
    out = tmp_path / "out"
    done = cleaner(inputs, "--out", out, "--engine", "ray", "--workers", "2")
    assert done.returncode == 0, done.stderr
    assert "ray engine" in done.stderr
    assert_same(out, local)
    summary = json.loads((out / ".cleaner" / "summary.json").read_text())
    assert summary["engine"] == "ray" and summary["workers"] == 2
    # The store's worker part was landed in the nodes' temp folder (the workers read that copy:
    # see the next test), and the stages that need it acted.
    part = worker_part(out / ".cleaner" / "repeated.json")
    landed = Path(tempfile.gettempdir()) / "cleaner-ray" / f"{hashlib.sha256(part).hexdigest()[:24]}.json"
    assert landed.read_bytes() == part
    assert "coherence/shared" in (out / ".cleaner" / "audit.jsonl").read_text()


def test_workers_read_the_shipped_store_not_the_drivers_file(tmp_path):
    """What a node does with the store: it never sees the driver's file, only its bytes."""
    path = tmp_path / "state" / "repeated.json"
    texts = [json.loads(x)["text"] for x in (ROOT / "bench/data/noisy-dev/noisy.jsonl").read_text().splitlines()]
    learn(texts, Store()).save(path)
    config = load_config().with_params("repeated", state=str(path)).with_params("coherence", state=str(path))
    files = _state_files(config)
    want = Store.load(path, counted_only=True)
    assert want.counts() and want.sentences.sigs  # something to ship
    path.unlink()  # as on another machine
    moved = _relocated(config, _land(files))
    for stage in ("repeated", "coherence"):
        spec = moved.stage(stage)
        assert spec is not None and spec.params.state != str(path)
        got = Store.load(Path(spec.params.state), counted_only=True)
        assert got.counts() == want.counts() and got.sentences.sigs == want.sentences.sigs


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):  # type: ignore[no-untyped-def]
    """Two nodes, one CPU each, as `ray start` makes them. Their workers see
    CLEANER_TEST_KILL_ONCE: a test that creates that folder has every batch's first attempt
    kill its worker."""
    kill = tmp_path_factory.mktemp("kill") / "on"
    with bench_common().ray_cluster(nodes=2, cpus=1, env={KILL_ONCE: str(kill)}) as address:
        yield address, kill


def test_a_two_node_cluster_equals_the_local_engine(cluster, inputs, local, tmp_path):
    address, _ = cluster
    out = tmp_path / "out"
    done = cleaner(inputs, "--out", out, "--engine", "ray", "--address", address)
    assert done.returncode == 0, done.stderr
    assert_same(out, local)
    assert json.loads((out / ".cleaner" / "summary.json").read_text())["workers"] == 2  # both nodes' CPUs


def test_batches_whose_worker_dies_are_retried_without_duplicates(cluster, inputs, local, tmp_path):
    address, kill = cluster
    kill.mkdir()
    try:
        out = tmp_path / "out"
        done = cleaner(inputs, "--out", out, "--engine", "ray", "--address", address, "-q")
        assert done.returncode == 0, done.stderr
        killed = len(list(kill.iterdir()))
    finally:
        shutil.rmtree(kill)
    assert killed >= 2  # every batch of both passes (one each here) died once
    assert_same(out, local)


def test_a_batch_that_always_dies_stops_the_run_and_the_next_run_finishes(cluster, inputs, local, tmp_path):
    address, kill = cluster
    kill.mkdir()
    (kill / "always").touch()
    out = tmp_path / "out"
    run = (inputs, "--out", out, "--engine", "ray", "--address", address, "--incremental", "-q")
    try:
        stopped = cleaner(*run)
    finally:
        shutil.rmtree(kill)
    assert stopped.returncode == 4, stopped.stderr
    assert "a Ray task failed for good" in stopped.stderr and "next --incremental run" in stopped.stderr
    done = cleaner(*run)
    assert done.returncode == 0, done.stderr
    assert_same(out, local)


def test_incremental_state_is_shared_with_the_local_engine(cluster, inputs, tmp_path):
    address, _ = cluster
    src = tmp_path / "feed"
    shutil.copytree(inputs, src)
    out = tmp_path / "out"
    ray_run = ("--out", out, "--incremental", "--engine", "ray", "--address", address, "-q")
    assert cleaner(src, *ray_run).returncode == 0
    unlocked = lambda: {k: v for k, v in files(out).items() if k != ".cleaner/lock"}  # noqa: E731 - holds a pid
    before = unlocked()
    # Unchanged input: nothing rewritten, by either engine.
    again = cleaner(src, *ray_run[:-1])
    assert again.returncode == 0 and "nothing to do" in again.stderr, again.stderr
    assert unlocked() == before
    res = invoke("run", src, "--out", out, "--incremental", "-q")
    assert res.exit_code == 0 and unlocked() == before
    # A new input: only it is cleaned, on Ray.
    seed = sorted((ROOT / "seeds").glob("*.txt"))[0]
    (src / "new.txt").write_text(seed.read_text() + "\nMore.\n")
    done = cleaner(src, *ray_run[:-1])
    assert done.returncode == 0 and "from 1 input(s)" in done.stderr, done.stderr
    assert (out / "new.txt").exists()


def test_clear_errors(monkeypatch, tmp_path):
    src = ROOT / "seeds"
    res = invoke(
        "run", src, "--out", tmp_path / "a", "--engine", "ray", "--address", f"127.0.0.1:{bench_common().free_port()}"
    )
    assert res.exit_code == 2 and "cannot reach the Ray cluster" in res.output
    res = invoke("run", src, "--out", tmp_path / "b", "--address", "127.0.0.1:6379")
    assert res.exit_code == 2 and "--address is for --engine ray" in res.output
    res = invoke("run", src, "--out", tmp_path / "c", "--engine", "spark")
    assert res.exit_code == 2 and "expected local or ray" in res.output
    monkeypatch.setattr("cleaner.ray_engine.available", lambda: False)
    res = invoke("run", src, "--out", tmp_path / "d", "--engine", "ray")
    assert res.exit_code == 2 and "pip install 'cleaner[ray]'" in res.output
    assert not any((tmp_path / x).exists() for x in "abcd")  # nothing written

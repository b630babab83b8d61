"""Finds inputs, feeds workers, writes outputs and the audit log."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from . import audit
from .config import Config, Fields
from .document import Cleaned
from .errors import InputError
from .io import Item, kind_of, open_writer, output_name, read_items
from .io.readers import RawLine, jsonl_lines, parse_line
from .io.writers import JsonlWriter, TextWriter, gzip_member, jsonl_line, packed
from .learn import learn_inputs
from .pipeline import Pipeline, Stats
from .pool import Engine, in_order
from .review import review_list
from .review.review_list import REVIEW_OVER
from .state import (
    Lock,
    PartWriter,
    assemble,
    content_hash,
    part_path,
    parts_digest,
    sweep_temporaries,
    why_redo,
)

BATCH = 32  # documents per task sent to a worker


@dataclass(frozen=True)
class Job:
    """One input file and where its output goes."""

    path: Path
    source: str  # the path as the user would recognise it
    doc_id: str  # document id (text/html) or id prefix for records without one (jsonl)
    out: Path


def _walk(folder: Path) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and kind_of(Path(name)):
                yield Path(root) / name


def plan(inputs: list[Path], out: Path) -> list[Job]:
    """Map every input file to its mirrored output, refusing anything that would clobber input."""
    out_abs = out.resolve()
    jobs: list[Job] = []
    for given in inputs:
        if not given.exists():
            raise InputError(f"{given}: no such file or folder")
        if given.is_dir():
            base = given
            if out_abs == given.resolve() or given.resolve() in out_abs.parents:
                raise InputError(f"--out {out} is inside the input folder {given}; its outputs would become inputs")
            files = list(_walk(given))
        else:
            if not kind_of(given):
                raise InputError(
                    f"{given}: unsupported file type (use .txt, .html, .htm, .jsonl, .jsonl.gz, .jsonl.zst)"
                )
            base = given.parent
            files = [given]
        for path in files:
            rel = path.relative_to(base)
            name = rel.as_posix()
            for suffix in (".jsonl.gz", ".jsonl.zst", ".jsonl", ".txt", ".html", ".htm"):
                if name.lower().endswith(suffix):
                    name = name[: -len(suffix)]
                    break
            jobs.append(Job(path=path, source=str(path), doc_id=name, out=out / output_name(rel)))
    seen: dict[Path, Job] = {}
    inputs_abs = {j.path.resolve() for j in jobs}
    for job in jobs:
        target = job.out.resolve()
        if target in inputs_abs:
            raise InputError(f"--out {out} would overwrite the input {job.source}")
        if target in seen:
            raise InputError(f"{job.source} and {seen[target].source} would both be written to {job.out}")
        seen[target] = job
    return jobs


@dataclass
class Result:
    stats: Stats
    audit_path: Path
    failures: list[tuple[str, str]] = field(default_factory=list)  # (source, error)
    seconds: float = 0.0
    bytes_in: int = 0
    todo: list[tuple[Job, str]] = field(default_factory=list)  # (job, why) cleaned this run
    skipped: int = 0  # inputs unchanged since their last clean (--incremental)
    audit_written: bool = True
    limited: bool = False  # --limit stopped the run early
    parts: list[Path] = field(default_factory=list)  # the audit parts, in log order


@dataclass
class Outcome:
    """What a worker sends back for one input unit: small and ready to write."""

    source: str
    doc_id: str | None
    notes: dict
    error: str | None = None  # the unit could not be read or cleaned
    text: str = ""  # the cleaned text of a .txt or .html input
    line: bytes | None = None  # JSONL: the output record, serialised by the worker
    meta: dict = field(default_factory=dict)
    url: str | None = None
    edit_lines: bytes = b""  # the document's audit edit records, JSONL
    chars_in: int = 0
    chars_out: int = 0
    review: tuple[float, int, list[str]] | None = None  # (share, chars, rules) removed, when over --review-over


_worker: tuple[Pipeline, Fields, float] | None = None


def _init_worker(config: Config, review_over: float) -> None:
    global _worker
    _worker = (Pipeline(config), config.fields, review_over)


def _clean_batch(units: list[Item | RawLine], runs: list[tuple[int, bool]]) -> tuple[list[Outcome], Stats]:
    assert _worker is not None
    return _clean_units(*_worker, units, runs)


def _clean_units(
    pipeline: Pipeline, fields: Fields, review_over: float, units: list[Item | RawLine], runs: list[tuple[int, bool]]
) -> tuple[list[Outcome], Stats]:
    """The outcomes of a batch, and its documents' counts summed (cheaper to send and add
    than each document's). `runs` (see `_runs`) says which outcomes go into one gzip member."""
    stats = Stats()
    outcomes = [_clean_unit(pipeline, fields, u, stats, review_over) for u in units]
    start = 0
    for n, gz in runs:
        if gz:
            _pack(outcomes[start : start + n])
        start += n
    return outcomes, stats


def _pack(outcomes: list[Outcome]) -> None:
    """Gzip the output lines of `outcomes` (one .gz output's) as one member, carried by the
    last of them; the others' lines become b"" (see `JsonlWriter.packed`)."""
    lines = [(o, o.line) for o in outcomes if o.line is not None]
    if not lines:
        return
    member = gzip_member(b"".join(line for _, line in lines))
    for o, _ in lines:
        o.line = b""
    lines[-1][0].line = member


def _runs(
    batches: Iterator[list[tuple[Job, Item | RawLine]]],
) -> Iterator[tuple[list[tuple[Job, Item | RawLine]], list[tuple[int, bool]]]]:
    """Each batch with its runs: (count, gzip?) for consecutive units of one input, cut at
    every BATCH-th unit of the input. A .gz input's batches start at its first unit and are
    whole multiples of BATCH, so its members, and its output's bytes, depend on that input
    only: not on the engine's batch size, nor on the other inputs of the run."""
    job: Job | None = None
    seen = 0  # units of `job` so far
    for batch in batches:
        runs: list[tuple[int, bool]] = []
        for unit_job, _ in batch:
            if unit_job is not job:
                job, seen = unit_job, 0
            if seen % BATCH == 0 or not runs:  # a new input, its next BATCH, or a new batch
                runs.append((0, packed(job.out)))
            runs[-1] = (runs[-1][0] + 1, runs[-1][1])
            seen += 1
        yield batch, runs


def _clean_unit(pipeline: Pipeline, fields: Fields, unit: Item | RawLine, stats: Stats, review_over: float) -> Outcome:
    """Parse (a JSONL line), clean and serialise one unit: all a worker's work, so the main
    process only reads and writes bytes. A cleaned document is counted into `stats`."""
    item = parse_line(unit, fields) if isinstance(unit, RawLine) else unit
    doc = item.doc
    if doc is None:
        return Outcome(item.source, None, item.notes, error=item.error)
    try:
        cleaned = pipeline.clean(doc)
        edits = b"".join(orjson.dumps(rec, option=orjson.OPT_APPEND_NEWLINE) for rec in audit.edit_records(cleaned))
        line = None if item.record is None else jsonl_line(fields.text, cleaned.text, item.record, cleaned.meta)
        review = _review(cleaned, review_over)
    except Exception as exc:  # noqa: BLE001 - reported per document, the run goes on
        error = f"internal error while cleaning: {type(exc).__name__}: {exc}"
        return Outcome(item.source, doc.id, item.notes, error=error)
    stats.add(cleaned)
    return Outcome(
        item.source,
        doc.id,
        item.notes,
        text=cleaned.text if line is None else "",
        line=line,
        meta=cleaned.meta,
        url=doc.url or None,
        edit_lines=edits,
        chars_in=len(doc.text),
        chars_out=len(cleaned.text),
        review=review,
    )


def _review(cleaned: Cleaned, over: float) -> tuple[float, int, list[str]] | None:
    """What the review list needs of a document that lost more than `over` of its text: the
    share and characters removed and the rules that removed them (review_list.record_rows
    reckons the same from the audit records; a page's share is of its extracted text)."""
    edited = [(st, e) for st, e in cleaned.edits if e.applied]
    base = next((len(e.replacement) for st, e in edited if st == "html"), len(cleaned.doc.text))
    removed = sum(max(0, e.end - e.start - len(e.replacement)) for st, e in edited if st != "html")
    share = removed / base if base else 0.0
    if share <= over:
        return None
    return share, removed, sorted({e.rule for st, e in edited if st != "html"})


def _units(
    jobs: list[tuple[Job, str]], config: Config, limit: int | None, result: Result
) -> Iterator[tuple[Job, Item | RawLine]]:
    """Every input's units in order: JSONL lines unparsed, other files read."""
    seen = 0
    for job, _why in jobs:
        if kind_of(job.path) == "jsonl":
            units: Iterator[Item | RawLine] = jsonl_lines(job.path, job.source, job.doc_id)
        else:
            units = read_items(job.path, job.source, job.doc_id, config.fields)
        for unit in units:
            if limit is not None and seen >= limit:
                result.limited = True
                return
            seen += 1
            yield job, unit


def _batches(pairs: Iterator[tuple[Job, Item | RawLine]], size: int) -> Iterator[list[tuple[Job, Item | RawLine]]]:
    """Batches of `size` units; a .gz input's start a batch of their own (see `_runs`)."""
    batch: list[tuple[Job, Item | RawLine]] = []
    for pair in pairs:
        if batch and pair[0] is not batch[-1][0] and (packed(pair[0].out) or packed(batch[-1][0].out)):
            yield batch
            batch = []
        batch.append(pair)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run(
    inputs: list[Path],
    out: Path,
    config: Config,
    audit_path: Path | None = None,
    workers: int = 1,
    on_failure: Callable[[str, str], None] | None = None,
    argv: list[str] | None = None,
    *,
    incremental: bool = False,
    state: Path | None = None,
    dry_run: bool = False,
    limit: int | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    on_start: Callable[[int | None, int, str], None] | None = None,
    engine: Engine | None = None,
    review_over: float = REVIEW_OVER,
) -> Result:
    """Clean every input into `out`. A document that fails is reported; the run goes on.

    Each input's output and audit part are published together (see state.py), so a run
    killed at any moment can be finished by the next one with nothing lost or repeated.
    `engine` runs the work (pool.py; default: local, `workers` processes). Each part keeps
    the review rows of its documents with more than `review_over` removed (review_list.py).
    """
    engine = engine or Engine(workers)
    started = time.monotonic()
    jobs = plan(inputs, out)
    audit_path = audit_path or out / ".cleaner" / "audit.jsonl"
    state = state or out / ".cleaner"
    result = Result(stats=Stats(), audit_path=audit_path)
    lock = None if dry_run else Lock(state)
    try:
        todo, skipped = _todo(jobs, out, state, config.hash, incremental)
        result.todo, result.skipped = todo, skipped
        if dry_run:
            return result
        sweep_temporaries({j.out.parent for j, _ in todo} | {state / "parts", audit_path.parent})
        compressed = any(j.path.name.lower().endswith((".gz", ".zst")) for j, _ in todo)
        total = None if compressed else sum(j.path.stat().st_size for j, _ in todo)
        if on_start is not None and config.learns():
            on_start(total, len(todo), "learning repeated lines")
        config = learn_inputs(
            config,
            ((j.path, j.source, j.doc_id) for j, _ in todo),
            state,
            on_progress=on_progress,
            limit=limit,
            engine=engine,
        )
        if on_start is not None:
            on_start(total, len(todo), "cleaning")
        _clean_jobs(todo, config, engine, limit, result, on_failure, on_progress, state, incremental, review_over)
        parts = [part_path(state, j.source) for j in jobs]
        result.parts = parts
        digest = parts_digest(parts)
        header = audit.header_record(config.hash, config.sources, argv) | {"parts": digest}
        previous = _audit_digest(audit_path)
        if todo or previous != digest:
            assemble(audit_path, header, parts)
        else:
            result.audit_written = False  # nothing changed: an unchanged re-run rewrites nothing
    finally:
        if lock is not None:
            lock.release()
    result.seconds = time.monotonic() - started
    return result


def _audit_digest(path: Path) -> str | None:
    try:
        with path.open("rb") as fh:
            head = orjson.loads(fh.readline())
    except (OSError, orjson.JSONDecodeError):
        return None
    return head.get("parts") if isinstance(head, dict) else None


def _todo(
    jobs: list[Job], out: Path, state: Path, config_hash: str, incremental: bool
) -> tuple[list[tuple[Job, str]], int]:
    todo: list[tuple[Job, str]] = []
    skipped = 0
    for job in jobs:
        if not incremental:
            todo.append((job, "full run"))
            continue
        why, _ = why_redo(job.path, job.source, out, state, config_hash)
        if why:
            todo.append((job, why))
        else:
            skipped += 1
    return todo, skipped


def _clean_jobs(
    todo: list[tuple[Job, str]],
    config: Config,
    engine: Engine,
    limit: int | None,
    result: Result,
    on_failure: Callable[[str, str], None] | None,
    on_progress: Callable[[int, int], None] | None,
    state: Path,
    incremental: bool,
    review_over: float,
) -> None:
    report = on_failure or (lambda source, error: print(f"{source}: {error}", file=sys.stderr))
    current = _Current(config, state, hash_inputs=incremental, review_over=review_over)

    def handle(job: Job, outcome: Outcome) -> None:
        current.switch(job, result)
        assert current.writer is not None and current.part is not None
        if outcome.error is not None:
            result.stats.add_failure()
            result.failures.append((outcome.source, outcome.error))
            report(outcome.source, outcome.error)
            rec = audit.doc_record(
                outcome.source, outcome.doc_id, status="failed", error=outcome.error, notes=outcome.notes
            )
            current.part.write(orjson.dumps(rec) + b"\n")
            return
        if outcome.line is not None and isinstance(current.writer, JsonlWriter):
            location = current.writer.write_line(outcome.line)
        else:
            location = current.writer.write(outcome.text)
        current.part.write(outcome.edit_lines)
        rec = audit.doc_record(
            outcome.source,
            outcome.doc_id,
            status="ok",
            chars_in=outcome.chars_in,
            chars_out=outcome.chars_out,
            output=location,
            meta=outcome.meta,
            notes=outcome.notes,
            url=outcome.url,
        )
        current.part.write(orjson.dumps(rec) + b"\n")
        current.review(outcome, location)
        if on_progress is not None:
            on_progress(1, outcome.chars_in)

    try:
        batches = _runs(_batches(_units(todo, config, limit, result), BATCH * engine.batch_scale))
        tasks = ((batch, ([unit for _, unit in batch], runs)) for batch, runs in batches)
        with ExitStack() as stack:
            if engine.parallel:
                pool = stack.enter_context(engine.executor(_init_worker, (config, review_over)))
                done = in_order(pool, _clean_batch, tasks, 4 * engine.slots)
            else:  # the same batches and runs in this process: the same outputs
                pipeline = Pipeline(config)
                done = ((batch, _clean_units(pipeline, config.fields, review_over, *args)) for batch, args in tasks)
            for batch, (outcomes, stats) in done:
                for (job, _), outcome in zip(batch, outcomes, strict=True):
                    handle(job, outcome)
                result.stats.merge(stats)
        current.finish(result, complete=not result.limited)
        if not result.limited:
            for job, _ in todo:  # an input with no readable document still gets its output and part
                if job not in current.done:
                    current.switch(job, result)
                    current.finish(result, complete=True)
    except BaseException:
        current.abort()
        raise


class _Current:
    """The input being written: its output file and its audit part. Inputs come in order."""

    def __init__(self, config: Config, state: Path, hash_inputs: bool, review_over: float):
        self.hash_inputs = hash_inputs  # a full run skips hashing; the next incremental run hashes
        self.review_over = review_over
        self.rows: review_list.Rows | None = None
        self.config = config
        self.state = state
        self.job: Job | None = None
        self.writer: TextWriter | JsonlWriter | None = None
        self.part: PartWriter | None = None
        self.done: set[Job] = set()

    def switch(self, job: Job, result: Result) -> None:
        if self.job is job:
            return
        self.finish(result, complete=True)
        st = job.path.stat()
        self.fingerprint = (st.st_size, st.st_mtime_ns, content_hash(job.path) if self.hash_inputs else None)
        result.bytes_in += st.st_size
        self.job = job
        self.writer = open_writer(job.out, self.config.fields.text)
        self.part = PartWriter(part_path(self.state, job.source))
        self.rows = review_list.Rows(self.part.path, self.review_over)

    def review(self, outcome: Outcome, output: str | None) -> None:
        """Keep the document's review row when it lost more than the threshold (`_review`)."""
        if outcome.review is not None and self.rows is not None:
            share, removed, rules = outcome.review
            doc = str(outcome.doc_id or outcome.source or "")
            self.rows.add(share, review_list.row(doc, outcome.source, output, share, removed, rules))

    def finish(self, result: Result, complete: bool) -> None:
        if self.job is None or self.writer is None or self.part is None or self.rows is None:
            return
        wrote_text = not (isinstance(self.writer, TextWriter) and self.writer.text is None)
        if kind_of(self.job.path) == "jsonl" or wrote_text:
            self.writer.commit()  # the output first: a part is never ahead of its output
        else:
            self.writer.abort()
        size, mtime_ns, digest = self.fingerprint
        head = {
            "type": "part",
            "source": self.job.source,
            "size": size,
            "mtime_ns": mtime_ns,
            "sha256": digest,
            "config": self.config.hash,
            "output": str(self.job.out) if (kind_of(self.job.path) == "jsonl" or wrote_text) else None,
            "complete": complete,
            "review": self.rows.publish(),  # its file, if any, before the part and its head
        }
        self.part.commit(head)
        self.done.add(self.job)
        self.job, self.writer, self.part, self.rows = None, None, None, None

    def abort(self) -> None:
        if self.writer is not None:
            self.writer.abort()
        if self.part is not None:
            self.part.abort()
        if self.rows is not None:
            self.rows.abort()
        self.job, self.writer, self.part, self.rows = None, None, None, None

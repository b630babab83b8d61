"""Finds inputs, feeds workers, writes outputs and the audit log."""

from __future__ import annotations

import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import audit
from .config import Config
from .document import Cleaned, Document
from .errors import InputError
from .io import Item, kind_of, open_writer, output_name, read_items
from .io.writers import JsonlWriter, TextWriter
from .pipeline import Pipeline, Stats

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


_worker_pipeline: Pipeline | None = None


def _init_worker(config: Config) -> None:
    global _worker_pipeline
    _worker_pipeline = Pipeline(config)


def _clean_batch(docs: list[Document]) -> list[Cleaned | str]:
    assert _worker_pipeline is not None
    return [_clean_one(_worker_pipeline, d) for d in docs]


def _clean_one(pipeline: Pipeline, doc: Document) -> Cleaned | str:
    try:
        return pipeline.clean(doc)
    except Exception as exc:  # noqa: BLE001 - reported per document, the run goes on
        return f"internal error while cleaning: {type(exc).__name__}: {exc}"


def _items(jobs: list[Job], config: Config) -> Iterator[tuple[Job, Item]]:
    for job in jobs:
        for item in read_items(job.path, job.source, job.doc_id, config.fields):
            yield job, item


def _batches(pairs: Iterator[tuple[Job, Item]]) -> Iterator[list[tuple[Job, Item]]]:
    batch: list[tuple[Job, Item]] = []
    for pair in pairs:
        batch.append(pair)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def run(
    inputs: list[Path],
    out: Path,
    config: Config,
    audit_path: Path | None = None,
    workers: int = 1,
    on_failure: Callable[[str, str], None] | None = None,
    argv: list[str] | None = None,
) -> Result:
    """Clean every input into `out`. A document that fails is reported; the run goes on."""
    started = time.monotonic()
    jobs = plan(inputs, out)
    audit_path = audit_path or out / ".cleaner" / "audit.jsonl"
    result = Result(stats=Stats(), audit_path=audit_path)
    log = audit.AuditWriter(audit_path)
    log.write(audit.header_record(config.hash, config.sources, argv))
    report = on_failure or (lambda source, error: print(f"{source}: {error}", file=sys.stderr))
    outputs = _Outputs(config.fields.text)

    def handle(job: Job, item: Item, outcome: Cleaned | str | None) -> None:
        writer = outputs.for_job(job)
        if not isinstance(outcome, Cleaned):  # outcome is None when the item could not be read
            error = item.error or str(outcome)
            result.stats.add_failure()
            result.failures.append((item.source, error))
            report(item.source, error)
            doc_id = item.doc.id if item.doc else None
            log.write(audit.doc_record(item.source, doc_id, status="failed", error=error, notes=item.notes))
            return
        location = writer.write(outcome.text, item.record, outcome.meta)
        for rec in audit.edit_records(outcome):
            log.write(rec)
        log.write(
            audit.doc_record(
                item.source,
                outcome.doc.id,
                status="ok",
                chars_in=len(outcome.doc.text),
                chars_out=len(outcome.text),
                output=location,
                meta=outcome.meta,
                notes=item.notes,
                url=outcome.doc.url or None,
            )
        )
        result.stats.add(outcome)

    try:
        batches = _batches(_items(jobs, config))
        if workers <= 1:
            pipeline = Pipeline(config)
            for batch in batches:
                for job, item in batch:
                    handle(job, item, _clean_one(pipeline, item.doc) if item.doc else None)
        else:
            with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(config,)) as pool:
                window: deque[tuple[list[tuple[Job, Item]], Future]] = deque()
                for batch in batches:
                    docs = [item.doc for _, item in batch if item.doc is not None]
                    window.append((batch, pool.submit(_clean_batch, docs)))
                    if len(window) >= 4 * workers:
                        _drain(window.popleft(), handle)
                while window:
                    _drain(window.popleft(), handle)
        outputs.close()
        for job in jobs:  # a shard with no readable record still gets its (empty) output
            if kind_of(job.path) == "jsonl" and not job.out.exists():
                open_writer(job.out, config.fields.text).commit()
        log.commit()
    except BaseException:
        outputs.abort()
        log.abort()
        raise
    result.seconds = time.monotonic() - started
    return result


class _Outputs:
    """The output file being written. Inputs are read in order, so one is open at a time."""

    def __init__(self, text_field: str):
        self.text_field = text_field
        self.job: Job | None = None
        self.writer: TextWriter | JsonlWriter | None = None

    def for_job(self, job: Job) -> TextWriter | JsonlWriter:
        if self.job is not job or self.writer is None:
            self.close()
            self.job, self.writer = job, open_writer(job.out, self.text_field)
        return self.writer

    def close(self) -> None:
        if self.writer is not None:
            self.writer.commit()
        self.writer = None

    def abort(self) -> None:
        if self.writer is not None:
            self.writer.abort()
        self.writer = None


def _drain(entry: tuple[list[tuple[Job, Item]], Future], handle: Callable) -> None:
    batch, future = entry
    outcomes = iter(future.result())
    for job, item in batch:
        handle(job, item, next(outcomes) if item.doc is not None else None)

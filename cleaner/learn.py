"""The counting pass of a run: learn repeated lines from its inputs before cleaning them.

Pass 1 reads every input once and adds its documents to the store kept in the state
folder (so run N also knows runs 1..N-1); pass 2, the cleaning, gets the store's path in
the `repeated` stage's params, and each worker loads it. Pages (.html) are not counted:
their text is known only after extraction, which is the expensive part of cleaning.
"""

from __future__ import annotations

import json
import os
import re
import zlib
from collections.abc import Callable, Iterable, Iterator
from itertools import groupby, islice
from pathlib import Path

import orjson
import zstandard

from .config import Config
from .io import kind_of, read_items
from .io.readers import open_lines
from .pool import Engine, in_order
from .repeated_store import DIGITS, Entry, Store, prepare

STATE_NAME = "repeated.json"
BATCH = 64  # documents per task sent to a worker
SENTENCE = "The minister said it again."  # what a suggested glued or lead rule's example cuts its marker from


def state_path(config: Config, state: Path) -> Path:
    """The repeated-line store of a run whose state folder is `state`: the stage's `state:`
    parameter when it names one."""
    spec = config.stage("repeated")
    return Path(spec.params.state) if spec is not None and spec.params.state else state / STATE_NAME


def learn_inputs(
    config: Config,
    jobs: Iterable[tuple[Path, str, str]],
    state: Path,
    engine: Engine | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    limit: int | None = None,
) -> Config:
    """Count the lines of `jobs` ((path, source, doc_id) triples) into the store in `state`.

    Returns the config with the store's path set in the `repeated` and `coherence` stages; the config
    unchanged when the stage is missing or off. The engine's workers (default: this
    process) take each document's signature and fingerprints; this process only merges.
    `limit` (the run's --limit) stops counting after that many documents, as the cleaning
    pass stops.
    """
    spec = config.stage("repeated")
    if spec is None or not config.learns():
        return config
    path = state_path(config, state)
    store = Store.load(path, spec.params.max_lines)

    def merge(prepared: list) -> None:
        for p in prepared:
            if p is not None:
                store.add_prepared(*p)

    engine = engine or Engine()
    field = config.fields.text
    if not engine.parallel:
        for docs in _batches(islice(_docs(jobs, config), limit), on_progress, BATCH * engine.batch_scale):
            merge(prepare_docs(docs, field))
    else:
        # Local workers read plain JSONL inputs themselves, by byte range: this process, which
        # must also merge every result in order, then neither reads nor sends those lines.
        by_range = engine.name == "local" and limit is None
        with engine.executor() as pool:
            tasks = _tasks(jobs, config, on_progress, BATCH * engine.batch_scale, by_range, limit)
            for size, (docs, prepared) in in_order(pool, _prepare_task, tasks, 4 * engine.slots):
                if size and on_progress is not None:
                    on_progress(docs, size)
                merge(prepared)
    store.save(path)
    config = config.with_params("repeated", state=str(path))
    if config.stage("coherence") is not None:  # its shared paragraphs need the sentences counted
        config = config.with_params("coherence", state=str(path))
    return config


RANGE = 1 << 19  # bytes of a plain JSONL input per task, when the workers read it themselves


def _tasks(
    jobs: Iterable[tuple[Path, str, str]],
    config: Config,
    on_progress: Callable[[int, int], None] | None,
    size: int,
    by_range: bool,
    limit: int | None = None,
) -> Iterator[tuple[int, tuple]]:
    """(bytes a worker reads itself, args of `_prepare_task`) in input order: a byte range
    of each plain JSONL input when `by_range`, else batches of documents read here (whose
    progress is counted as they are read). `limit` needs every input read here, so then
    there is one run of inputs, and it applies to all of them."""
    field = config.fields.text
    for ranged, run in groupby(jobs, key=lambda job: by_range and job[0].name.lower().endswith(".jsonl")):
        if ranged:
            for path, _, _ in run:
                for start, end in _ranges(path, RANGE):
                    yield end - start, ((path, start, end), field)
        else:
            for docs in _batches(islice(_docs(run, config), limit), on_progress, size):
                yield 0, (docs, field)


def _ranges(path: Path, size: int) -> Iterator[tuple[int, int]]:
    """(start, end) byte ranges of `path` of about `size` bytes, each ending at a line end."""
    try:
        with path.open("rb") as fh:
            total = os.fstat(fh.fileno()).st_size
            start = 0
            while start < total:
                fh.seek(min(start + size, total))
                fh.readline()  # on to the end of the line the cut fell in
                end = fh.tell()  # past `total` only if the file grew since: never mid-line
                yield start, end
                start = end
    except OSError:
        return  # unreadable: the cleaning pass reports it


def _prepare_task(docs: list[str | bytes] | tuple[Path, int, int], field: str) -> tuple[int, list]:
    """(documents read, `prepare_docs` of them): of a batch, or of a byte range read here."""
    if isinstance(docs, tuple):
        path, start, end = docs
        try:
            with path.open("rb") as fh:
                fh.seek(start)
                data = fh.read(end - start)
        except OSError:
            return 0, []  # the cleaning pass reports it
        docs = [raw for raw in data.split(b"\n") if raw.strip()]
    return len(docs), prepare_docs(docs, field)


def _docs(jobs: Iterable[tuple[Path, str, str]], config: Config) -> Iterator[str | bytes]:
    """Texts of plain-text inputs and raw lines of JSONL ones.

    JSONL lines go to the workers unparsed, so this process only reads. A line or file
    that cannot be read is skipped here: the cleaning pass reports it.
    """
    for src, source, doc_id in jobs:
        kind = kind_of(src)
        if kind == "jsonl":
            try:
                with open_lines(src) as lines:
                    yield from (raw for raw in lines if raw.strip())
            except (OSError, EOFError, zlib.error, zstandard.ZstdError):
                pass
        elif kind == "text":
            for item in read_items(src, source, doc_id, config.fields):
                if item.doc is not None:
                    yield item.doc.text


def _batches(
    docs: Iterable[str | bytes], on_progress: Callable[[int, int], None] | None, size: int
) -> Iterator[list[str | bytes]]:
    batch: list[str | bytes] = []
    for doc in docs:
        batch.append(doc)
        if on_progress is not None:
            on_progress(1, len(doc))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def prepare_docs(docs: list[str | bytes], field: str) -> list:
    """`prepare` for texts and raw JSONL lines (parsed here, in the worker)."""
    out = []
    for doc in docs:
        text: object = doc
        if isinstance(doc, bytes):
            try:
                record = orjson.loads(doc)
            except orjson.JSONDecodeError:
                continue
            text = record.get(field) if isinstance(record, dict) else None
        if isinstance(text, str):
            out.append(prepare(text))
    return out


def learn_paths(paths: Iterable[Path], config: Config, store: Store) -> Store:
    """Count the text documents of files or folders into `store` (for `rules suggest`)."""
    for given in paths:
        files = sorted(p for p in given.rglob("*") if p.is_file() and kind_of(p)) if given.is_dir() else [given]
        for path in files:
            for item in read_items(path, str(path), path.stem, config.fields):
                if item.doc is not None and item.doc.kind == "text":
                    store.add_document(item.doc.text)
    return store


def _rule_id(line: str, fp: str, taken: set[str]) -> str:
    words = re.findall(r"[a-z]+", line.lower())[:5]
    rid = "-".join(words) or f"line-{fp}"
    if rid in taken:
        rid = f"{rid}-{fp[:6]}"
    taken.add(rid)
    return rid


def _pattern(line: str) -> tuple[str, bool]:
    """The match for a learned line: literal, or a regex where its digits (dates, years) vary."""
    if not DIGITS.search(line):
        return line, False
    parts = DIGITS.split(line)
    return r"\d+".join(re.escape(p) for p in parts), True


def _lead_rule(e: Entry, fp: str, taken: set[str]) -> list[str]:
    """A start rule for what the corpus sets before its paragraphs ("zorbex spin But it is...")."""
    q = json.dumps
    body, regex = _pattern(e.example)
    match = "(?P<cut>" + (body if regex else re.escape(body)) + r"\s+)[^a-z\s]"  # then a sentence starts
    inside = f"They said: {e.example} and left."
    return [
        f"  - id: {_rule_id(e.example, fp, taken)}",
        f"    match: {q(match, ensure_ascii=False)}",
        "    regex: true",  # case kept: what follows must not be lowercase
        "    where: start",
        f"    reason: set before paragraphs by {e.count} unrelated documents (repeated/{fp})",
        "    examples:",
        f"      - in: {q(e.example + ' ' + SENTENCE, ensure_ascii=False)}",
        f"        out: {q(SENTENCE)}",
        f"      - in: {q(inside, ensure_ascii=False)}",
        f"        out: {q(inside, ensure_ascii=False)}",
    ]


def suggest_pack(store: Store, min_docs: int, pack: str = "learned") -> str:
    """Phrase rules (pack YAML) for the lines `min_docs` or more unrelated documents print.

    Each rule matches the whole line (case and digits aside), carries the example line the
    store kept as a positive example and the line inside a sentence as a negative one. A
    marker the corpus printed glued to a paragraph is a `glued: true` rule, with that as an
    example too; lowercase words it set before paragraphs are a start rule. It is a proposal:
    a person reads it and moves the rules worth keeping into a pack.
    """
    q = json.dumps  # a JSON string is a valid YAML double-quoted scalar
    out = [
        f"pack: {pack}",
        f"description: lines printed by {min_docs} or more unrelated documents ({store.docs} documents seen);"
        " review before use",
        "rules:",
    ]
    taken: set[str] = set()
    for fp, e in store.frequent(min_docs):
        if e.after.startswith(" "):  # the lowercase lead of paragraphs: a start rule
            out += _lead_rule(e, fp, taken)
            continue
        match, regex = _pattern(e.example)
        framed = f"First paragraph.\n\n{e.example}\n\nLast paragraph."
        inside = f"They said: {e.example} and left."
        out += [
            f"  - id: {_rule_id(e.example, fp, taken)}",
            f"    match: {q(match, ensure_ascii=False)}",
            *(["    regex: true"] if regex else []),
            "    ignore_case: true",
            "    where: line",
            *(["    glued: true"] if e.after else []),
            f"    reason: line printed by {e.count} unrelated documents (repeated/{fp})",
            "    examples:",
            f"      - in: {q(framed, ensure_ascii=False)}",
            f"        out: {q('First paragraph.' + chr(10) * 2 + 'Last paragraph.')}",
            *(
                [f"      - in: {q(e.example + SENTENCE, ensure_ascii=False)}", f"        out: {q(SENTENCE)}"]
                if e.after
                else []
            ),
            f"      - in: {q(inside, ensure_ascii=False)}",
            f"        out: {q(inside, ensure_ascii=False)}",
        ]
    if not taken:
        out[-1] = "rules: []"
    return "\n".join(out) + "\n"

"""Read .txt, .html/.htm and .jsonl[.gz|.zst] inputs into Documents, one Item at a time.

A bad document becomes an Item with an error (and its line, for JSONL); the reader goes
on with the rest of the file.
"""

from __future__ import annotations

import codecs
import gzip
import json
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import charset_normalizer
import orjson
import zstandard

from ..config import Fields
from ..document import Document

SUFFIXES = {
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
    ".jsonl.gz": "jsonl",
    ".jsonl.zst": "jsonl",
}


def kind_of(path: Path) -> str | None:
    name = path.name.lower()
    for suffix in (".jsonl.gz", ".jsonl.zst"):
        if name.endswith(suffix):
            return SUFFIXES[suffix]
    return SUFFIXES.get(path.suffix.lower())


@dataclass
class Item:
    """One unit of work: a document to clean, or the error that stopped it being read."""

    source: str  # "path" or "path:line"
    doc: Document | None = None
    error: str | None = None
    record: dict[str, Any] | None = None  # JSONL: the record, written back with text cleaned
    notes: dict[str, str] = field(default_factory=dict)  # e.g. how the bytes were decoded


def decode(data: bytes) -> tuple[str, str | None]:
    """Bytes -> text. Returns the text and a note when it was not plain UTF-8."""
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(codec), f"decoded as {codec} (byte-order mark)"
    if b"\x00" in data:
        raise ValueError("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    text = data.decode("utf-8", errors="replace")
    has_utf8 = any(ord(c) > 0x7F and c != "\ufffd" for c in text)
    if not has_utf8:  # no valid multi-byte sequence at all: a legacy single-byte charset
        try:  # the web's usual one; detectors guess wildly on short texts
            return data.decode("cp1252"), f"not UTF-8 (byte {first_bad}); detected as cp1252 (no valid UTF-8 sequence)"
        except UnicodeDecodeError:
            pass
        best = charset_normalizer.from_bytes(data).best()
        if best is not None:
            try:
                return data.decode(
                    best.encoding
                ), f"not UTF-8 (byte {first_bad}); decoded as {best.encoding} (detected)"
            except (UnicodeDecodeError, LookupError):
                pass
    bad = text.count("\ufffd") - data.decode("utf-8", errors="ignore").count("\ufffd")
    return text, f"invalid UTF-8 from byte {first_bad}; {bad} bad sequence(s) replaced with U+FFFD"


def _read_file(path: Path, source: str, doc_id: str, kind: str) -> Item:
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Item(source, error=f"cannot read: {exc.strerror or exc}")
    try:
        text, note = decode(data)
    except (ValueError, UnicodeDecodeError) as exc:
        return Item(source, error=str(exc))
    if not text.strip():
        return Item(source, error="empty document")
    notes = {"encoding": note} if note else {}
    return Item(source, doc=Document(id=doc_id, text=text, source=source, kind=kind), notes=notes)  # type: ignore[arg-type]


def _zst_lines(path: Path) -> Iterator[bytes]:
    """Lines of a .zst file; a truncated stream is an error, not a quiet end."""
    dctx = zstandard.ZstdDecompressor()
    obj = dctx.decompressobj()
    pending = b""
    with path.open("rb") as raw:
        while chunk := raw.read(1 << 20):
            if obj.eof:  # the next frame
                obj = dctx.decompressobj()
            data = obj.decompress(chunk)
            while obj.eof and obj.unused_data:
                rest = obj.unused_data
                obj = dctx.decompressobj()
                data += obj.decompress(rest)
            pending += data
            *lines, pending = pending.split(b"\n")
            for line in lines:
                yield line + b"\n"
        if not obj.eof and path.stat().st_size:
            raise zstandard.ZstdError("truncated zstd stream")
    if pending:
        yield pending


@contextmanager
def open_lines(path: Path) -> Iterator[Iterable[bytes]]:
    """The file's lines as bytes, decompressed by suffix."""
    name = path.name.lower()
    if name.endswith(".zst"):
        yield _zst_lines(path)
        return
    with gzip.open(path, "rb") if name.endswith(".gz") else path.open("rb") as fh:
        yield fh


def _has_big_float(value: Any) -> bool:
    if isinstance(value, float):
        return not -(2.0**64) < value < 2.0**64
    if isinstance(value, dict):
        return any(_has_big_float(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_big_float(v) for v in value)
    return False


def _parse_line(raw: bytes) -> Any:
    record = orjson.loads(raw)
    # orjson turns integers beyond 64 bits into floats; json keeps them exact. Checking the
    # parsed values is far cheaper than scanning the raw line for long digit runs.
    if _has_big_float(record):
        return json.loads(raw)
    return record


@dataclass
class RawLine:
    """A JSONL line not parsed yet: workers parse it, so the reading process only reads."""

    source: str  # the file as named in messages
    stem: str  # id prefix for a record without one
    lineno: int
    raw: bytes


def jsonl_lines(path: Path, source: str, stem: str) -> Iterator[RawLine | Item]:
    """The non-blank lines of a JSONL file, or an error Item where the file breaks off."""
    lineno = 0
    try:
        with open_lines(path) as fh:
            for raw in fh:
                lineno += 1
                if raw.strip():
                    yield RawLine(source, stem, lineno, raw)
    except (OSError, EOFError, zlib.error, zstandard.ZstdError) as exc:
        yield Item(f"{source}:{lineno + 1}", error=f"corrupt or truncated file after line {lineno}: {exc}")


def parse_line(line: RawLine, fields: Fields) -> Item:
    """One JSONL record as an Item: its document, or what is wrong with it."""
    where = f"{line.source}:{line.lineno}"
    try:
        record = _parse_line(line.raw)
    except (ValueError, UnicodeDecodeError) as exc:
        return Item(where, error=f"malformed JSON: {exc}")
    if not isinstance(record, dict):
        return Item(where, error="record is not a JSON object")
    text = record.get(fields.text)
    if not isinstance(text, str):
        problem = f"no `{fields.text}` field" if text is None else f"`{fields.text}` is not a string"
        return Item(where, error=problem, record=record)
    if not text.strip():
        return Item(where, error="empty document", record=record)
    rid = record.get(fields.id)
    doc_id = str(rid) if isinstance(rid, (str, int)) and not isinstance(rid, bool) else f"{line.stem}:{line.lineno}"
    url = record.get(fields.url)
    doc = Document(id=doc_id, text=text, source=where, url=url if isinstance(url, str) else "")
    return Item(where, doc=doc, record=record)


def _read_jsonl(path: Path, source: str, stem: str, fields: Fields) -> Iterator[Item]:
    for line in jsonl_lines(path, source, stem):
        yield parse_line(line, fields) if isinstance(line, RawLine) else line


def read_items(path: Path, source: str, doc_id: str, fields: Fields) -> Iterator[Item]:
    """Items of one input file. `source` is how it is named in messages and the audit."""
    kind = kind_of(path)
    if kind == "jsonl":
        yield from _read_jsonl(path, source, doc_id, fields)
    elif kind in ("text", "html"):
        yield _read_file(path, source, doc_id, kind)
    else:
        yield Item(source, error="unsupported file type")

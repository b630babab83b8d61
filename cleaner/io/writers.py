"""Writers that mirror the input layout. Every output appears atomically (temp + rename)."""

from __future__ import annotations

import gzip
import json
import os
import threading
from pathlib import Path
from typing import Any, BinaryIO

import orjson
import zstandard

from .readers import kind_of


def output_name(rel: Path) -> Path:
    """`a/b.txt` -> `a/b.txt`, a page `x.html` -> `x.txt`, shards keep their name."""
    if kind_of(rel) == "html":
        return rel.with_suffix(".txt")
    return rel


# Bytes a streamed file takes before they are sent to disk in the background: left to the
# end, the fsync of a big shard (and of its audit) waits for all of it, while no worker works.
SYNC_EVERY = 32 << 20


def _sync_quietly(fd: int) -> None:
    try:
        os.fdatasync(fd)
    except OSError:
        pass  # the fsync that publishes the file reports what is wrong


class AtomicFile:
    """A file written under a hidden temporary name and renamed into place when complete."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        self.count = 0
        self._unsynced = 0
        self._sync: threading.Thread | None = None

    def _written(self, fh: Any, size: int) -> None:
        """Count `size` bytes written to `fh` (the file itself, not a compressor on it);
        every SYNC_EVERY, start writing them to disk in a thread, while this one goes on."""
        self._unsynced += size
        if self._unsynced < SYNC_EVERY or (self._sync is not None and self._sync.is_alive()):
            return
        fh.flush()
        self._unsynced = 0
        self._sync = threading.Thread(target=_sync_quietly, args=(fh.fileno(),), daemon=True)
        self._sync.start()

    def _settle(self) -> None:
        """Wait for a background sync: the file must not be closed under it."""
        if self._sync is not None:
            self._sync.join()
            self._sync = None

    def _publish(self, fh: Any) -> None:
        fh.flush()
        self._settle()
        os.fsync(fh.fileno())
        fh.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        self._settle()
        self.tmp.unlink(missing_ok=True)


class TextWriter(AtomicFile):
    """One cleaned document -> one UTF-8 file."""

    def __init__(self, path: Path):
        super().__init__(path)
        self.text: str | None = None

    def write(self, text: str, record: dict | None = None, meta: dict | None = None) -> str:
        self.text = text
        self.count = 1
        return str(self.path)

    def commit(self) -> None:
        if self.text is None:
            return
        fh = self.tmp.open("w", encoding="utf-8", newline="")
        fh.write(self.text)
        self._publish(fh)


GZIP_LEVEL = 6  # gzip's own default: level 9 took half as long again for 0.5% smaller shards


def gzip_member(data: bytes) -> bytes:
    """`data` as one gzip member. A .gz output is a run of these (a valid gzip file: every
    reader reads on across members), made in the workers, so compressing scales with them."""
    return gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)


def packed(path: Path) -> bool:
    """Is `path` written as gzip members the workers make (a .gz output)? The one place that says so."""
    return path.name.lower().endswith(".gz")


class JsonlWriter(AtomicFile):
    """Records with the text field cleaned and lifted metadata added; compressed like the input.

    A `.gz` writer is `packed`: `write_line` takes gzip members the workers made (see
    `run._pack`), or b"" for a line that rode in a member written before it.
    """

    def __init__(self, path: Path, text_field: str):
        super().__init__(path)
        self.text_field = text_field
        self.raw: BinaryIO = self.tmp.open("wb")
        name = path.name.lower()
        self.zfh: Any = None
        self.packed = packed(path)
        if self.packed:
            self.fh: Any = self.raw
        elif name.endswith(".zst"):  # zstd at its default level keeps up in this process
            self.zfh = zstandard.ZstdCompressor().stream_writer(self.raw, closefd=False)
            self.fh = self.zfh
        else:
            self.fh = self.raw

    def write(self, text: str, record: dict | None = None, meta: dict | None = None) -> str:
        line = jsonl_line(self.text_field, text, record, meta)
        return self.write_line(gzip_member(line) if self.packed else line)

    def write_line(self, line: bytes) -> str:
        """Write a line made by `jsonl_line` (workers make them; gzip members for a packed
        writer); returns its location."""
        self.fh.write(line)
        self.count += 1
        self._written(self.raw, len(line))  # uncompressed size for .zst: it only times the syncs
        return f"{self.path}:{self.count}"

    def commit(self) -> None:
        if self.packed and not self.raw.tell():
            self.raw.write(gzip_member(b""))  # no records: still a valid gzip file
        if self.fh is not self.raw:
            self.fh.close()  # writes the compressed stream's end
        self._publish(self.raw)

    def abort(self) -> None:
        self._settle()
        try:
            self.raw.close()
        finally:
            super().abort()


def jsonl_line(text_field: str, text: str, record: dict | None, meta: dict | None) -> bytes:
    """The output record: the input record with its text cleaned and lifted metadata added."""
    out = dict(record or {})
    out[text_field] = text
    for key, value in (meta or {}).items():
        out.setdefault(key, value)  # never overwrite a field the record already has
    try:
        line = orjson.dumps(out)
    except TypeError:  # integers beyond 64 bits, read back by the json fallback
        line = json.dumps(out, ensure_ascii=False).encode("utf-8")
    return line + b"\n"


def open_writer(path: Path, text_field: str) -> TextWriter | JsonlWriter:
    if kind_of(path) == "jsonl":
        return JsonlWriter(path, text_field)
    return TextWriter(path)

"""The state folder: a lock, and one audit part per input file.

A part (the input's audit records) is written atomically right after its input's output
file, then its head (a small JSON file saying which input content and which config made
it) is written the same way: the head is the commit mark. So a run killed at any moment leaves
every input either done (output + part) or not done (its output, if any, is rewritten
the same way next time); the audit log is assembled from the parts, one per input, and
can hold no duplicate. `--incremental` skips the inputs whose part is still current.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import orjson

from .errors import CleanerError
from .io.writers import AtomicFile

LOCKED_EXIT = 3  # another run holds the lock (documented in the README and the CLI help)
_TMP = re.compile(r"^\..+\.tmp-\d+$")


class Locked(CleanerError):
    """Another run holds the state folder."""


class Lock:
    """An exclusive flock on STATE/lock; the kernel drops it when the process dies, even by kill -9."""

    def __init__(self, state: Path):
        state.mkdir(parents=True, exist_ok=True)
        self.path = state / "lock"
        self.fh = self.path.open("a+")
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.fh.seek(0)
            holder = self.fh.read().strip() or "unknown"
            self.fh.close()
            raise Locked(
                f"{self.path}: another cleaner run is using this state folder ({holder}); "
                "this run did nothing. Wait for it to finish."
            ) from None
        self.fh.seek(0)
        self.fh.truncate()
        self.fh.write(f"pid {os.getpid()}")
        self.fh.flush()

    def release(self) -> None:
        fcntl.flock(self.fh, fcntl.LOCK_UN)
        self.fh.close()


@dataclass(frozen=True)
class Fingerprint:
    """What made a part: the input's size, mtime and content hash, and the config hash."""

    size: int
    mtime_ns: int
    sha256: str
    config: str


def content_hash(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def part_path(state: Path, source: str) -> Path:
    return state / "parts" / (hashlib.sha1(source.encode("utf-8")).hexdigest()[:20] + ".jsonl")


def head_path(part: Path) -> Path:
    return part.with_suffix(".head.json")


def read_part_head(part: Path) -> dict | None:
    try:
        head = orjson.loads(head_path(part).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if not (isinstance(head, dict) and head.get("type") == "part") or not part.exists():
        return None
    return head


def why_redo(input_path: Path, source: str, out: Path, state: Path, config_hash: str) -> tuple[str, Fingerprint | None]:
    """Why an input must be cleaned again ("" when its part is current), and its fingerprint."""
    st = input_path.stat()
    head = read_part_head(part_path(state, source))
    if head is None:
        return "new", None
    if not head.get("complete"):
        return "unfinished", None
    if head.get("config") != config_hash:
        return "config changed", None
    if head.get("output") and not Path(head["output"]).exists():
        return "output missing", None
    if head.get("size") == st.st_size and head.get("mtime_ns") == st.st_mtime_ns:
        return "", None
    if head.get("sha256") is None:  # made by a full run, which does not hash: size or mtime differ
        return "changed", None
    digest = content_hash(input_path)  # touched: only a changed content counts
    if head.get("sha256") != digest:
        return "changed", None
    return "", Fingerprint(st.st_size, st.st_mtime_ns, digest, config_hash)


class PartWriter(AtomicFile):
    """One input's audit records, published only once its output is in place."""

    def __init__(self, path: Path):
        super().__init__(path)
        self.fh = self.tmp.open("wb")

    def write(self, line: bytes) -> None:
        self.fh.write(line)
        self._written(self.fh, len(line))

    def commit(self, head: dict) -> None:
        self._publish(self.fh)  # the records first, then the head that vouches for them
        mark = AtomicFile(head_path(self.path))
        with mark.tmp.open("wb") as fh:
            fh.write(orjson.dumps(head))
            mark._publish(fh)

    def abort(self) -> None:
        self._settle()
        self.fh.close()
        super().abort()


def assemble(audit: Path, header: dict, parts: Iterable[Path]) -> None:
    """Write the audit log: the run header, then each committed part's records, streamed."""
    out = AtomicFile(audit)
    with out.tmp.open("wb") as fh:
        fh.write(orjson.dumps(header) + b"\n")
        try:
            for p in parts:
                if read_part_head(p) is None:
                    continue
                with p.open("rb") as src:
                    while chunk := src.read(1 << 20):
                        fh.write(chunk)
                        out._written(fh, len(chunk))
        finally:
            out._settle()  # a failed copy closes the file: not under a background sync
        out._publish(fh)


def parts_digest(parts: Iterable[Path]) -> str:
    """Changes whenever any part does: an unchanged re-run can then leave the audit as it is."""
    h = hashlib.sha256()
    for p in parts:
        try:
            st = head_path(p).stat()
        except FileNotFoundError:
            continue
        h.update(f"{p.name} {st.st_size} {st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]


def sweep_temporaries(folders: Iterable[Path]) -> int:
    """Remove the hidden temporary files a killed run left behind."""
    removed = 0
    for folder in folders:
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            if _TMP.match(name):
                (folder / name).unlink(missing_ok=True)
                removed += 1
    return removed

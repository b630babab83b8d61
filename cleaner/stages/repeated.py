"""Lines that recur across many unrelated documents of the corpus: templates, footers, ad markers.

The stage knows nothing of files: its `state` parameter names a store written by the
run's counting pass (cleaner/repeated_store.py), which `cleaner run` fills in; with no
state (`cleaner.clean(text)` on one document) there is no corpus and the stage does nothing.

A line printed by `min_docs` or more unrelated documents is removed; one printed by
`flag_docs` or more is flagged for review. A line of fewer than `min_words` words ("Share",
a section heading) is only flagged: short lines repeat by chance more often. A learned line
glued to the start of a paragraph ("Our partners keep this page freeThe minister said") is
cut the same way: the corpus printed it on its own line, so its glued copy is boilerplate
too (`glue.glued_at` decides what is glued). So are learned lowercase words set before a
paragraph's first sentence (SEO spam: "slot gacor But it is...", `glue.lead`). The audit
records the rule `repeated/<fingerprint>` and the unrelated-document count as the score
(counts stop at 16).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..document import Document, Edit
from ..glue import glue_points, lead
from ..repeated_store import MAX_CHARS, MAX_SIGS, Store, fingerprint
from .base import Stage

HEAD = 8  # characters a line must share with the start of a learned line to be searched

# A line: (start, end, fingerprint, count) when it is a learned line, (start, end, None, 0)
# when it must be tried for a glued copy or a lead.
Found = list[tuple[int, int, str | None, int]]


def first_char(raw: str) -> str:
    """The character a line's glued and lead tests look at: its first, past a leading
    space, tab or no-break space."""
    first = raw[:1]
    return raw.lstrip()[:1] if first in " \t\u00a0" else first


def py_repeated_lines(text: str, sizes: bytes, most: int, counts: dict[str, int], firsts: frozenset[str]) -> Found:
    """The lines (as splitlines(keepends=True) cuts them) worth more than a glance: those that
    are a learned line, and those whose first character some learned line starts with or that
    start in lowercase. `sizes[k]` is 1 when a learned line has k words (k up to most + 1).
    The reference for the C `repeated_lines`."""
    found: Found = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        end = pos + len(raw)
        # Splitting stops past the largest size: a longer line's count is then most + 1,
        # in no learned size either, and a long line is not cut into all its words.
        if (len(raw) <= MAX_CHARS or len(raw.strip()) <= MAX_CHARS) and sizes[len(raw.split(None, most))]:
            fp = fingerprint(raw.strip())
            if fp and (n := counts.get(fp, 0)):
                found.append((pos, end, fp, n))
                pos = end
                continue
        first = first_char(raw)
        if first in firsts or first.islower():
            found.append((pos, end, None, 0))
        pos = end
    return found


try:
    from .._prints import repeated_lines
except ImportError:  # built without a C compiler
    repeated_lines = py_repeated_lines


@dataclass(frozen=True)
class RepeatedParams:
    state: str = ""  # the store file; set by `cleaner run` (OUT/.cleaner/repeated.json by default)
    min_docs: int = 5  # unrelated documents that make a line boilerplate: removed
    flag_docs: int = 3  # fewer than min_docs but at least this many: flagged
    min_words: int = 2  # shorter lines are flagged at most
    max_lines: int = 500_000  # fingerprints kept in the store (memory bound)

    def check(self) -> tuple[str, str] | None:
        if not 2 <= self.flag_docs <= self.min_docs:
            return "flag_docs", "need 2 <= flag_docs <= min_docs"
        if self.min_docs > MAX_SIGS:
            return "min_docs", f"counts stop at {MAX_SIGS}; use at most that"
        if self.max_lines < 1000:
            return "max_lines", "need at least 1000"
        return None


class Repeated(Stage):
    name = "repeated"
    Params = RepeatedParams
    _counts: dict[str, int] | None = None
    _sizes: frozenset[int] = frozenset()  # word counts of the learned lines
    _most = 0  # the largest of them
    _longest = 0  # characters of the longest learned line
    _starts: dict[int, frozenset[str]] = {}
    _firsts: frozenset[str] = frozenset()  # their first characters, in both cases: the cheapest test
    _mask = b""  # byte k is 1 when a learned line has k words

    def counts(self) -> dict[str, int]:
        """The learned counts, loaded once per process (workers build their own pipeline)."""
        if self._counts is None:
            p = self.params
            store = Store.load(Path(p.state), p.max_lines, counted_only=True) if p.state else Store()
            self._counts = store.counts(p.flag_docs)
            # Normalising keeps a line's words, so a line whose word count no learned line
            # has cannot match: a cheap test that spares hashing almost every line.
            self._sizes = frozenset(len(store.entries[fp].example.split()) for fp in self._counts)
            self._most = max(self._sizes, default=0)
            self._mask = bytes(k in self._sizes for k in range(self._most + 2))
            self._longest = max((len(store.entries[fp].example) for fp in self._counts), default=0)
            # How a learned line begins (lowercased, by length): only a line that begins the
            # same way is searched for a glued copy, which spares almost every line the search.
            starts: dict[int, set[str]] = {}
            for fp in self._counts:
                head = store.entries[fp].example.lower()[:HEAD]
                starts.setdefault(len(head), set()).add(head)
            self._starts = {n: frozenset(heads) for n, heads in starts.items()}
            self._firsts = frozenset(c for n in starts for h in starts[n] for c in (h[0], h[0].upper()))
        return self._counts

    def find(self, doc: Document, text: str) -> list[Edit]:
        counts = self.counts()
        if not counts:
            return []
        firsts = self._firsts
        edits: list[Edit] = []
        for pos, end, fp, n in repeated_lines(text, self._mask, self._most, counts, firsts):
            raw = text[pos:end]
            if fp is not None:
                edits.append(self._edit(pos, end, fp, n, raw.strip(), ""))
                continue
            first = first_char(raw)
            found, where = None, ""
            if first in firsts:
                found, where = self._glued(raw.strip(), counts), ", glued to the paragraph after it"
            if found is None and first.islower():
                found, where = self._lead(raw.strip(), counts), ", set before a paragraph"
            if found is not None:
                cut, fp, n, marker = found
                start = pos + len(raw) - len(raw.lstrip())
                edits.append(self._edit(start, start + cut, fp, n, marker, where))
        return edits

    def _edit(self, start: int, end: int, fp: str, n: int, line: str, where: str) -> Edit:
        p = self.params
        remove = n >= p.min_docs and len(line.split()) >= p.min_words
        return Edit(
            start,
            end,
            f"repeated/{fp}",
            f"line printed by {n} unrelated documents of the corpus{where}",
            action="remove" if remove else "flag",
            score=float(n),
        )

    def _glued(self, line: str, counts: dict[str, int]) -> tuple[int, str, int, str] | None:
        """(end, fingerprint, count, line) of the longest learned line `line` starts with, glued
        to a paragraph (`glued_at`: no space, then a sentence starts); None if there is none.
        A learned line is boilerplate by the corpus's count, so its glued copies are too."""
        head = line[:HEAD].lower()
        if not any(head[:n] in heads for n, heads in self._starts.items()):
            return None
        found = None
        for end in glue_points(line, self._longest):
            if len(line[:end].split(None, self._most)) not in self._sizes:
                continue
            fp = fingerprint(line[:end])
            if fp and (n := counts.get(fp, 0)):
                found = (end, fp, n, line[:end])
        return found

    @staticmethod
    def _lead(line: str, counts: dict[str, int]) -> tuple[int, str, int, str] | None:
        """(end, fingerprint, count, lead) of the learned lowercase words `line` opens with before
        its first sentence (`glue.lead`; end takes the space after them too); None if none."""
        end = lead(line)
        if not end:
            return None
        marker = line[:end].rstrip()
        fp = fingerprint(marker)
        if fp and (n := counts.get(fp, 0)):
            return end, fp, n, marker
        return None

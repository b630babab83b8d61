"""Lines that recur across many unrelated documents of the corpus: templates, footers, ad markers.

The stage knows nothing of files: its `state` parameter names a store written by the
run's counting pass (cleaner/repeated_store.py), which `cleaner run` fills in; with no
state (`cleaner.clean(text)` on one document) there is no corpus and the stage does nothing.

A line printed by `min_docs` or more unrelated documents is removed; one printed by
`flag_docs` or more is flagged for review. A line of fewer than `min_words` words ("Share",
a section heading) is only flagged: short lines repeat by chance more often. The audit
records the rule `repeated/<fingerprint>` and the unrelated-document count as the score
(counts stop at 16).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..document import Document, Edit
from ..repeated_store import MAX_CHARS, MAX_SIGS, Store, fingerprint
from .base import Stage


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
        return self._counts

    def find(self, doc: Document, text: str) -> list[Edit]:
        counts = self.counts()
        if not counts:
            return []
        p = self.params
        sizes, most = self._sizes, self._most
        edits: list[Edit] = []
        pos = 0
        for raw in text.splitlines(keepends=True):
            # Splitting stops past the largest size: a longer line's count is then most + 1,
            # in no learned size either, and a long line is not cut into all its words.
            if (len(raw) > MAX_CHARS and len(raw.strip()) > MAX_CHARS) or len(raw.split(None, most)) not in sizes:
                pos += len(raw)
                continue
            line = raw.strip()
            fp = fingerprint(line)
            n = counts.get(fp, 0) if fp else 0
            if n:
                remove = n >= p.min_docs and len(line.split()) >= p.min_words
                edits.append(
                    Edit(
                        pos,
                        pos + len(raw),
                        f"repeated/{fp}",
                        f"line printed by {n} unrelated documents of the corpus",
                        action="remove" if remove else "flag",
                        score=float(n),
                    )
                )
            pos += len(raw)
        return edits

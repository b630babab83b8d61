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

from .. import sentences
from ..document import Document, Edit
from ..repeated_store import MAX_CHARS, MAX_SIGS, Store, fingerprint, related, signature
from .base import Stage
from .coherence import content_words

MAX_TEASER = 1000  # characters: a longer paragraph is not judged as a teaser


@dataclass(frozen=True)
class RepeatedParams:
    state: str = ""  # the store file; set by `cleaner run` (OUT/.cleaner/repeated.json by default)
    min_docs: int = 5  # unrelated documents that make a line boilerplate: removed
    flag_docs: int = 3  # fewer than min_docs but at least this many: flagged
    min_words: int = 2  # shorter lines are flagged at most
    max_lines: int = 500_000  # fingerprints kept in the store (memory bound)
    shared: bool = True  # paragraphs an unrelated document prints too (teasers; see sentences.py):
    shared_remove_below: float = 0.15  # removed when this share of their words or less is found
    # elsewhere in their document (as coherence's flag_below), flagged below
    shared_flag_below: float = 0.4

    def check(self) -> tuple[str, str] | None:
        if not 2 <= self.flag_docs <= self.min_docs:
            return "flag_docs", "need 2 <= flag_docs <= min_docs"
        if self.min_docs > MAX_SIGS:
            return "min_docs", f"counts stop at {MAX_SIGS}; use at most that"
        if self.max_lines < 1000:
            return "max_lines", "need at least 1000"
        if not 0 <= self.shared_remove_below <= self.shared_flag_below <= 1:
            return "shared_remove_below", "need 0 <= shared_remove_below <= shared_flag_below <= 1"
        return None


class Repeated(Stage):
    name = "repeated"
    Params = RepeatedParams
    _counts: dict[str, int] | None = None
    _sizes: frozenset[int] = frozenset()  # word counts of the learned lines
    _shared: dict[int, list[frozenset[str]]] = {}  # noqa: RUF012 - replaced per instance when loaded

    def counts(self) -> dict[str, int]:
        """The learned counts, loaded once per process (workers build their own pipeline)."""
        if self._counts is None:
            p = self.params
            store = Store.load(Path(p.state), p.max_lines, counted_only=True) if p.state else Store()
            self._counts = store.counts(p.flag_docs)
            self._shared = store.shared if p.shared else {}
            # Normalising keeps a line's words, so a line whose word count no learned line
            # has cannot match: a cheap test that spares hashing almost every line.
            self._sizes = frozenset(len(store.entries[fp].example.split()) for fp in self._counts)
        return self._counts

    def find(self, doc: Document, text: str) -> list[Edit]:
        counts = self.counts()
        edits = self._repeated(text, counts) if counts else []
        if self._shared:
            taken = {e.start for e in edits}
            edits += [e for e in self._shared_lines(doc, text) if e.start not in taken]
        return edits

    def _repeated(self, text: str, counts: dict[str, int]) -> list[Edit]:
        p = self.params
        sizes = self._sizes
        edits: list[Edit] = []
        pos = 0
        for raw in text.splitlines(keepends=True):
            if (len(raw) > MAX_CHARS and len(raw.strip()) > MAX_CHARS) or len(raw.split()) not in sizes:
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

    @staticmethod
    def _first_shared(line: str, table: dict[int, list[frozenset[str]]]) -> list[int | None] | None:
        """The line's sentence fingerprints when its first sentence is in `table` (a teaser
        is a paragraph or two of sentences: longer lines are not looked at)."""
        if len(line) > MAX_TEASER or line.count(" ") + 1 < sentences.MIN_WORDS:
            return None
        first = sentences.SPLIT.split(line, maxsplit=1)[0]
        if first.count(" ") + 1 < sentences.MIN_WORDS or sentences.fingerprint(first) not in table:
            return None
        return sentences.line_sentences(line)

    def _shared_lines(self, doc: Document, text: str) -> list[Edit]:
        """Paragraphs whose every sentence an unrelated document of the corpus prints, and
        which use almost none of this document's words: teasers of other stories."""
        table = self._shared
        memo = self.memo(doc, "shared", dict)  # line -> its fingerprints if its first sentence
        # is shared, else None: a later pass sees the same lines
        found = []  # (start, end, fingerprints)
        pos = 0
        for raw in text.splitlines(keepends=True):
            line = raw.strip()
            fps = memo.get(line, False)
            if fps is False:
                fps = memo[line] = self._first_shared(line, table)
            if fps is not None:
                found.append((pos, pos + len(raw), fps))
            pos += len(raw)
        if not found:
            return []
        sig = self.memo(doc, "signature", lambda: signature(text))  # the original text's topic
        p = self.params
        edits = []
        for start, end, fps in found:
            if not sentences.is_shared(fps, table, sig, related):
                continue
            share = _share(text, start, end)
            if share >= p.shared_flag_below:
                continue  # it fits this document: it is the original, or both quote it
            edits.append(
                Edit(
                    start,
                    end,
                    "repeated/shared",
                    "paragraph an unrelated document of the corpus prints too, using "
                    f"{share:.0%} of this document's words",
                    action="remove" if share < p.shared_remove_below else "flag",
                    score=round(share, 3),
                )
            )
        return edits


def _share(text: str, start: int, end: int) -> float:
    """The share of the paragraph's content words that the rest of its document uses."""
    words = content_words(text[start:end])
    if not words:
        return 1.0
    rest = content_words(text[:start]) | content_words(text[end:])
    return len(words & rest) / len(words)

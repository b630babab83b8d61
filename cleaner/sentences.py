"""Shared paragraphs: sentences of one document printed as a paragraph of another.

Scrapers pick up teasers of other stories: a sentence or two of another article, set in
as a paragraph of its own. When that article is in the corpus too, its sentences are
there as well, in a document about something else. So the counting pass fingerprints
every sentence of every document with the document's topic signature, and a paragraph
whose every sentence an unrelated document prints is shared. Which of the two printed
it first cannot be told from the copies (an inserted pair of sentences may be two
paragraphs of the original, or part of one), so the stage decides by fit: a shared
paragraph that uses almost none of its own document's words is the borrowed copy. A
teaser is printed by its article, one other document; a sentence that several unrelated
documents print ("The company did not respond to a request for comment.") is a stock phrase,
only ever flagged.

Copies of one story quoting each other are related documents and never count. What the
pass keeps is bounded: `cap` sentence fingerprints, the oldest half dropped when full (a
teaser is usually printed near its article in a feed, so a window is enough).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable

MIN_WORDS = 6  # shorter sentences ("He declined.") recur by chance
KEY_WORDS = 8  # a sentence is known by its last this many words
MAX_KEPT = 4  # signatures kept per sentence, of unrelated documents
# A sentence ends at . ! ? or … (a closing quote or bracket after it belongs to it) before a
# space. The pattern starts with the punctuation, so the regex engine skips ahead to it; the
# group keeps the punctuation, and split() glues it back.
SPLIT = re.compile(r"([.!?…][\"'”’»)\]]?)\s+")

Sig = frozenset[str]


def fingerprint(sentence: str) -> int:
    """63 bits of the sentence's last `KEY_WORDS` words. Its end, because scraper noise glued
    to the start of a paragraph ("ADVERTISEMENTThe minister said...") would hide the copy.
    A copy is verbatim, so no more folding; two C checksums are several times cheaper than a
    cryptographic hash, which matters because every sentence of the corpus is fingerprinted."""
    data = " ".join(sentence.rsplit(None, KEY_WORDS)[-KEY_WORDS:]).encode()  # rsplit: only the end
    return ((zlib.crc32(data) << 31) ^ zlib.adler32(data)) & 0x7FFF_FFFF_FFFF_FFFF


def split(line: str) -> list[str]:
    """The sentences of a paragraph."""
    parts = SPLIT.split(line.strip())
    out = [parts[i] + parts[i + 1] for i in range(0, len(parts) - 1, 2)]
    if parts[-1]:
        out.append(parts[-1])
    return out


def first(line: str) -> str:
    """The first sentence of a paragraph."""
    parts = SPLIT.split(line.strip(), maxsplit=1)
    return parts[0] + parts[1] if len(parts) == 3 else parts[0]


def line_sentences(line: str) -> list[int | None]:
    """The fingerprint of each sentence of a paragraph; None for one too short to tell."""
    return [fingerprint(s) if s.count(" ") + 1 >= MIN_WORDS else None for s in split(line)]


def py_doc_sentences(text: str, lines: list[str] | None = None) -> list[int]:
    """The fingerprints of a document's sentences, each once, in order (a list, not a set:
    a set's order can change on its way from a worker, and the store must not).
    `lines`: `text.splitlines()`, when the caller has them already.

    The reference for `doc_sentences`, which is `_prints.sentence_prints` when the C
    extension is built: every sentence of the corpus goes through here."""
    found: dict[int, None] = {}
    for line in text.splitlines() if lines is None else lines:
        if line.count(" ") + 1 >= MIN_WORDS:
            # split(line) and line_sentences' test without their lists: a sentence's closing
            # punctuation holds no space, so its words are counted on the text before it.
            parts = SPLIT.split(line.strip())
            parts.append("")  # the last sentence has no closing punctuation of its own
            for i in range(0, len(parts) - 1, 2):
                if parts[i].count(" ") + 1 >= MIN_WORDS:
                    found[fingerprint(parts[i] + parts[i + 1])] = None
    return list(found)


def py_first_print(line: str) -> int | None:
    """The fingerprint of a paragraph's first sentence; None when it is too short to tell.
    The reference for `first_print`, which is C when the extension is built."""
    sentence = first(line)
    return fingerprint(sentence) if sentence.count(" ") + 1 >= MIN_WORDS else None


try:
    from ._prints import first_print, sentence_prints
except ImportError:  # built without a C compiler: the same fingerprints, slower
    doc_sentences = py_doc_sentences
    first_print = py_first_print
else:

    def doc_sentences(text: str, lines: list[str] | None = None) -> list[int]:
        return sentence_prints(text)  # cuts its own lines: cheaper in C than taking them


class Sentences:
    """Sentence fingerprint -> the signatures of unrelated documents printing it."""

    def __init__(self, cap: int, related: Callable[[Sig, list[Sig]], bool]):
        self.cap = cap
        self.related = related
        self.sigs: dict[int, list[Sig]] = {}

    def add(self, sig: Sig, sents: list[int]) -> None:
        sigs = self.sigs
        for fp in sents:
            kept = sigs.get(fp)
            if kept is None:
                sigs[fp] = [sig]
            elif len(kept) < MAX_KEPT and sig not in kept and not self.related(sig, kept):  # `in`: copies, fast
                kept.append(sig)
        if len(sigs) > self.cap:
            self._drop_oldest()

    def _drop_oldest(self) -> None:
        """Half the singletons go, oldest first; sentences already printed twice stay."""
        singles = [fp for fp, kept in self.sigs.items() if len(kept) == 1]
        for fp in singles[: max(len(singles) // 2, len(self.sigs) - self.cap)]:
            del self.sigs[fp]

    def shared(self) -> dict[int, list[Sig]]:
        """The sentences that two or more unrelated documents print: all the stage needs."""
        return {fp: kept for fp, kept in self.sigs.items() if len(kept) > 1}


def printed_by(
    fps: list[int | None], table: dict[int, list[Sig]], sig: Sig, related: Callable[[Sig, list[Sig]], bool]
) -> int:
    """How many documents unrelated to `sig` print every sentence of the paragraph: 0 when
    one sentence is printed by none (or is too short to tell), else the fewest for any of
    its sentences (counts stop at MAX_KEPT)."""
    if not fps or None in fps:
        return 0
    counts = []
    for fp in fps:
        assert fp is not None
        counts.append(sum(1 for s in table.get(fp, ()) if not related(sig, [s])))
    return min(counts)

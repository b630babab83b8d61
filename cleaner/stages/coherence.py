"""Off-topic paragraphs, by a topical-coherence score.

v1 scorer: the share of a paragraph's content words (stopwords dropped, crude stems)
that occur anywhere else in the document. An inserted sentence from another story
shares almost none; but neither do some real paragraphs, so a paragraph is removed only
when it also names people or places (capitalised words inside a sentence) that the
rest of the document never mentions, and only in a document whose paragraphs
usually do share words (median score). Otherwise a low score is flagged for review.
Only short paragraphs with enough words are judged: never the first paragraph, list
items or interview lines, headings, or long paragraphs.
"""

from __future__ import annotations

import functools
import re
import statistics
from dataclasses import dataclass

import justext

from ..document import Action, Document, Edit
from .base import Stage

WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
LIST_ITEM = re.compile(r"\s*(?:[-*•–]|\d{1,3}[.)]|[A-Z]{1,2}:|[A-Z][a-z]{0,10}:)\s")
SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*(?=\s+\S)")
LANGUAGES = ("English", "Spanish", "Portuguese", "French", "German", "Italian", "Indonesian")


@functools.cache
def stopwords() -> frozenset[str]:
    words: set[str] = set()
    for lang in LANGUAGES:
        words |= {w.lower() for w in justext.get_stoplist(lang)}
    return frozenset(words)


def stem(word: str) -> str:
    """A crude, language-blind stem: enough to match plurals and simple verb forms."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if w.endswith("ies") and len(w) > 4:
        return w[:-3] + "y"
    if w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 3:
        w = w[:-1]
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 4:
            return w[: -len(suffix)]
    return w


def names(text: str) -> set[str]:
    """Capitalised words that do not start a sentence: a cheap stand-in for entities."""
    stop = stopwords()
    found = set()
    for m in WORD.finditer(text):
        w = m.group()
        if not w[0].isupper() or w.lower() in stop:
            continue
        before = text[: m.start()].rstrip()
        if before and before[-1] not in ".!?:“\"‘'(":
            found.add(stem(w))
    return found


def _stem_of(word: str) -> str:
    return "" if len(word) <= 2 or word.lower() in stopwords() else stem(word)


# Whitespace-separated token -> its content stem ("" for none). Tokens repeat a lot, and
# splitting on whitespace is several times faster than the word regex; a word never spans
# whitespace, so the words of a text are the words of its tokens.
_TOKENS: dict[str, str] = {}
_MULTI: dict[str, list[str]] = {}  # the few tokens holding several words ("U.S.-China")
_SEVERAL = "\x00"  # what _TOKENS holds for those


def content_words(text: str) -> set[str]:
    """The distinct content-word stems of a text."""
    cache = _TOKENS
    tokens = set(text.split())
    out = set(map(cache.get, tokens))  # one C-level pass; None marks a token not seen yet
    if None in out:
        out.discard(None)
        if len(cache) > 500_000:  # bounded on any corpus
            cache.clear()
            _MULTI.clear()
        for t in tokens:
            if t in cache:
                continue
            stems = [s for s in map(_stem_of, WORD.findall(t)) if s]
            if len(stems) > 1:
                _MULTI[t] = stems
            value = cache[t] = _SEVERAL if len(stems) > 1 else (stems[0] if stems else "")
            out.add(value)
    if _SEVERAL in out:
        out.discard(_SEVERAL)
        for t in tokens:
            out.update(_MULTI.get(t, ()))
    out.discard("")
    return out  # type: ignore[return-value]


@dataclass(frozen=True)
class CoherenceParams:
    remove_below: float = 0.05  # share of words found elsewhere in the document
    flag_below: float = 0.15
    min_unshared_names: int = 2  # removal also needs this many names found nowhere else
    min_words: int = 6  # shorter paragraphs are never judged
    max_sentences: int = 3  # longer paragraphs are never judged
    min_paragraphs: int = 4  # documents with fewer paragraphs have too little context
    min_doc_median: float = 0.3  # judge only documents whose paragraphs usually share this much

    def check(self) -> tuple[str, str] | None:
        if not 0 <= self.remove_below <= self.flag_below <= 1:
            return "remove_below", "need 0 <= remove_below <= flag_below <= 1"
        return None


class Coherence(Stage):
    name = "coherence"
    Params = CoherenceParams
    _doc: tuple[str, str] | None = None
    _words: dict[str, set[str]]

    def find(self, doc: Document, text: str) -> list[Edit]:
        p = self.params
        lines = []  # (start, line)
        pos = 0
        for line in text.splitlines(keepends=True):
            if line.strip():
                lines.append((pos, line))
            pos += len(line)
        if len(lines) < p.min_paragraphs:
            return []
        # A later pass over the same document sees mostly the same lines: keep their words
        # (a memo of a pure function, reset per document so it stays small).
        if self._doc != (doc.id, doc.source):
            self._doc, self._words = (doc.id, doc.source), {}
        words_of = self._words
        blocks = []  # (start, end, words)
        seen: set[str] = set()
        shared: set[str] = set()  # words found in more than one block
        for start, line in lines:
            words = words_of.get(line)
            if words is None:
                words = words_of[line] = content_words(line)
            shared |= seen & words
            seen |= words
            blocks.append((start, start + len(line), words))
        scores: list[float] = []
        judged = []  # (start, end, score)
        for n, (start, end, words) in enumerate(blocks):
            if len(words) < p.min_words:
                continue
            score = len(words & shared) / len(words)
            scores.append(score)
            if score < p.flag_below and n > 0 and not LIST_ITEM.match(text, start):
                if len(SENTENCE_END.findall(text, start, end)) + 1 <= p.max_sentences:
                    judged.append((start, end, score))
        if not scores:
            return []
        # In a document whose paragraphs rarely share words, sharing none proves nothing.
        if statistics.median(scores) < p.min_doc_median:
            return []
        edits = []
        for start, end, score in judged:
            if score >= p.flag_below:
                continue
            action: Action = "flag"
            if score <= p.remove_below:
                block_names = names(text[start:end])
                unshared = sum(1 for w in block_names if w not in shared)
                if unshared == len(block_names) and unshared >= p.min_unshared_names:
                    action = "remove"
            edits.append(
                Edit(
                    start,
                    end,
                    "coherence/off-topic",
                    "paragraph shares few words with the rest of the document",
                    action=action,
                    score=round(score, 3),
                )
            )
        return edits

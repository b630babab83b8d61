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

import re
import statistics
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .. import embed, offtopic, sentences
from ..document import Action, Document, Edit
from ..offtopic import Model, load_model
from ..repeated_store import Store, related, signature
from ..tokens import TokenMap, spread
from ..words import stopwords
from .base import Stage

WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
LIST_ITEM = re.compile(r"\s*(?:[-*•–]|\d{1,3}[.)]|[A-Z]{1,2}:|[A-Z][a-z]{0,10}:)\s")


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
        i = m.start() - 1
        while i >= 0 and text[i].isspace():  # the character before, spaces skipped
            i -= 1
        if i >= 0 and text[i] not in ".!?:“\"‘'(":
            found.add(stem(w))
    return found


def _stem_of(word: str) -> str:
    return "" if len(word) <= 2 or word.lower() in stopwords() else stem(word)


def _token_stems(token: str) -> tuple[str, ...]:
    """The content stems of one whitespace token: a word never spans whitespace, so the
    words of a text are the words of its tokens ("U.S.-China" holds two)."""
    return tuple(s for s in map(_stem_of, WORD.findall(token)) if s)


STEMS = TokenMap(_token_stems)  # tokens repeat a lot: each is split and stemmed once


@dataclass(frozen=True)
class CoherenceParams:
    remove_below: float = 0.05  # share of words found elsewhere in the document
    flag_below: float = 0.15
    min_unshared_names: int = 2  # removal also needs this many names found nowhere else
    min_words: int = 6  # shorter paragraphs are never judged
    max_sentences: int = 3  # longer paragraphs are never judged
    min_paragraphs: int = 4  # documents with fewer paragraphs have too little context
    min_doc_median: float = 0.3  # judge only documents whose paragraphs usually share this much
    scorer: str = "share"  # "share": the rules above; "model": the off-topic model (offtopic.py);
    # "embed": that model, then sentence embeddings for the doubtful (extra [embed])
    model: str = ""  # the model file for scorer "model" or "embed" [default: the bundled one]
    embed_from: float = 0.1  # scorer "embed": embed a document with a paragraph this doubtful
    max_share: float = 0.4  # model/embed: a paragraph sharing this share of its words or more is not judged
    embed_min_words: int = 4  # embed: min_words (embeddings judge short paragraphs well)
    embed_min_doc_median: float = 0.0  # embed: min_doc_median (embeddings need no shared words)
    model_remove_above: float = 0.98  # share: remove a paragraph it would flag when the lexical
    # model gives it this probability or more (above 1: never)
    remove_above: float = 0.9  # scorer "model": remove at this probability or more
    flag_above: float = 0.5  # scorer "model": flag at this probability or more
    # Shared paragraphs (cleaner/sentences.py): one whose every sentence an unrelated document
    # of the corpus prints, and that fits its own document this badly, is a teaser of another
    # story. Needs the counting pass's store, which `cleaner run` sets in `state`.
    state: str = ""
    shared: bool = True
    shared_remove_below: float = 0.15  # removed when less than this share of its words occur
    shared_flag_below: float = 0.4  # elsewhere in its document; flagged below this

    def check(self) -> tuple[str, str] | None:
        if not 0 <= self.remove_below <= self.flag_below <= 1:
            return "remove_below", "need 0 <= remove_below <= flag_below <= 1"
        if self.min_words < 1:  # a paragraph without words has no share to judge
            return "min_words", "need 1 or more"
        if self.embed_min_words < 1:
            return "embed_min_words", "need 1 or more"
        if self.scorer not in ("share", "model", "embed"):
            return "scorer", "expected share, model or embed"
        if self.scorer == "embed" and not embed.available():
            return "scorer", "embed needs the [embed] extra: pip install torch==2.13.0 'cleaner[embed]'"
        if self.model_remove_above < 0:
            return "model_remove_above", "need 0 or more (above 1: never)"
        if not 0 <= self.flag_above <= self.remove_above <= 1:
            return "flag_above", "need 0 <= flag_above <= remove_above <= 1"
        if not 0 <= self.shared_remove_below <= self.shared_flag_below <= 1:
            return "shared_remove_below", "need 0 <= shared_remove_below <= shared_flag_below <= 1"
        return None


class Coherence(Stage):
    name = "coherence"
    Params = CoherenceParams

    _table: dict[int, list[frozenset[str]]] | None = None  # the shared sentences, once loaded

    def find(self, doc: Document, text: str) -> list[Edit]:
        lines = STEMS.line_shares(text)
        edits = self._off_topic(doc, text, lines)
        table = self._shared_table()
        if table:  # a teaser's edit replaces the off-topic one of its paragraph, unless that removes
            by_start = {e.start: e for e in edits}
            for e in self._teasers(doc, text, table, lines):
                if e.start not in by_start or (by_start[e.start].action == "flag" and e.action == "remove"):
                    by_start[e.start] = e
            edits = list(by_start.values())
        return edits

    def _off_topic(self, doc: Document, text: str, lines: Lines) -> list[Edit]:
        p = self.params
        confirm = p.scorer == "share" and p.model_remove_above <= 1
        found = candidates(text, judging(p), p.scorer != "share" or confirm, lines)
        if p.scorer == "model":
            return self._by_model(found)
        if p.scorer == "embed":
            return self._by_embedding(text, found, self.memo(doc, "vectors", dict))
        edits = []
        for c in found:
            if c.share >= p.flag_below:
                continue
            action: Action = "flag"
            reason = "paragraph shares few words with the rest of the document"
            if c.share <= p.remove_below:
                unshared = sum(1 for w in c.names if w not in c.shared)
                if unshared == len(c.names) and unshared >= p.min_unshared_names:
                    action = "remove"
            if action == "flag" and confirm and c.features is not None:
                # A doubtful paragraph the lexical model is all but sure of goes too.
                prob = load_model().probability(c.features)
                if prob >= p.model_remove_above:
                    action = "remove"
                    reason += f"; the off-topic model gives it {prob:.3f}"
            edits.append(Edit(c.start, c.end, "coherence/off-topic", reason, action=action, score=round(c.share, 3)))
        return edits

    def _shared_table(self) -> dict[int, list[frozenset[str]]]:
        """The sentences unrelated documents of the corpus share."""
        p = self.params
        if not (p.shared and p.state):
            return {}
        if self._table is None:  # once per pipeline: a run builds its own, after its counting pass
            self._table = Store.load(Path(p.state), counted_only=True).sentences.shared()
        return self._table

    def _teasers(self, doc: Document, text: str, table: dict[int, list[frozenset[str]]], lines: Lines) -> list[Edit]:
        """Paragraphs whose every sentence an unrelated document prints, and that use few of
        this document's words. Only a paragraph that fits badly is fingerprinted."""
        p = self.params
        verdicts = self.memo(doc, "teasers", dict)  # line -> its fingerprints if shared, else None
        edits = []
        for start, end, size, share in lines:
            if not size or share >= p.shared_flag_below:
                continue
            line = text[start:end].strip()
            if line not in verdicts:
                verdicts[line] = _first_shared(line, table)
            fps = verdicts[line]
            if fps is None:
                continue
            sig = self.memo(doc, "signature", lambda: signature(text))
            others = sentences.printed_by(fps, table, sig, related)
            if not others:
                continue
            # A teaser's article is one document; a sentence several print is a stock phrase.
            remove = others == 1 and share < p.shared_remove_below
            edits.append(
                Edit(
                    start,
                    end,
                    "coherence/shared",
                    f"paragraph {'an unrelated document' if others == 1 else f'{others} unrelated documents'} of "
                    f"the corpus print{'s' if others == 1 else ''} too, using {share:.0%} of this document's words",
                    action="remove" if remove else "flag",
                    score=round(share, 3),
                )
            )
        return edits

    def _by_embedding(self, text: str, found: list[Candidate], memo: dict[str, Any]) -> list[Edit]:
        """The lexical model first: only a document with a paragraph it finds at all
        doubtful is embedded, and the embedding model then decides with both."""
        lexical = load_model()
        doubtful = [c for c in found if lexical.probability(c.features or []) >= self.params.embed_from]
        if not doubtful:
            return []
        lines = [line for line in text.splitlines() if line.strip()]
        vecs = embed.vectors(lines, memo)
        for c in doubtful:
            assert c.features is not None
            c.features = c.features + embed.features(vecs, c.index)
        return self._by_model(doubtful, load_model(self.params.model or None, embedded=True))

    def _by_model(self, found: list[Candidate], model: Model | None = None) -> list[Edit]:
        p = self.params
        model = model or load_model(p.model or None)
        edits = []
        for c in found:
            assert c.features is not None
            prob = model.probability(c.features)
            if prob < p.flag_above:
                continue
            edits.append(
                Edit(
                    c.start,
                    c.end,
                    "coherence/off-topic",
                    f"paragraph looks inserted from another story (shares {c.share:.0%} of its words)",
                    action="remove" if prob >= p.remove_above else "flag",
                    score=round(prob, 3),
                )
            )
        return edits


MAX_TEASER = 1000  # characters: a longer paragraph is not judged as a teaser


# The non-blank lines as (start, end, how many content words, share of them found in
# another line): all most documents need, counted without a set per line (line_shares).
Lines = list[tuple[int, int, int, float]]


def _first_shared(line: str, table: dict[int, list[frozenset[str]]]) -> list[int | None] | None:
    """The line's sentence fingerprints when its first sentence is in `table`."""
    if len(line) > MAX_TEASER or line.count(" ") + 1 < sentences.MIN_WORDS:
        return None
    fp = sentences.first_print(line)
    if fp is None or fp not in table:
        return None
    return sentences.line_sentences(line)


def judging(p: CoherenceParams) -> CoherenceParams:
    """The parameters that choose the paragraphs to judge: the embed scorer has its own."""
    if p.scorer == "embed":
        return replace(p, min_words=p.embed_min_words, min_doc_median=p.embed_min_doc_median)
    return p


@dataclass
class Candidate:
    """A paragraph the stage may judge: short, not the first, not a list item."""

    index: int  # among the document's non-blank lines
    start: int
    end: int
    share: float  # share of its words found in another paragraph
    names: set[str]
    shared: dict[str, int]  # the document's words found in more than one paragraph: in how many
    features: list[float] | None = None


def candidates(
    text: str,
    p: CoherenceParams,
    with_features: bool = False,
    lines: Lines | None = None,
) -> list[Candidate]:
    """The paragraphs of `text` worth judging, with their scores; none in a document too
    short to judge, or whose paragraphs rarely share words (sharing none proves nothing).
    `lines`: `STEMS.line_shares(text)` when the caller has it already; the words themselves
    are worked out only for a document with a paragraph to judge."""
    if lines is None:
        lines = STEMS.line_shares(text)
    if len(lines) < p.min_paragraphs:
        return []
    scores: list[float] = []
    judged = []  # (index, start, end, score, sentences)
    limit = p.max_share if with_features and p.scorer != "share" else p.flag_below
    for n, (start, end, size, score) in enumerate(lines):
        if size < p.min_words:
            continue
        scores.append(score)
        if score < limit and n > 0 and not LIST_ITEM.match(text, start):
            count = len(sentences.split(text[start:end]))
            if count <= p.max_sentences:
                judged.append((n, start, end, score, count))
    if not scores:
        return []
    median = statistics.median(scores)
    if median < p.min_doc_median or not judged:
        return []
    blocks = STEMS.line_sets(text)  # the words themselves, for the paragraphs judged
    shared = spread([words for _, _, words in blocks])
    found = [Candidate(n, start, end, score, names(text[start:end]), shared) for n, start, end, score, _ in judged]
    if with_features and found:
        ctx = offtopic.context([b[2] for b in blocks], shared, median)
        for c, (n, *_, count) in zip(found, judged, strict=True):
            c.features = offtopic.features(ctx, n, c.names, count)
    return found

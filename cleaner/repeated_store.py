"""Repeated-line learning: how many *unrelated* documents of a corpus print the same line.

A line that recurs across many unrelated documents (a site template, a new ad marker, a
footer) is boilerplate. Copies of one story share sentences (quotes, the lead) that are
content, so each document gets a topic signature (its most frequent content words, those
said more than once when there are enough: a story repeats its names) and a
line's count only grows for a document whose signature overlaps none of the signatures
already kept for that line: five copies of one story count once.

The store maps a line fingerprint (normalised line, 8-byte blake2b) to
[unrelated-document count, kept signatures, one example line]. It is kept in a state
file (JSON lines, format below at `Store.save`) so a cron run learns from the runs before it.

Memory stays bounded: at most `max_lines` fingerprints are kept; past that, lines seen in
only one unrelated document (most of any corpus) are pruned, and if that is not enough the
least-counted half goes. A document with fewer than `RELATED` distinct content words is
not counted at all: with no topic to compare, it could not be told apart from a copy.
A line's count stops at `MAX_SIGS` (16), one kept signature per counted document: so
counting the same documents again (a re-run, a resumed run) never changes a count.

A marker a site glues to the paragraph after it ("Our partners keep this page freeThe
minister said") is counted as the line it would be (`_glued_prefixes`), with the word after
it: a document counts again only when another word follows it, since a name split the same
way ("Shares of Soft|Bank") is always followed by the same word. So is the lowercase lead
of a paragraph, SEO spam set before it with a space ("slot gacor But it is...", `_lead`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from hashlib import blake2b
from pathlib import Path

import orjson

from .errors import CleanerError
from .glue import glued_at, lead, learnable
from .sentences import Sentences, doc_sentences
from .tokens import TokenMap
from .words import stopwords as _stopwords

WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)
DIGITS = re.compile(r"\d+")
SIG_WORDS = 24  # a document's signature: its this many most frequent content words
RELATED = 5  # documents sharing this many signature words report the same story
SIG_CHARS = 3000  # the story is known from its first paragraphs; keeps the cost per document flat
BODY_WORDS = 12  # lines this long are the body a signature is taken from (footers are shorter)
MAX_SIGS = 16  # signatures kept per line
MIN_CHARS = 3  # shorter lines are not counted (list bullets, "--")
MAX_CHARS = 400  # longer lines are paragraphs of content, not a template
# Signatures of this many recent documents are shared: a copy's equal signature is then the
# same object, and the test that it is already kept (every line and sentence of a copy
# asks it) compares no words.
RECENT = 4096
# A marker glued to the paragraph after it ("Our partners keep this page freeThe minister
# said") is counted too, as its own line would be: where it ends within a line's first
# GLUED_HEAD characters, has GLUED_MIN_WORDS words or more (shorter ones, "OpenAI", are
# mostly names), in a line longer than GLUED_MIN_LINE.
GLUED_HEAD = 80
GLUED_MIN_WORDS = 2
GLUED_MIN_LINE = 20
# The cheap test for a line that may start with a glued marker: a capitalised word, or a
# quote and a capital, right after a letter or a marker's closing punctuation
# (`glue.learnable`). Latin letters only: a Unicode class makes it 3 times slower, and this
# runs on every line of the corpus. ("advertisementI think" is missed: a rare case.)
GLUE = re.compile(r"[a-zA-Z\u00c0-\u024f:.!)\]…–—|»›>‐‑-](?:[A-Z][a-z]|[“\"‘«(\[][A-Z])")
SENTENCE_ENDS = '.!?:;"”’)…'  # a line ending so is a paragraph: a lowercase line after it opens one


LETTER = re.compile(r"[^\W\d_]")
LEAD_WORD = re.compile(r"[^\W\d_]{3,}")


def normalise(line: str) -> str:
    """Lowercase, digit runs to 0, whitespace collapsed: a date or counter does not split a footer."""
    return " ".join(DIGITS.sub("0", line.lower()).split())


def py_fold(line: str) -> str:
    """`normalise(line)` of a stripped line, skipping the steps that would change nothing.

    The digit regex is the costly part; an ASCII line with no 0-9 has no digit at all. A
    line whose only whitespace is single spaces is already collapsed, and every whitespace
    character but the space is unprintable."""
    low = line.lower()
    if not low.isascii() or any(map(low.__contains__, "0123456789")):
        low = DIGITS.sub("0", low)
    if low.isprintable() and "  " not in low:
        return low
    return " ".join(low.split())


try:
    from ._prints import fold as _fold  # the same, in C
except ImportError:  # built without a C compiler
    _fold = py_fold


def py_digest8(norm: str) -> str:
    """A folded line's 8-byte BLAKE2b, in hex: the reference for the C `digest8`."""
    return blake2b(norm.encode(), digest_size=8).hexdigest()


try:
    from ._prints import digest8 as _digest8
except ImportError:  # built without a C compiler
    _digest8 = py_digest8


def _digest(norm: str) -> str | None:
    if len(norm) < MIN_CHARS or not LETTER.search(norm):
        return None
    return _digest8(norm)


def fingerprint(line: str) -> str | None:
    """The line's fingerprint (16 hex digits), or None for a line too short or long to count."""
    line = line.strip()
    if not MIN_CHARS <= len(line) <= MAX_CHARS:
        return None
    return _digest(_fold(line))


def _sig_words(token: str) -> tuple[str, ...]:
    """The content words of a token's lowercase. Lowercasing never makes or unmakes
    whitespace, and a final sigma looks no further than its word, so the words of a text
    are the words of its tokens."""
    stop = _stopwords()
    return tuple(w for w in WORD.findall(token.lower()) if w not in stop)


SIG_WORDS_OF = TokenMap(_sig_words, 200_000)  # tokens repeat: each is lowercased and matched once


def signature(text: str) -> frozenset[str]:
    """The document's topic: the most frequent content words of its body (of the first
    `SIG_CHARS` characters of it: `TokenMap.commonest` cuts the sample).

    Only lines of `BODY_WORDS` or more words count when there are any: a site's short
    template lines (its footer, its menu) would otherwise make all its pages look alike.
    """
    top = SIG_WORDS_OF.commonest(text, BODY_WORDS, SIG_CHARS, SIG_WORDS)
    repeated = [w for w, n in top if n >= 2]
    if len(repeated) >= RELATED:  # a story repeats its names; a footer says each word once
        return frozenset(repeated)
    return frozenset(w for w, _ in top)


def py_doc_lines(text: str, lines: list[str] | None = None) -> dict[str, str]:
    """Fingerprint -> the original line, once per document.

    Same fingerprints as `fingerprint(line)`; only lines short enough to count are folded.
    `lines`: `text.splitlines()`, when the caller has them already. The reference for
    `doc_lines`, which is `_prints.line_prints` when the C extension is built.
    """
    found: dict[str, str] = {}
    search = LETTER.search
    glued = GLUE.search
    before = ""  # the line before
    for raw in text.splitlines() if lines is None else lines:
        if len(raw) > GLUED_MIN_LINE and glued(raw, 0, GLUED_HEAD):
            _glued_prefixes(text, raw.strip(), found)
        if raw[:1].islower() and (not before.strip() or before.rstrip()[-1] in SENTENCE_ENDS):
            _lead(raw.rstrip(), found)  # a paragraph in lowercase: a line a hard wrap broke is not one
        before = raw
        if not MIN_CHARS <= len(raw) <= MAX_CHARS:
            if len(raw) < MIN_CHARS or len(raw.strip()) > MAX_CHARS:
                continue
        line = raw.strip()
        if len(line) < MIN_CHARS:
            continue
        norm = _fold(line)
        if len(norm) < MIN_CHARS or not search(norm):
            continue
        fp = blake2b(norm.encode(), digest_size=8).hexdigest()
        if fp not in found:
            found[fp] = line
    return found


try:
    from ._prints import line_prints
except ImportError:  # built without a C compiler: the same lines, slower
    doc_lines = py_doc_lines
else:

    def doc_lines(text: str, lines: list[str] | None = None) -> dict[str, str]:
        return line_prints(text, _glued_prefixes, _lead)  # cuts its own lines and hashes them


def _glued_prefixes(text: str, line: str, found: dict[str, str]) -> None:
    """Add the markers `line` may start with, glued to its paragraph (see `_candidate`).
    Stricter than `glued_at`, because here nothing vouches for the marker yet: see
    `glue.learnable`."""
    for m in GLUE.finditer(line, 0, GLUED_HEAD):
        end = m.start() + 1
        prefix, word = line[:end], line[end:].split(None, 1)[0]
        if prefix.count(" ") + 1 >= GLUED_MIN_WORDS and glued_at(line, end) and learnable(text, prefix, word):
            _candidate(found, prefix, word)


def _lead(line: str, found: dict[str, str]) -> None:
    """Add the lowercase words a paragraph opens with before its first sentence ("slot gacor
    But it is...", see `_candidate`). Not function words alone ("and the President"), nor
    mojibake ("â€” The"): a lead needs a run of 3 letters or more that is no stopword."""
    end = lead(line)
    if not end:
        return
    prefix = line[:end].rstrip()
    stop = _stopwords()
    if any(w.lower() not in stop for w in LEAD_WORD.findall(prefix)):
        _candidate(found, prefix, " " + line[end:].split(None, 1)[0])


def _candidate(found: dict[str, str], prefix: str, after: str) -> None:
    """Add `prefix` as "prefix\nafter": `after` is the word after it, glued ("word"), or after
    a space for a lead (" word"); `Store.add_prepared` counts it as a line, guarded by that word."""
    fp = fingerprint(prefix)
    if fp and fp not in found:
        found[fp] = f"{prefix}\n{after}"


@dataclass(slots=True)  # one per distinct line of the corpus: slots make it smaller and quicker
class Entry:
    count: int = 0
    sigs: list[frozenset[str]] = field(default_factory=list)
    example: str = ""
    own: frozenset[str] | None = None  # the example's words, worked out once (not saved)
    # A marker first seen glued: the word after it then, after a space for a paragraph's lead
    # ("" once seen on a line of its own).
    after: str = ""

    def saved(self) -> str:
        """The example as the state file keeps it: with the word after it, for a marker only
        seen glued or a lead."""
        return f"{self.example}\n{self.after}" if self.after else self.example

    @classmethod
    def loaded(cls, count: int, sigs: list[frozenset[str]], saved: object) -> Entry:
        example, _, after = str(saved).partition("\n")
        return cls(count, sigs, example, after=after)

    def words(self) -> frozenset[str]:
        if self.own is None:
            self.own = frozenset(WORD.findall(self.example.lower()))
        return self.own


def prepare(text: str) -> tuple[frozenset[str], dict[str, str], list[int]] | None:
    """What counting needs of a document: its signature, its lines by fingerprint and its
    sentences (see sentences.py).

    None when the document cannot vouch for anything. This is the costly part of
    counting, so a run does it in its worker processes and merges in the main one.
    """
    sig = signature(text)
    if len(sig) < RELATED:
        return None  # too few content words to tell which story it reports
    lines = doc_lines(text)  # each cuts its own lines: in C, cheaper than taking a list
    sents = doc_sentences(text)
    return (sig, lines, sents) if lines or sents else None


def related(sig: frozenset[str], kept: list[frozenset[str]], own: frozenset[str] = frozenset()) -> bool:
    """Does `sig` report the same story as one of `kept`?

    `own` (a counted line's words) does not count: a long footer would otherwise put its
    words in every page's signature. Two signatures that share most of what is left are
    related even below `RELATED` words (short documents). When nothing is left, they are
    (can't tell).
    """
    if sig in kept:  # a copy of a document already counted (frozensets compare hashes first)
        return True
    a = sig - own
    for s in kept:
        b = s - own
        common = len(a & b)
        if common >= RELATED or 2 * common >= min(len(a), len(b)):
            return True
    return False


class Store:
    """Fingerprint -> unrelated-document count, bounded in size; loads and saves as JSON."""

    def __init__(self, max_lines: int = 500_000):
        self.max_lines = max_lines
        self.entries: dict[str, Entry] = {}
        self.docs = 0
        self.pruned = 0
        self.partial = False  # loaded without signatures (counted_only): read-only
        self.sentences = Sentences(max_lines // 2, related)  # half the lines: they cost memory too
        self._recent: dict[frozenset[str], frozenset[str]] = {}  # signatures of recent documents

    def add_document(self, text: str) -> None:
        prepared = prepare(text)
        if prepared is not None:
            self.add_prepared(*prepared)

    def add_prepared(self, sig: frozenset[str], lines: dict[str, str], sents: list[int] | None = None) -> None:
        """Count one document's lines and sentences (see `prepare`)."""
        if self.partial:
            raise CleanerError("a store loaded without its signatures cannot count documents")
        self.docs += 1
        same = self._recent.get(sig)  # a copy's signature: then `sig in kept` is an identity test
        if same is not None:
            sig = same
        else:
            if len(self._recent) >= RECENT:
                self._recent.clear()
            self._recent[sig] = sig
        if sents:
            self.sentences.add(sig, sents)
        entries = self.entries
        for fp, line in lines.items():
            after = ""
            if "\n" in line:  # a marker glued to its paragraph, and the word after it
                line, after = line.split("\n", 1)
            e = entries.get(fp)
            if e is None:
                entries[fp] = Entry(1, [sig], line, after=after)
                continue
            if after and after == e.after:
                continue  # the same word after it each time: a compound ("SoftBank"), not a marker
            if not after and e.after:  # now printed on a line of its own: a line like any other
                e.example, e.after = line, ""
            kept = e.sigs
            if len(kept) >= MAX_SIGS or sig in kept or related(sig, kept, e.words()):
                continue  # saturated, or a copy of a story this line was already counted for
            e.count += 1
            kept.append(sig)
        if len(entries) > self.max_lines:
            self.prune()

    def prune(self) -> None:
        """Keep the table bounded: drop lines seen in one document, then the least counted."""
        before = len(self.entries)
        self.entries = {fp: e for fp, e in self.entries.items() if e.count > 1}
        if len(self.entries) > self.max_lines // 2:
            keep = sorted(self.entries.items(), key=lambda kv: kv[1].count, reverse=True)[: self.max_lines // 2]
            self.entries = dict(keep)
        self.pruned += before - len(self.entries)

    def counts(self, min_count: int = 1) -> dict[str, int]:
        return {fp: e.count for fp, e in self.entries.items() if e.count >= min_count}

    def frequent(self, min_count: int) -> list[tuple[str, Entry]]:
        return sorted(
            ((fp, e) for fp, e in self.entries.items() if e.count >= min_count), key=lambda kv: (-kv[1].count, kv[0])
        )

    # ---------------------------------------------------------------- persistence
    #
    # Format 2, JSON lines, so that a reader stops at what it needs:
    #   {"version": 2, "docs": N}
    #   {"counted": {fp: [count, example, [signature index, ...]]}}   lines counted 2+ times
    #   {"shared": {sentence fp: [[word, ...], ...]}}                    sentences printed twice+ (sentences.py)
    #   {"single": {fp: [example, signature index]}}                    lines seen once
    # (an example is "marker\nword" for a marker only seen glued to a paragraph, "lead\n word"
    # for a paragraph's lowercase lead: Entry.after)
    #   {"sigs": [[word, ...], ...]}                                     each signature once
    #   {"sentences": {sentence fp: [signature index, ...]}}             every sentence kept
    # The stages need only the counted lines (flag_docs is at least 2) and the shared sentences,
    # so a worker reads the first three lines and no more; a document's signature is shared by
    # all its lines in memory and written once, not once per line. Format 1 (one JSON object with the
    # signatures repeated in every line) is still read.

    def save(self, path: Path) -> None:
        """Write atomically: a run killed mid-save leaves the previous state."""
        if self.partial:
            raise CleanerError(f"{path}: a store loaded without its signatures cannot be saved")
        index: dict[frozenset[str], int] = {}

        def ref(sig: frozenset[str]) -> int:
            return index.setdefault(sig, len(index))

        counted = {fp: [e.count, e.saved(), [ref(s) for s in e.sigs]] for fp, e in self.entries.items() if e.count > 1}
        single = {fp: [e.saved(), ref(e.sigs[0])] for fp, e in self.entries.items() if e.count <= 1 and e.sigs}
        sentences = {str(fp): [ref(sig) for sig in kept] for fp, kept in self.sentences.sigs.items()}
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            shared = {str(fp): [sorted(sig) for sig in kept] for fp, kept in self.sentences.shared().items()}
            for part in (
                {"version": 2, "docs": self.docs},
                {"counted": counted},
                {"shared": shared},
                {"single": single},
                {"sigs": [sorted(s) for s in index]},
                {"sentences": sentences},
            ):
                fh.write(orjson.dumps(part) + b"\n")
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path, max_lines: int = 500_000, counted_only: bool = False) -> Store:
        """The store in `path` (an empty one if there is none).

        `counted_only`: only the lines counted twice or more, without their signatures, and the
        shared sentences (what the stages need); such a store cannot count documents or be saved.
        """
        store = cls(max_lines)
        try:
            with path.open("rb") as fh:
                head = orjson.loads(fh.readline())
                if head.get("version") == 1:
                    store._load_v1(head, counted_only)
                    return store
                if head.get("version") != 2:
                    raise ValueError(f"unknown version {head.get('version')!r}")
                store.docs = int(head["docs"])
                counted = orjson.loads(fh.readline())["counted"]
                raw = fh.readline()
                if raw.startswith(b'{"shared"'):  # files written before shared sentences lack it
                    if counted_only:  # what the stage needs; a whole load reads every sentence below
                        shared = orjson.loads(raw)["shared"]
                        for fp, kept in shared.items():
                            store.sentences.sigs[int(fp)] = [frozenset(w) for w in kept]
                    raw = b"" if counted_only else fh.readline()
                if counted_only:  # a worker stops here: the rest is large and not its business
                    store.partial = True
                    for fp, (count, example, _) in counted.items():
                        store.entries[fp] = Entry.loaded(int(count), [], example)
                    return store
                line = orjson.loads(raw)
                single = line["single"]
                sigs = [frozenset(s) for s in orjson.loads(fh.readline())["sigs"]]
                last = fh.readline()
                sentences = orjson.loads(last)["sentences"] if last.strip() else {}
            for fp, (count, example, refs) in counted.items():
                store.entries[fp] = Entry.loaded(int(count), [sigs[i] for i in refs], example)
            for fp, (example, i) in single.items():
                store.entries[fp] = Entry.loaded(1, [sigs[i]], example)
            for fp, kept in sentences.items():
                store.sentences.sigs[int(fp)] = [sigs[i] for i in kept]
        except FileNotFoundError:
            return store
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
            raise CleanerError(
                f"{path}: repeated-line state unreadable ({type(exc).__name__}: {exc}); delete it to start afresh"
            ) from None
        return store

    def _load_v1(self, body: dict, counted_only: bool) -> None:
        self.docs = int(body["docs"])
        self.partial = counted_only
        for fp, (count, sigs, example) in body["lines"].items():
            if not counted_only:
                self.entries[fp] = Entry(int(count), [frozenset(s) for s in sigs], str(example))
            elif count > 1:
                self.entries[fp] = Entry(int(count), [], str(example))


def learn(texts: Iterable[str], store: Store | None = None) -> Store:
    """Count the lines of `texts` into `store` (a new one if None)."""
    store = store or Store()
    for text in texts:
        store.add_document(text)
    return store


def worker_part(path: Path) -> bytes:
    """The part of a state file that `Store.load(path, counted_only=True)` reads (b"" if there
    is no file): what a cleaning worker on another machine needs of it."""
    try:
        with path.open("rb") as fh:
            head = fh.readline()
            if orjson.loads(head).get("version") != 2:
                return head + fh.read()
            return head + fh.readline() + fh.readline()
    except FileNotFoundError:
        return b""
    except (OSError, ValueError) as exc:
        raise CleanerError(f"{path}: repeated-line state unreadable ({exc}); delete it to start afresh") from None

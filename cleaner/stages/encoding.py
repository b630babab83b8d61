"""Mojibake, HTML entities, control and zero-width characters, repaired with ftfy.

Repair only: by default typography that is fine (curly quotes, ligatures, full-width
forms, NFC/NFD) is left exactly as it is. ftfy is slow, so it only sees lines that a
cheap regex finds suspect, and its fix is turned back into small edits by a diff.
"""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass

import ftfy

from ..document import Document, Edit
from .base import Stage

_ENTITY = r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});"
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
_ZERO_WIDTH = r"[\u200b\u2060\ufeff]"
# A UTF-8 lead byte seen as Latin-1/Windows-1252, followed by a continuation byte seen the same way.
_MOJIBAKE = (
    r"[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192"
    r"\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
SUSPECT = re.compile("|".join((_ENTITY, _CONTROL, _ZERO_WIDTH, _MOJIBAKE)))
STRAY = re.compile(f"(?P<entity>{_ENTITY})|(?P<zero>{_ZERO_WIDTH})|(?P<control>{_CONTROL})")
CONTROL = re.compile(_CONTROL + "+")
# The first character of any SUSPECT match: one character class scans far faster than
# the alternation, which is then tried only where it could start.
FIRST = re.compile(r"[&\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\u2060\ufeff\u00c2-\u00f4]")


def py_next_suspect(text: str, pos: int) -> int:
    """Where FIRST next matches at or after `pos`, or -1. The reference for `next_suspect`,
    which is C when the extension is built (the re module tests a class char by char)."""
    m = FIRST.search(text, pos)
    return -1 if m is None else m.start()


try:
    from .._prints import next_suspect
except ImportError:  # built without a C compiler
    next_suspect = py_next_suspect

REASONS = {
    "encoding/html-entity": "HTML entity left in text",
    "encoding/control-char": "control character",
    "encoding/zero-width": "zero-width character",
    "encoding/mojibake": "mojibake: UTF-8 text decoded with the wrong charset",
}


@dataclass(frozen=True)
class EncodingParams:
    unescape_html: bool = True
    remove_zero_width: bool = True
    # Off by default: these change typography that is legitimate in clean text.
    uncurl_quotes: bool = False
    fix_latin_ligatures: bool = False
    fix_character_width: bool = False
    normalization: str | None = None

    def check(self) -> tuple[str, str] | None:
        if self.normalization not in (None, "NFC", "NFD", "NFKC", "NFKD"):
            return "normalization", "expected null, NFC, NFD, NFKC or NFKD"
        return None


class Encoding(Stage):
    name = "encoding"
    Params = EncodingParams

    def __init__(self, params: EncodingParams | None = None, mode: str = "apply"):
        super().__init__(params, mode)
        p = self.params
        self.fixer = ftfy.TextFixerConfig(
            unescape_html=False,  # entities are fixed one by one below, so each is its own edit
            remove_control_chars=False,  # likewise
            uncurl_quotes=p.uncurl_quotes,
            fix_latin_ligatures=p.fix_latin_ligatures,
            fix_character_width=p.fix_character_width,
            normalization=p.normalization,
            fix_line_breaks=False,  # the whitespace stage owns line endings
            explain=True,
        )
        # Options that touch every character make the cheap pre-check meaningless.
        self.every_line = bool(p.uncurl_quotes or p.fix_latin_ligatures or p.fix_character_width or p.normalization)

    def find(self, doc: Document, text: str) -> list[Edit]:
        if self.every_line:
            starts = [0] + [m.end() for m in re.finditer("\n", text)]
            spans = [(s, len(text) if text.find("\n", s) < 0 else text.find("\n", s)) for s in starts]
        else:
            spans = _suspect_spans(text)
        edits: list[Edit] = []
        for start, end in spans:
            edits.extend(self._fix_line(text, start, end))
        return edits

    def _fix_line(self, text: str, start: int, end: int) -> list[Edit]:
        """ftfy's repair of text[start:end] (a line, or the suspect part of one) as char-level
        edits, then entities and stray characters."""
        line = text[start:end]
        edits = []
        # ASCII without control characters is text ftfy leaves as it is, whatever the options
        # (mojibake, C1 controls, surrogates, quotes, widths and forms are all non-ASCII;
        # terminal escapes start with a control): a span only an entity made suspect.
        fixed = None if line.isascii() and not CONTROL.search(line) else ftfy.fix_and_explain(line, self.fixer)
        if fixed is not None and fixed.text != line:
            plan = ", ".join(f"{a} {b}" for a, b in (fixed.explanation or []))
            for i1, i2, j1, j2 in _changes(line, fixed.text):
                new = fixed.text[j1:j2]
                rule = "encoding/control-char" if CONTROL.fullmatch(line[i1:i2]) and not new else "encoding/mojibake"
                reason = REASONS[rule] + (f" ({plan})" if rule == "encoding/mojibake" and plan else "")
                edits.append(
                    Edit(start + i1, start + i2, rule, reason, replacement=new, action="replace" if new else "remove")
                )
        taken = [(e.start, e.end) for e in edits]
        for m in STRAY.finditer(text, start, end):
            s, e = m.span()
            if any(a < e and s < b for a, b in taken):
                continue
            if m.lastgroup == "entity":
                if not self.params.unescape_html:
                    continue
                new = html.unescape(m.group())
                if new == m.group():
                    continue
                edits.append(
                    Edit(
                        s, e, "encoding/html-entity", REASONS["encoding/html-entity"], replacement=new, action="replace"
                    )
                )
            elif m.lastgroup == "zero" and self.params.remove_zero_width:
                edits.append(Edit(s, e, "encoding/zero-width", REASONS["encoding/zero-width"]))
            elif m.lastgroup == "control":
                edits.append(Edit(s, e, "encoding/control-char", REASONS["encoding/control-char"]))
        return edits


def _changes(old: str, new: str) -> list[tuple[int, int, int, int]]:
    """The spans that differ, as (i1, i2, j1, j2). A repair keeps the spaces of a line, so
    words are compared pairwise and trimmed to their differing middle; difflib only when
    the word count changed (it is far slower on long lines)."""
    a, b = old.split(" "), new.split(" ")
    if len(a) != len(b):
        ops = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
        return [(i1, i2, j1, j2) for op, i1, i2, j1, j2 in ops if op != "equal"]
    found = []
    i = j = 0
    for x, y in zip(a, b, strict=True):
        if x != y:
            p = 0
            while p < min(len(x), len(y)) and x[p] == y[p]:
                p += 1
            q = 0
            while q < min(len(x), len(y)) - p and x[-1 - q] == y[-1 - q]:
                q += 1
            found.append((i + p, i + len(x) - q, j + p, j + len(y) - q))
        i += len(x) + 1
        j += len(y) + 1
    return found


def _suspect_spans(text: str) -> list[tuple[int, int]]:
    """Per line with something for this stage to look at, the span from the word before its
    first suspect character to the word after its last. ftfy's cost grows with the length
    of what it is given, and mojibake is local: a few words of context are enough for it."""
    found = []
    pos = 0
    find, match = next_suspect, SUSPECT.match
    line_end = -1
    first = last = 0
    while (i := find(text, pos)) >= 0:
        hit = match(text, i)
        if hit is None:
            pos = i + 1
            continue
        if i > line_end:  # a new line
            if line_end >= 0:
                found.append(_widen(text, first, last, line_end))
            line_end = text.find("\n", i)
            if line_end < 0:
                line_end = len(text)
            first = i
        last = hit.end()
        pos = max(hit.end(), i + 1)
    if line_end >= 0:
        found.append(_widen(text, first, last, line_end))
    return found


def _widen(text: str, first: int, last: int, line_end: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, first) + 1
    start, end = first, last
    for _ in range(2):  # back to the start of the suspect word, then of the word before it
        while start > line_start and not text[start - 1].isspace():
            start -= 1
        while start > line_start and text[start - 1].isspace():
            start -= 1
    while start < first and text[start].isspace():
        start += 1
    for _ in range(2):  # on to the end of the suspect word, then of the word after it
        while end < line_end and not text[end].isspace():
            end += 1
        while end < line_end and text[end].isspace():
            end += 1
    while end > last and text[end - 1].isspace():
        end -= 1
    return start, end

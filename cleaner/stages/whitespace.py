"""Line endings, and the blank lines and spaces that removals leave behind; nothing else."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..document import Document, Edit
from .base import Stage

# One alternation, one pass; the group that matched names the rule. Every branch starts
# with a space character, and saying so up front lets `re` skip other characters fast.
_PATTERN = re.compile(
    r"(?=\s)(?:(?P<lead>\A\s+)"
    r"|(?P<tail>\s+\Z)"
    r"|(?P<blank>[ \t]*\r?\n(?:[ \t]*\r?\n){2,})"
    r"|(?P<crlf>\r\n?)"
    r"|(?P<eol>[ \t]+(?=\r?\n)))"
)
_NEWLINES = re.compile(r"\n\n\n+")  # a literal prefix: many times faster than the alternation

REASONS = {
    "crlf": ("whitespace/line-endings", "Windows or old Mac line ending"),
    "lead": ("whitespace/leading", "blank space at the start of the document"),
    "tail": ("whitespace/trailing", "blank space at the end of the document"),
    "eol": ("whitespace/line-end", "spaces at the end of a line"),
    "blank": ("whitespace/blank-lines", "run of blank lines"),
}


def _needs_work(text: str, doc_text: str) -> bool:
    """Cheap test that skips the regex on the common, already tidy document."""
    if not text:
        return False
    if text[0].isspace() or (text[-1].isspace() and (text[-1] != "\n" or text.endswith("\n\n"))):
        return True
    if text.endswith("\n") != doc_text.rstrip(" \t").endswith(("\n", "\r")):
        return True
    return "\r" in text or "\n\n\n" in text or " \n" in text or "\t\n" in text


def _matches(text: str) -> Iterator[tuple[str, int, int]]:
    """(kind, start, end) of every _PATTERN match, in order."""
    if "\r" in text or " \n" in text or "\t\n" in text:
        for m in _PATTERN.finditer(text):
            yield m.lastgroup or "", m.start(), m.end()
        return
    # No CR and no space before a line break: only the ends and runs of bare newlines
    # can match, and this gives the same matches as the alternation.
    lead = len(text) - len(text.lstrip())
    tail = len(text.rstrip())
    if lead:
        yield "lead", 0, lead
    if tail > lead:
        for m in _NEWLINES.finditer(text, lead, tail):
            yield "blank", m.start(), m.end()
        if tail < len(text):
            yield "tail", tail, len(text)


class Whitespace(Stage):
    name = "whitespace"

    def find(self, doc: Document, text: str) -> list[Edit]:
        if not _needs_work(text, doc.text):
            return []
        edits = []
        for kind, start, end in _matches(text):
            span = text[start:end]
            if kind == "crlf":
                new = "\n"
            elif kind == "blank":
                new = "\n\n"
            elif kind == "tail":
                # end as the input did: with one line break, or none
                new = "\n" if doc.text.rstrip(" \t").endswith(("\n", "\r")) else ""
            else:
                new = ""
            if new == span:
                continue
            rule, reason = REASONS[kind]
            edits.append(Edit(start, end, rule, reason, replacement=new, action="replace" if new else "remove"))
        return edits

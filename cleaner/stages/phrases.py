"""Ad-slot markers, promo and related-story lines, spam tokens: whole-line and glued.

Rules come from phrase packs (rules/packs/*.yaml plus `--rules` files). All patterns run
on RE2, so no rule, bundled or user's, can backtrack catastrophically.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import re2

from ..config import rules_dir
from ..document import Document, Edit
from ..errors import ConfigError
from ..glue import glued_at
from ..packs import Rule, compiled_rule, load_packs
from .base import Stage


@dataclass(frozen=True)
class PhrasesParams:
    bundled: bool = True  # use every pack in the bundled rules/packs/
    packs: tuple[str, ...] = ()  # more packs, relative to the config file
    disable: tuple[str, ...] = ()  # rule ids switched off


@dataclass(frozen=True)
class Loaded:
    rules: tuple[Rule, ...]


SET_MAX_MEM = 64 << 20  # bytes RE2 may use for one compiled rule set (program and DFA cache)
# What str.strip() takes off the end of a line (every character str.isspace() knows), for
# a line rule tried on a line that still has it.
TRAILING_SPACE = r"[\t-\r\x1c-\x1f\x85\p{Z}]*\z"
# A rule's regex is asked through the binding's own Match, on UTF-8 the caller encoded once:
# group spans in bytes, (-1, -1) when there is none. The wrapper's match() and fullmatch()
# return the same with offsets in characters and a Match object, at 3 to 5 times the cost,
# on every line the prefilter sends on (tests/test_phrases.py holds the two to each other).
START = re2._Anchor.ANCHOR_START
BOTH = re2._Anchor.ANCHOR_BOTH
NO_SPAN = (-1, -1)


def chars(data: bytes, offset: int) -> int:
    """The character offset of a byte offset of UTF-8 `data` that RE2 gave (at a character's start)."""
    return len(data[:offset].decode("utf-8"))


def glued_pattern(rule: Rule) -> str:
    """A `glued` line rule as a start rule: its match, cut, then the paragraph it is glued to."""
    return f"(?P<cut>(?:{rule.pattern}))\\S"


def _compile_set(anchor: str, patterns: list[str]) -> re2.Set:
    """One RE2 set of `patterns`, anchored as `anchor` says (MatchSet, FullMatchSet, SearchSet).
    RE2's default 8 MB budget no longer holds the bundled line rules compiled as one set
    (bounded repeats such as `.{0,250}` are expanded); the set then fails to compile."""
    options = re2.Options()
    options.max_mem = SET_MAX_MEM
    rules = getattr(re2.Set, anchor)(options)
    for pattern in patterns:
        rules.Add(pattern)
    rules.Compile()
    return rules


class _Group:
    """Rules of one `where`, with their regexes; `anchor`: also compiled into one RE2 set
    (`hits`) for a single cheap test. `glued`: line rules also tried here as start rules
    (`glued_pattern`), whose cut must pass `glued_at`."""

    def __init__(self, rules: list[Rule], anchor: str | None, glued: list[Rule] | None = None):
        glued = glued or []
        self.rules = rules + glued
        self.is_glued = [False] * len(rules) + [True] * len(glued)
        patterns = [r.pattern for r in rules] + [glued_pattern(r) for r in glued]
        self.patterns = patterns
        # A glued rule's cut is its longest match: "Sponsored Content" glued, not "Sponsored"
        # then a space (which `glued_at` would turn down).
        self.regexes = [compiled_rule(p, g) for p, g in zip(patterns, self.is_glued, strict=True)]
        self.cut = [rx.groupindex.get("cut") for rx in self.regexes]
        self.raw = [rx._regexp.Match for rx in self.regexes]  # (anchor, utf8, pos, endpos) -> spans
        self.set = _compile_set(anchor, patterns) if patterns and anchor else None
        if self.set is not None:
            # The wrapper's Match re-checks types on every call; this runs once per line.
            self._match = self.set._set.Match

    def hits(self, text: str) -> list[int]:
        if self.set is None:
            return []
        found = self._match(text.encode("utf-8"))
        return sorted(found) if len(found) > 1 else found


def _prefilter(start: _Group, line: _Group):  # type: ignore[no-untyped-def]
    """The one RE2 set of the start and line rules. It matches a segment of a line (leading
    space stripped) when a start rule matches where it begins, the start rules being as they
    are, or a line rule matches all of it but trailing space, the line rules being followed
    by the space `_line` strips off. So its start hits are exactly the start rules that
    match there, and its line hits include every line rule that matches the segment without
    its trailing space: `_line` tests those alone, in full. A segment it does not match is
    clean. One set, not one per `where`: compiling each costs a tenth of a second in every
    process, and all three were only ever asked about the same lines."""
    patterns = [*start.patterns, *(f"(?:{p}){TRAILING_SPACE}" for p in line.patterns)]
    return _compile_set("MatchSet", patterns)._set.Match if patterns else None


class Phrases(Stage):
    name = "phrases"
    Params = PhrasesParams

    @classmethod
    def resolve(
        cls, params: PhrasesParams, config_path: Path, extra_packs: tuple[Path, ...], lines: dict[str, int]
    ) -> Loaded:
        paths = sorted((rules_dir() / "packs").glob("*.yaml")) if params.bundled else []
        for p in params.packs:
            path = (config_path.parent / p).resolve()
            if not path.is_file():
                raise ConfigError(
                    config_path, lines.get("packs"), "phrases.packs", f"pack {p} not found (looked at {path})"
                )
            paths.append(path)
        rules = load_packs([*paths, *extra_packs])
        known = {r.id for r in rules}
        for rid in params.disable:
            if rid not in known:
                raise ConfigError(
                    config_path, lines.get("disable"), "phrases.disable", f"no rule {rid!r} (see `cleaner rules list`)"
                )
        return Loaded(tuple(r for r in rules if r.id not in params.disable))

    def __init__(self, params: Loaded | None = None, mode: str = "apply"):
        if params is None:
            params = self.resolve(PhrasesParams(), Path("."), (), {})
        super().__init__(params, mode)
        rules = params.rules
        self.line = _Group([r for r in rules if r.where == "line"], None)
        glued = [r for r in rules if r.glued]
        self.start = _Group([r for r in rules if r.where == "start"], None, glued)
        self.anywhere = _Group([r for r in rules if r.where == "anywhere"], "SearchSet")
        self._any = _prefilter(self.start, self.line)
        self._starts = len(self.start.patterns)  # the set's first hits are start rules

    def find(self, doc: Document, text: str) -> list[Edit]:
        edits: list[Edit] = []
        pos = 0
        clean_lines: set[str] = self.memo(doc, "clean lines", set)  # nothing to remove, in any pass
        for line in text.split("\n"):
            end = pos + len(line)
            if line not in clean_lines:
                hits = self.hits(line.lstrip())
                if not hits:
                    clean_lines.add(line)
                else:
                    before = len(edits)
                    self._line(text, pos, end, edits, hits)
                    if len(edits) == before:
                        clean_lines.add(line)
            pos = end + 1
        if self.anywhere.set is not None:
            edits = self._anywhere(text, edits)
        return edits

    def hits(self, segment: str) -> list[int]:
        """The prefilter's hits on a segment, in rule order (see `_prefilter`). Most lines are
        clean, and this tests each with one RE2 call."""
        if not segment or self._any is None:
            return []
        found = self._any(segment.encode("utf-8"))
        return sorted(found) if len(found) > 1 else found

    def _line(self, text: str, start: int, end: int, edits: list[Edit], hits: list[int]) -> None:
        """Strip start markers (in a chain), then test what is left as a whole line. `hits`:
        the prefilter's on the line's text, leading space stripped."""
        line = text[start:end]
        stripped = line.strip()
        if not stripped:
            return
        pos = start + (len(line) - len(line.lstrip()))
        first = len(edits)
        while True:
            cut = self._start_at(text, pos, end, hits)
            if cut is None:
                break
            edits.append(cut)
            pos = cut.end
            hits = self.hits(text[pos:end])
        rest = text[pos:end].strip()
        whole = None
        if rest:
            if len(edits) > first:  # after a cut: the rest is a new segment
                hits = self.hits(rest)
            # With no cut, rest is the segment the hits are of, less trailing space, and the
            # prefilter's line rules allow for that space.
            data = rest.encode("utf-8")
            for h in hits:
                if h >= self._starts and self.line.raw[h - self._starts](BOTH, data, 0, len(data))[0] != NO_SPAN:
                    rule = self.line.rules[h - self._starts]
                    whole = Edit(pos, end, rule.id, rule.reason)
                    edits.append(whole)
                    break
        if len(edits) > first and (whole is not None or not rest):
            self._take_line_break(text, start, end, edits, first)

    def _start_at(self, text: str, pos: int, end: int, hits: list[int]) -> Edit | None:
        """The longest start rule cut at `pos`; `hits`: the prefilter's on text[pos:end]."""
        segment = text[pos:end]
        data = segment.encode("utf-8")
        size = len(data)
        best = None
        for i in hits:
            if i >= self._starts:
                break  # line rules from here on
            spans = self.start.raw[i](START, data, 0, size)
            if spans[0] == NO_SPAN:
                continue
            g = self.start.cut[i]
            s, e = spans[g] if g else (0, spans[0][1])
            if s != 0 or e <= 0:
                continue  # a cut must start the segment, or the chain could skip real text
            if size != len(segment):
                e = chars(data, e)
            if self.start.is_glued[i] and not glued_at(segment, e):
                continue
            if best is None or e > best[1]:
                best = (i, e)
        if best is None:
            return None
        i, e = best
        while e < len(segment) and segment[e] in " \t":
            e += 1
        rule = self.start.rules[i]
        reason = f"{rule.reason} (glued to the paragraph after it)" if self.start.is_glued[i] else rule.reason
        return Edit(pos, pos + e, rule.id, reason)

    @staticmethod
    def _take_line_break(text: str, start: int, end: int, edits: list[Edit], first: int) -> None:
        """The line is gone: widen the span to its line break so no blank line is left."""
        edits[first] = edits[first].spanning(start, edits[first].end)
        if end < len(text):
            edits[-1] = edits[-1].spanning(edits[-1].start, end + 1)
            return
        prev_end = edits[first - 1].end if first else 0
        s = start
        while s > prev_end and text[s - 1] in " \t\r\n":
            s -= 1
        edits[first] = edits[first].spanning(s, edits[first].end)

    def _anywhere(self, text: str, edits: list[Edit]) -> list[Edit]:
        taken = sorted((e.start, e.end) for e in edits)
        found = []
        for i in self.anywhere.hits(text):
            rule = self.anywhere.rules[i]
            rx = self.anywhere.regexes[i]
            g = self.anywhere.cut[i]
            for m in rx.finditer(text):
                s, e = (m.start(g), m.end(g)) if g else (m.start(), m.end())
                if e < len(text) and text[e] == " ":
                    e += 1
                elif s > 0 and text[s - 1] == " ":
                    s -= 1
                found.append(Edit(s, e, rule.id, rule.reason))
        out = list(edits)
        for e in sorted(found, key=lambda e: (e.start, -e.end)):
            if all(e.end <= a or e.start >= b for a, b in taken):
                out.append(e)
                taken.append((e.start, e.end))
        return out

"""The reviewer's corrections: text no rule may remove, and rules switched off.

`rules/allow.yaml` is bundled (empty); `--allow FILE` adds a reviewer's own file on top.
An applied edit that touches allowed text is kept in the audit as a flag, so the
reviewer still sees what the rule wanted; an edit of a disabled rule is not made at all.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

import re2

from .document import Document, Edit
from .errors import ConfigError
from .yamlfile import LinedDict, LinedList, line_of, load_yaml

# Stages whose edits are not about content: an exception never stops them.
EXEMPT_STAGES = frozenset({"html", "whitespace"})
ENTRY_KEYS = ("text", "pattern", "rule", "source", "domain", "note")


@dataclass(frozen=True)
class Exception_:
    """One allow entry: a literal `text` or an RE2 `pattern`, optionally narrowed."""

    origin: str  # FILE:LINE, shown in the audit
    text: str | None = None
    pattern: str | None = None
    rule: str | None = None  # a rule id or glob (`ads/*`)
    source: str | None = None  # a glob over the document's source
    domain: str | None = None  # the document's url host, or a subdomain of it
    note: str = ""

    def applies(self, doc: Document, rule: str) -> bool:
        if self.rule and not fnmatch.fnmatchcase(rule, self.rule):
            return False
        if self.source and not fnmatch.fnmatchcase(doc.source, self.source):
            return False
        if self.domain:
            host = (urlsplit(doc.url).hostname or "") if doc.url else ""
            if host != self.domain and not host.endswith("." + self.domain):
                return False
        return True


@dataclass(frozen=True)
class AllowList:
    entries: tuple[Exception_, ...] = ()
    disable: tuple[str, ...] = ()  # rule ids or globs
    sources: tuple[str, ...] = ()

    def disabled(self, rule: str) -> bool:
        return any(fnmatch.fnmatchcase(rule, g) for g in self.disable)

    def __bool__(self) -> bool:
        return bool(self.entries or self.disable)

    def spans(self, entry: Exception_, text: str) -> list[tuple[int, int]]:
        if entry.text is not None:
            found, at = [], text.find(entry.text)
            while at != -1:
                found.append((at, at + len(entry.text)))
                at = text.find(entry.text, at + 1)
            return found
        return [m.span() for m in _compiled(entry.pattern or "").finditer(text)]

    def filter(self, doc: Document, stage: str, text: str, edits: tuple[Edit, ...]) -> tuple[Edit, ...]:
        """Drop edits of disabled rules; turn applied edits that touch allowed text into flags."""
        if not self or stage in EXEMPT_STAGES:
            return edits
        kept = []
        cache: dict[Exception_, list[tuple[int, int]]] = {}
        for e in edits:
            if self.disabled(e.rule):
                continue
            if e.applied:
                hit = self._hit(doc, e, text, cache)
                if hit is not None:
                    e = replace(
                        e,
                        action="flag",
                        replacement="",
                        reason=f"{e.reason} (kept: allowed by {hit.origin})",
                        meta=(*e.meta, ("allowed", hit.origin)),
                    )
            kept.append(e)
        return tuple(kept)

    def _hit(self, doc: Document, e: Edit, text: str, cache: dict) -> Exception_ | None:
        for entry in self.entries:
            if not entry.applies(doc, e.rule):
                continue
            if entry not in cache:
                cache[entry] = self.spans(entry, text)
            if any(s < e.end and e.start < t for s, t in cache[entry]):
                return entry
        return None


_PATTERNS: dict[str, object] = {}


def _compiled(pattern: str):  # type: ignore[no-untyped-def]
    if pattern not in _PATTERNS:
        _PATTERNS[pattern] = re2.compile(pattern)
    return _PATTERNS[pattern]


def load_allow(paths: tuple[Path, ...]) -> AllowList:
    entries: list[Exception_] = []
    disable: list[str] = []
    for path in paths:
        raw = load_yaml(path)
        if raw is None:
            continue
        if not isinstance(raw, LinedDict):
            raise ConfigError(path, line_of(raw), "(top)", "expected a mapping with `allow:` and/or `disable:`")
        for key in raw:
            if key not in ("allow", "disable"):
                raise ConfigError(path, line_of(raw, key), key, "unknown key (known: allow, disable)")
        entries.extend(_entries(raw.get("allow"), path, line_of(raw, "allow")))
        disable.extend(_disable(raw.get("disable"), path, line_of(raw, "disable")))
    return AllowList(tuple(entries), tuple(disable), tuple(str(p) for p in paths))


def _entries(raw: object, path: Path, line: int | None) -> list[Exception_]:
    if raw is None:
        return []
    if not isinstance(raw, LinedList):
        raise ConfigError(path, line, "allow", "expected a list of entries")
    found = []
    for i, item in enumerate(raw):
        where = f"allow[{i}]"
        at = raw.item_lines[i] if i < len(raw.item_lines) else line
        if not isinstance(item, LinedDict):
            raise ConfigError(path, at, where, "each entry is a mapping with `text:` or `pattern:`")
        for key, value in item.items():
            if key not in ENTRY_KEYS:
                raise ConfigError(
                    path, line_of(item, key), f"{where}.{key}", f"unknown key (known: {', '.join(ENTRY_KEYS)})"
                )
            if not isinstance(value, str) or not value:
                raise ConfigError(path, line_of(item, key), f"{where}.{key}", "expected a non-empty string")
        if ("text" in item) == ("pattern" in item):
            raise ConfigError(path, at, where, "give exactly one of `text:` or `pattern:`")
        if "pattern" in item:
            try:
                compiled = re2.compile(item["pattern"])
            except re2.error as exc:
                raise ConfigError(
                    path, line_of(item, "pattern"), f"{where}.pattern", f"bad RE2 pattern: {exc}"
                ) from None
            if compiled.search("") is not None:
                raise ConfigError(path, line_of(item, "pattern"), f"{where}.pattern", "pattern matches empty text")
        found.append(Exception_(origin=f"{path.name}:{at}", **{k: v for k, v in item.items()}))
    return found


def _disable(raw: object, path: Path, line: int | None) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, LinedList) or not all(isinstance(x, str) and x for x in raw):
        raise ConfigError(path, line, "disable", "expected a list of rule ids or globs (`ads/*`)")
    return list(raw)

"""Phrase rule packs: rules/packs/*.yaml (bundled) and the user's `--rules` files."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import re2

from .errors import ConfigError
from .yamlfile import LinedDict, LinedList, line_of, load_yaml

WHERE = ("line", "start", "anywhere")
ID = re.compile(r"[a-z0-9][a-z0-9-]*\Z")
RULE_KEYS = {"id", "match", "regex", "ignore_case", "where", "glued", "reason", "examples"}


@dataclass(frozen=True)
class Example:
    input: str
    output: str


@dataclass(frozen=True)
class Rule:
    id: str  # "<pack>/<id>"
    match: str
    where: str
    reason: str
    regex: bool = False
    ignore_case: bool = False
    examples: tuple[Example, ...] = ()
    origin: str = ""  # file:line, for messages
    glued: bool = False  # a line rule that also cuts its match glued to the start of a paragraph

    @property
    def pattern(self) -> str:
        body = self.match if self.regex else re2.escape(self.match)
        return f"(?i){body}" if self.ignore_case else body


def _need(d: LinedDict, key: str, tp: type, path: Path, where: str, default: object = ...) -> object:
    if key not in d:
        if default is ...:
            raise ConfigError(path, line_of(d), f"{where}.{key}", "missing")
        return default
    value = d[key]
    if not isinstance(value, tp) or (tp is str and not value):
        raise ConfigError(
            path, line_of(d, key), f"{where}.{key}", f"expected {'non-empty text' if tp is str else tp.__name__}"
        )
    return value


def load_pack(path: Path) -> list[Rule]:
    raw = load_yaml(path)
    if not isinstance(raw, LinedDict):
        raise ConfigError(path, line_of(raw), "(top)", "expected a mapping with `pack:` and `rules:`")
    for key in raw:
        if key not in ("pack", "description", "rules"):
            raise ConfigError(path, line_of(raw, key), key, "unknown key (known: pack, description, rules)")
    pack = str(_need(raw, "pack", str, path, "pack"))
    if not ID.match(pack):
        raise ConfigError(path, line_of(raw, "pack"), "pack", "use lowercase letters, digits and dashes")
    items = raw.get("rules")
    if not isinstance(items, LinedList):
        raise ConfigError(path, line_of(raw, "rules"), "rules", "expected a list of rules")
    rules = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        where = f"rules[{i}]"
        if not isinstance(item, LinedDict):
            raise ConfigError(path, items.item_lines[i], where, "expected a mapping")
        for key in item:
            if key not in RULE_KEYS:
                raise ConfigError(
                    path, line_of(item, key), f"{where}.{key}", f"unknown key (known: {', '.join(sorted(RULE_KEYS))})"
                )
        rid = str(_need(item, "id", str, path, where))
        where = f"rules[{i}]({rid})"
        if not ID.match(rid):
            raise ConfigError(path, line_of(item, "id"), f"{where}.id", "use lowercase letters, digits and dashes")
        if rid in seen:
            raise ConfigError(path, line_of(item, "id"), f"{where}.id", "id used twice in this pack")
        seen.add(rid)
        rule_where = str(_need(item, "where", str, path, where, "line"))
        if rule_where not in WHERE:
            raise ConfigError(path, line_of(item, "where"), f"{where}.where", f"expected one of {', '.join(WHERE)}")
        glued = bool(_need(item, "glued", bool, path, where, False))
        if glued and rule_where != "line":
            raise ConfigError(path, line_of(item, "glued"), f"{where}.glued", "only a `where: line` rule can be glued")
        examples = []
        raw_ex = item.get("examples", LinedList())
        if not isinstance(raw_ex, list):
            raise ConfigError(path, line_of(item, "examples"), f"{where}.examples", "expected a list of {in, out}")
        for j, ex in enumerate(raw_ex):
            if not (isinstance(ex, dict) and set(ex) == {"in", "out"} and all(isinstance(ex[k], str) for k in ex)):
                raise ConfigError(
                    path,
                    line_of(ex) or line_of(item, "examples"),
                    f"{where}.examples[{j}]",
                    "expected `in:` and `out:` text",
                )
            examples.append(Example(ex["in"], ex["out"]))
        rule = Rule(
            id=f"{pack}/{rid}",
            match=str(_need(item, "match", str, path, where)),
            where=rule_where,
            reason=str(_need(item, "reason", str, path, where)),
            regex=bool(_need(item, "regex", bool, path, where, False)),
            ignore_case=bool(_need(item, "ignore_case", bool, path, where, False)),
            examples=tuple(examples),
            origin=f"{path}:{line_of(item)}",
            glued=glued,
        )
        try:
            compiled = compiled_rule(rule.pattern)
        except re2.error as exc:
            raise ConfigError(path, line_of(item, "match"), f"{where}.match", f"not a valid RE2 regex: {exc}") from None
        if set(compiled.groupindex) - {"cut"}:
            raise ConfigError(path, line_of(item, "match"), f"{where}.match", "the only named group allowed is `cut`")
        if glued and compiled.groupindex:
            raise ConfigError(path, line_of(item, "match"), f"{where}.match", "glued: takes no `cut` group")
        if _matches_empty(compiled):
            raise ConfigError(path, line_of(item, "match"), f"{where}.match", "pattern can match empty text")
        rules.append(rule)
    return rules


@functools.cache
def compiled_rule(pattern: str, longest: bool = False) -> re2._Regexp:
    """A rule's regex, compiled once per process: checking a pack compiles it, the phrases
    stage then reuses it (as do workers forked after the config was loaded). Each costs
    about 0.4 ms, on some 180 bundled rules."""
    if not longest:
        return re2.compile(pattern)
    options = re2.Options()
    options.longest_match = True
    return re2.compile(pattern, options)


PROBES = ("", "a", "ab", "a b", "A. B", "1", " ", "\n")


def _matches_empty(rx: re2._Regexp) -> bool:
    """A rule that can match nothing would cut at arbitrary places (`\\b`, `x*`)."""
    cut = rx.groupindex.get("cut")
    for probe in PROBES:
        for m in rx.finditer(probe):
            if m.start() == m.end() or (cut and m.start(cut) == m.end(cut)):
                return True
    return False


def load_packs(paths: list[Path]) -> tuple[Rule, ...]:
    rules: list[Rule] = []
    ids: dict[str, str] = {}
    for path in paths:
        for rule in load_pack(path):
            if rule.id in ids:
                file, _, line = rule.origin.rpartition(":")
                raise ConfigError(file, int(line), "id", f"rule {rule.id} is already defined at {ids[rule.id]}")
            ids[rule.id] = rule.origin
            rules.append(rule)
    return tuple(rules)

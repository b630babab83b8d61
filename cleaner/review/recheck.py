"""`cleaner audit recheck`: what a changed allow list or config would undo, from the audit alone.

Each recorded step is replayed over the document's input and its applied edits are put
through the new allow list again, so no stage runs. Edits a later step made on text an
undone edit would have kept are taken as recorded: the answer is what would be restored,
not a full re-clean (run `cleaner run` for that).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..allow import AllowList
from ..config import Config
from ..document import Document, Edit, apply_edits
from .model import DocEntry, Run, read_inputs


@dataclass
class Change:
    doc: str
    source: str
    stage: str
    rule: str
    text: str | None
    now: str  # "kept" (allowed: would be a flag) or "off" (rule switched off)
    why: str


@dataclass
class Recheck:
    changes: list[Change] = field(default_factory=list)
    docs_checked: int = 0
    unreadable: list[str] = field(default_factory=list)

    @property
    def chars_restored(self) -> int:
        return sum(len(c.text or "") for c in self.changes)


def recheck(run: Run, config: Config) -> Recheck:
    allow = config.allow
    off = {s.name for s in config.stages if s.mode == "off"}
    phrase_rules = _phrase_rule_ids(config)
    docs = [d for d in run.docs if any(e.get("action") != "flag" for e in d.edits)]
    inputs = read_inputs(docs)
    result = Recheck()
    for d in docs:
        result.docs_checked += 1
        text = inputs.get(d.source)
        if text is None and not any(e.get("stage") == "html" for e in d.edits):
            result.unreadable.append(d.source)
            text = None
        result.changes.extend(_doc_changes(d, text, allow, off, phrase_rules))
    return result


def _doc_changes(
    d: DocEntry, text: str | None, allow: AllowList, off: set[str], phrase_rules: set[str] | None
) -> list[Change]:
    found = []
    doc = Document(id=d.id, text="", source=d.source, url=str(d.record.get("url") or ""))
    for stage, edits in _steps(d):
        if stage == "html":
            text = edits[0].get("replacement") or ""
            continue
        applied = [(r, _edit(r)) for r in edits if r.get("action") != "flag"]
        for rec, _e in applied:
            why = _switched_off(rec, allow, off, phrase_rules)
            if why:
                found.append(_change(d, rec, "off", why))
        if text is not None and allow.entries:
            kept = allow.filter(doc, stage, text, tuple(e for _, e in applied if not allow.disabled(e.rule)))
            for e in kept:
                if not e.applied:
                    rec = next(r for r, x in applied if (x.start, x.end, x.rule) == (e.start, e.end, e.rule))
                    found.append(_change(d, rec, "kept", dict(e.meta).get("allowed", "allow list")))
        if text is not None:
            text = apply_edits(text, tuple(_edit(r) for r in edits))
    return found


def _steps(d: DocEntry) -> list[tuple[str, list[dict]]]:
    steps: list[tuple[str, list[dict]]] = []
    last: object = object()
    for rec in d.edits:
        if rec.get("step") != last or not steps:
            steps.append((str(rec.get("stage")), []))
            last = rec.get("step")
        steps[-1][1].append(rec)
    return steps


def _edit(rec: dict) -> Edit:
    return Edit(
        rec["start"],
        rec["end"],
        rec["rule"],
        rec.get("reason", ""),
        replacement=rec.get("replacement") or "",
        action=rec["action"],
        score=rec.get("score"),
    )


def _switched_off(rec: dict, allow: AllowList, off: set[str], phrase_rules: set[str] | None) -> str:
    if rec.get("stage") in off:
        return f"stage {rec.get('stage')} is off in the config"
    if allow.disabled(str(rec.get("rule"))):
        return "disabled in the allow list"
    if rec.get("stage") == "phrases" and phrase_rules is not None and rec.get("rule") not in phrase_rules:
        return "not among the config's phrase rules"
    return ""


def _change(d: DocEntry, rec: dict, now: str, why: str) -> Change:
    return Change(d.id, d.source, str(rec.get("stage")), str(rec.get("rule")), rec.get("text"), now, why)


def _phrase_rule_ids(config: Config) -> set[str] | None:
    spec = config.stage("phrases")
    if spec is None or spec.mode == "off":
        return None
    loaded = getattr(spec.params, "rules", None)
    return {r.id for r in loaded} if loaded is not None else None

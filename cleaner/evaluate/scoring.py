"""The quality figures of ../shared/bench, defined here so users can score without those scripts.

Figures for a noisy text set (means over documents):
  F1/P/R       4-gram shingle overlap with the gold (the article-extraction-benchmark's method);
               F1 is the harmonic mean of mean P and mean R
  noise_rm     share of injected noise units whose text is gone from the output, overall and by
               family; judged on canon text, the encoding families on the raw output (no residue)
  par_kept     share of gold paragraphs found intact in the output (canon)
  clean_exact  share of noise-free documents returned unchanged (whitespace-normalised)
  exact        share of all documents equal to their gold (canon)
For an HTML set: F1/P/R of the extracted text against the gold article bodies.

These must equal the shared scorers' figures; tests/test_eval_gate.py checks it on the dev sets.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import ftfy

TOKEN = re.compile(r"\w+")
QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
# What is left when mojibake or HTML entities were not fixed.
ENCODING_RESIDUE = re.compile(r"â€|Ã[\x80-\xbf]|&#?\w+;")
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def canon(text: str) -> str:
    """Whitespace, entities, quote style and mojibake normalised: what a reader would call the same text."""
    return norm(unicodedata.normalize("NFKC", ftfy.fix_text(html.unescape(text))).translate(QUOTES))


def shingles(text: str, n: int = 4) -> Counter:
    toks = TOKEN.findall(text)
    return Counter(tuple(toks[i : i + n]) for i in range(max(1, len(toks) - n + 1)) if toks[i : i + n])


def prf(gold: str, pred: str) -> tuple[float, float]:
    """Shingle precision and recall of one prediction. Both empty counts as perfect."""
    g, p = shingles(gold), shingles(pred)
    tp = sum((g & p).values())
    fp = sum((p - g).values())
    fn = sum((g - p).values())
    if fp == fn == 0:
        return 1.0, 1.0
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    return prec, rec


@dataclass(frozen=True)
class Noise:
    family: str
    text: str  # "" for the encoding families (mojibake, entities): the whole text was affected


@dataclass(frozen=True)
class Sample:
    """One labelled document: its input, its gold, and (when known) what noise it carries."""

    id: str
    text: str
    gold: str
    noise: tuple[Noise, ...] | None  # None: the set does not say


def _mean(xs: list) -> float | None:
    return sum(xs) / len(xs) if xs else None


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score_noisy(samples: Iterable[Sample], preds: dict[str, str]) -> dict:
    """Figures of a noisy text set. A missing prediction counts as an empty output.

    Without noise labels, a document whose input already equals its gold (whitespace aside)
    is taken as a noise-free control, and noise_rm is not reported.
    """
    P, R, kept, exact, clean = [], [], [], [], []
    removed: dict[str, list[bool]] = defaultdict(list)
    labelled = True
    docs = 0
    for s in samples:
        docs += 1
        pred = preds.get(s.id, "")
        p, r = prf(s.gold, pred)
        P.append(p)
        R.append(r)
        cpred = canon(pred)
        pars = [canon(x) for x in PARAGRAPH_BREAK.split(s.gold) if x.strip()]
        kept.append(sum(x in cpred for x in pars) / len(pars) if pars else float(not cpred))
        exact.append(canon(s.gold) == cpred)
        if s.noise is None:
            labelled = False
            control = norm(s.text) == norm(s.gold)
        else:
            control = not s.noise
        if control:
            clean.append(norm(s.gold) == norm(pred))
        for n in s.noise or ():
            if n.text:
                removed[n.family].append(canon(n.text) not in cpred)
            else:
                removed[n.family].append(not ENCODING_RESIDUE.search(pred))
    prec, rec = _mean(P) or 0.0, _mean(R) or 0.0
    out: dict = {
        "kind": "noisy",
        "docs": docs,
        "F1": _f1(prec, rec),
        "P": prec,
        "R": rec,
        "par_kept": _mean(kept),
        "clean_exact": _mean(clean),
        "exact": _mean(exact),
    }
    if labelled:
        out["noise_rm"] = _mean([x for v in removed.values() for x in v])
        out["noise_rm_by_family"] = {k: _mean(v) for k, v in sorted(removed.items())}
    return out


def score_html(gold: dict[str, str], preds: dict[str, str]) -> dict:
    """Figures of an HTML set: mean shingle P and R of each page's text against its gold body."""
    pr = [prf(body, preds.get(i, "")) for i, body in sorted(gold.items())]
    prec = _mean([p for p, _ in pr]) or 0.0
    rec = _mean([r for _, r in pr]) or 0.0
    return {"kind": "html", "docs": len(pr), "F1": _f1(prec, rec), "P": prec, "R": rec}

"""Train the off-topic model without labels, and measure it.

    python bench/offtopic_train.py [--copies 6] [--seed 1] [--embed]

Training data is made, not labelled: the gold article bodies of bench/data/html-dev
(never noisy-dev) are the documents; one or two consecutive sentences of another
article, inserted as their own paragraph at a random place, are the positives; the
articles' own paragraphs that the coherence stage would judge are the negatives. The
features are exactly the stage's (cleaner/offtopic.py). A logistic regression with a
little L2 is fitted by Newton's method (numpy, from the bench extra).

Reported: cross-validated (by article, 5 folds) precision and recall at the stage's
thresholds, and, for reference only, the same on noisy-dev (its injected `offtopic`
sentences against its gold paragraphs). Writes the model and the `offtopic-train` section
of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from _common import write_section  # noqa: E402

from cleaner import load_config  # noqa: E402
from cleaner.embed import EMBED_FEATURES  # noqa: E402
from cleaner.offtopic import FEATURES, Model  # noqa: E402
from cleaner.stages.coherence import CoherenceParams, candidates, judging  # noqa: E402

SENTENCE = re.compile(r"(?<=[.!?…])\s+(?=[A-Z“\"‘'(])|(?<=[.!?…][\"'”’»)\]])\s+(?=\S)")


def _params() -> CoherenceParams:
    """The bundled pipeline's coherence parameters: the model learns on the paragraphs the stage judges."""
    spec = load_config().stage("coherence")
    assert spec is not None
    return replace(spec.params, scorer="model")


PARAMS = _params()


def articles() -> list[list[str]]:
    gold = json.loads((ROOT / "bench/data/html-dev/ground-truth.json").read_text(encoding="utf-8"))
    out = []
    for key in sorted(gold):
        paras = [p.strip() for p in gold[key]["articleBody"].splitlines() if p.strip()]
        if len(paras) >= PARAMS.min_paragraphs:
            out.append(paras)
    return out


def snippet(rng: random.Random, paras: list[str]) -> str | None:
    """One or two consecutive sentences of a paragraph with enough words."""
    long = [p for p in paras if len(p.split()) >= 15]
    if not long:
        return None
    sentences = [s for s in SENTENCE.split(rng.choice(long)) if s.strip()]
    k = rng.choice((1, 1, 2)) if len(sentences) > 1 else 1
    i = rng.randrange(len(sentences) - k + 1)
    text = " ".join(sentences[i : i + k]).strip()
    return text if len(text.split()) >= 6 else None


def rows(
    docs: list[list[str]], copies: int, seed: int, params: CoherenceParams | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list]:
    """Features, labels, article index and (text, paragraph index) of every judged
    paragraph of the made documents."""
    rng = random.Random(seed)
    xs, ys, groups, where = [], [], [], []
    for a, paras in enumerate(docs):
        for c in range(copies + 1):
            body = list(paras)
            inserted: set[str] = set()
            if c:  # copy 0 is the article as it is
                for _ in range(rng.choice((1, 1, 2))):
                    other = rng.choice([d for d in range(len(docs)) if d != a])
                    s = snippet(rng, docs[other])
                    if s:
                        body.insert(rng.randrange(1, len(body) + 1), s)
                        inserted.add(s)
            text = "\n\n".join(body) + "\n"
            for cand in candidates(text, params or PARAMS, with_features=True):
                assert cand.features is not None
                if c and text[cand.start : cand.end].strip() not in inserted:
                    continue  # the article's own paragraphs are counted once, from copy 0
                xs.append(cand.features)
                ys.append(1 if text[cand.start : cand.end].strip() in inserted else 0)
                groups.append(a)
                where.append((text, cand.index))
    return np.array(xs, dtype=float), np.array(ys, dtype=float), np.array(groups), where


def with_embeddings(x: np.ndarray, where: list) -> np.ndarray:
    """The rows with the embedding features appended (cleaner/embed.py)."""
    from cleaner import embed

    cache: dict[str, np.ndarray] = {}
    out = []
    for row, (text, index) in zip(x, where, strict=True):
        if text not in cache:
            cache[text] = embed.vectors([line for line in text.splitlines() if line.strip()])
        out.append(list(row) + embed.features(cache[text], index))
    return np.array(out, dtype=float)


def fit(x: np.ndarray, y: np.ndarray, l2: float = 1.0) -> Model:
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / scale])
    w = np.zeros(z.shape[1])
    reg = np.eye(len(w)) * l2
    reg[0, 0] = 0
    for _ in range(50):
        p = 1 / (1 + np.exp(-np.clip(z @ w, -50, 50)))
        grad = z.T @ (p - y) + reg @ w
        hess = (z * (p * (1 - p))[:, None]).T @ z + reg
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    names = FEATURES if x.shape[1] == len(FEATURES) else FEATURES + EMBED_FEATURES
    return Model(names, tuple(mean), tuple(scale), tuple(w[1:]), float(w[0]))


def predict(model: Model, x: np.ndarray) -> np.ndarray:
    return np.array([model.probability(list(r)) for r in x])


def rates(p: np.ndarray, y: np.ndarray, at: float) -> tuple[float, float, int]:
    hit = p >= at
    tp = int((hit & (y == 1)).sum())
    return tp / max(int(hit.sum()), 1), tp / max(int((y == 1).sum()), 1), int((hit & (y == 0)).sum())


def noisy_dev(params: CoherenceParams | None = None) -> tuple[np.ndarray, np.ndarray, list]:
    xs, ys, where = [], [], []
    for line in (ROOT / "bench/data/noisy-dev/noisy.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        off = {n["text"].strip() for n in rec["noise"] if n["family"] == "offtopic"}
        gold = {p.strip() for p in rec["gold"].splitlines() if p.strip()}
        text = rec["text"]
        for cand in candidates(text, params or PARAMS, with_features=True):
            para = text[cand.start : cand.end].strip()
            if para in off or para in gold:
                xs.append(cand.features)
                ys.append(1 if para in off else 0)
                where.append((text, cand.index))
    return np.array(xs, dtype=float), np.array(ys, dtype=float), where


def cross_validate(x: np.ndarray, y: np.ndarray, g: np.ndarray) -> np.ndarray:
    folds = np.array([hash_fold(v) for v in g])
    p = np.zeros(len(y))
    for f in range(5):
        m = fit(x[folds != f], y[folds != f])
        p[folds == f] = predict(m, x[folds == f])
    return p


def table(title: str, p_cv: np.ndarray, y: np.ndarray, pn: np.ndarray, ny: np.ndarray) -> list[str]:
    lines = [
        f"{title}",
        "",
        "| probability ≥ | CV precision | CV recall | CV false | noisy-dev precision | noisy-dev recall"
        " | noisy-dev false |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for at in (0.5, 0.7, 0.8, 0.9, 0.95, 0.98):
        cp, cr, cf = rates(p_cv, y, at)
        np_, nr, nf = rates(pn, ny, at)
        lines.append(f"| {at} | {cp:.3f} | {cr:.3f} | {cf} | {np_:.3f} | {nr:.3f} | {nf} |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=6)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--embed", action="store_true", help="also train the embedding model (needs the embed extra)")
    a = ap.parse_args()
    x, y, g, where = rows(articles(), a.copies, a.seed)
    print(f"{len(y)} paragraphs judged, {int(y.sum())} inserted")
    model = fit(x, y)
    (ROOT / "rules/offtopic-model.json").write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
    nx, ny, nwhere = noisy_dev()
    lines = [
        "<!-- offtopic-train:start -->",
        "## Off-topic models",
        "",
        f"Made by `python bench/offtopic_train.py --copies {a.copies} --seed {a.seed}"
        + (" --embed" if a.embed else "")
        + f"`: html-dev gold articles, {len(y):,} judged paragraphs of which {int(y.sum()):,} inserted from other"
        " articles (the article's own paragraphs once, the inserts from several made copies: the rows are far"
        " richer in inserts than real text, so precision here flatters). CV: cross-validated by article (5 folds)."
        " noisy-dev: its injected `offtopic` sentences against its gold paragraphs, scored by the model fitted on"
        " all of html-dev, for reference only (never trained on).",
        "",
    ]
    lines += table("Lexical model (`scorer: model`):", cross_validate(x, y, g), y, predict(model, nx), ny)
    lines += ["", "Weights: " + ", ".join(f"{n} {w:+.2f}" for n, w in zip(model.features, model.weights, strict=True))]
    if a.embed:
        # The embed scorer judges with its own settings (judging()): its rows, the lexical model's gate.
        eparams = judging(replace(PARAMS, scorer="embed"))
        x, y, g, where = rows(articles(), a.copies, a.seed, eparams)
        nx, ny, nwhere = noisy_dev(eparams)
        keep = predict(model, x) >= PARAMS.embed_from
        nkeep = predict(model, nx) >= PARAMS.embed_from
        ex = with_embeddings(x[keep], [w for w, k in zip(where, keep, strict=True) if k])
        nex = with_embeddings(nx[nkeep], [w for w, k in zip(nwhere, nkeep, strict=True) if k])
        emodel = fit(ex, y[keep])
        (ROOT / "rules/offtopic-embed-model.json").write_text(
            json.dumps(emodel.to_json(), indent=1) + "\n", encoding="utf-8"
        )
        p_cv = np.zeros(len(y))
        p_cv[keep] = cross_validate(ex, y[keep], g[keep])
        pn = np.zeros(len(ny))
        pn[nkeep] = predict(emodel, nex)
        lines += [""]
        lines += table(
            f"Embedding model (`scorer: embed`: paragraphs of {eparams.min_words}+ words in documents of median share"
            f" {eparams.min_doc_median}+ that the lexical model puts at {PARAMS.embed_from} or more):",
            p_cv,
            y,
            pn,
            ny,
        )
        lines += [
            "",
            "Weights: " + ", ".join(f"{n} {w:+.2f}" for n, w in zip(emodel.features, emodel.weights, strict=True)),
        ]
    lines.append("<!-- offtopic-train:end -->")
    print("\n".join(lines))
    write_section(ROOT / "BENCHMARKS.md", "offtopic-train", "\n".join(lines))


def hash_fold(group: int) -> int:
    return (group * 2654435761) % 5


if __name__ == "__main__":
    main()

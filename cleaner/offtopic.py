"""How off-topic a paragraph looks: lexical features and a small logistic model over them.

A paragraph inserted from another story shares few words with the rest of the document,
and above all few with its neighbours and with the words the document keeps repeating
(its topic); the people and places it names appear nowhere else. Each signal alone is
weak (real paragraphs change the subject too); together they separate far better. The
weights are learned without labels by `bench/offtopic_train.py`: sentences of one article
inserted into another are the positives, the articles' own paragraphs the negatives. The
model is a JSON file, so scoring needs no heavy library.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from pathlib import Path

FEATURES = (
    "share",  # share of the paragraph's words found in any other paragraph
    "near",  # ... in the two paragraphs before and the two after
    "best",  # ... in the single paragraph that shares most
    "topic",  # how many of the document's ten most spread words it uses (at most 5)
    "names",  # capitalised names it uses (at most 6)
    "new_names",  # share of those found in no other paragraph
    "log_words",  # log of its distinct content words
    "sentences",
    "median",  # the document's median share: how much its paragraphs usually share
    "below_median",  # median - share
    "position",  # 0 at the first paragraph, 1 at the last
    "log_paragraphs",
)
TOPIC_WORDS = 10
NEAR = 2


@dataclass(frozen=True)
class Context:
    """What every paragraph of one document is compared with."""

    blocks: list[set[str]]  # content words per paragraph
    shared: dict[str, int]  # words in more than one paragraph: in how many
    topic: set[str]  # the words in most paragraphs
    median: float


def context(blocks: list[set[str]], shared: dict[str, int], median: float) -> Context:
    """`shared`: the words in more than one of `blocks`, with how many (`tokens.spread`)."""
    topic = set(sorted(shared, key=lambda w: (-shared[w], w))[:TOPIC_WORDS])
    return Context(blocks, shared, topic, median)


def features(ctx: Context, i: int, names: set[str], sentences: int) -> list[float]:
    words = ctx.blocks[i]
    n = len(words)
    share = len(ctx.shared.keys() & words) / n
    near: set[str] = set()
    for j in range(max(0, i - NEAR), min(len(ctx.blocks), i + NEAR + 1)):
        if j != i:
            near |= ctx.blocks[j]
    others = ctx.blocks[:i] + ctx.blocks[i + 1 :]
    best = max(map(len, map(words.intersection, others)), default=0)
    known = [w for w in names if w in ctx.shared]
    return [
        share,
        len(words & near) / n,
        best / n,
        min(len(words & ctx.topic), 5),
        min(len(names), 6),
        1 - len(known) / len(names) if names else 0.0,
        math.log(n),
        sentences,
        ctx.median,
        ctx.median - share,
        i / max(len(ctx.blocks) - 1, 1),
        math.log(len(ctx.blocks)),
    ]


@dataclass(frozen=True)
class Model:
    """Logistic regression over standardised features."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    def probability(self, x: list[float]) -> float:
        z = self.bias
        for v, m, s, w in zip(x, self.mean, self.scale, self.weights, strict=True):
            z += w * (v - m) / s
        return 1 / (1 + math.exp(-max(min(z, 50.0), -50.0)))

    def to_json(self) -> dict:
        return {
            "features": list(self.features),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "weights": list(self.weights),
            "bias": self.bias,
        }


def model_path(embedded: bool = False) -> Path:
    from .config import rules_dir

    return rules_dir() / ("offtopic-embed-model.json" if embedded else "offtopic-model.json")


@functools.cache
def load_model(path: str | None = None, embedded: bool = False) -> Model:
    """The bundled model (lexical, or lexical + embedding features), or the one at `path`."""
    from .embed import EMBED_FEATURES

    path = path or str(model_path(embedded))
    body = json.loads(Path(path).read_text(encoding="utf-8"))
    model = Model(
        tuple(body["features"]),
        tuple(body["mean"]),
        tuple(body["scale"]),
        tuple(body["weights"]),
        float(body["bias"]),
    )
    if model.features != FEATURES + (EMBED_FEATURES if embedded else ()):
        raise ValueError(f"{path}: the model's features do not match this version of cleaner")
    return model

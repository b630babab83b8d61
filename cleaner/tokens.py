"""Whitespace tokens mapped through a memoised function: the word counting of the stages.

Coherence and the topic signature split text on whitespace and map each token through a
pure function (its content-word stems; its lowercase words), memoised because tokens
repeat. `TokenMap` does that in C (`_tokens.c`, built on install) where it can: there a
token is hashed in place and only a token never seen before becomes a Python string, which
is most of the cost here. `PyTokenMap` is the same in Python, the reference the tests hold
the C one to, and what runs when the extension was not built (no C compiler).
`line_shares` and `spread` count the words a document's paragraphs share, for coherence;
`commonest` gives the topic signature its words.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from itertools import chain
from operator import itemgetter

Fn = Callable[[str], tuple[str, ...]]


class PyTokenMap:
    """fn(token) for every whitespace token of a text, each distinct token worked out once.

    The memo is emptied when it holds more than `max_entries` tokens, so it stays bounded
    on any corpus; fn must be pure, so that changes nothing but the time.
    """

    def __init__(self, fn: Fn, max_entries: int = 500_000):
        if max_entries < 1:
            raise ValueError("TokenMap: max_entries must be 1 or more")
        self.fn = fn
        self.max_entries = max_entries
        self.memo: dict[str, tuple[str, ...]] = {}

    def _values(self, tokens: list[str]) -> list[tuple[str, ...]]:
        memo = self.memo
        values = list(map(memo.get, tokens))  # one C-level pass; None marks a token not seen yet
        if None in values:
            for i, v in enumerate(values):
                if v is None:
                    t = tokens[i]
                    v = memo.get(t)
                    if v is None:
                        if len(memo) >= self.max_entries:
                            memo.clear()
                        v = memo[t] = self.fn(t)
                    values[i] = v
        return values  # type: ignore[return-value]

    def flat(self, text: str) -> list[str]:
        """The values of the tokens of `text`, in token order."""
        return list(chain.from_iterable(self._values(text.split())))

    def line_sets(self, text: str) -> list[tuple[int, int, set[str]]]:
        """(start, end, words) for each non-blank line, lines as str.splitlines(keepends=True) cuts them."""
        out = []
        pos = 0
        for line in text.splitlines(keepends=True):
            if line.strip():
                out.append((pos, pos + len(line), set(chain.from_iterable(self._values(line.split())))))
            pos += len(line)
        return out

    def line_shares(self, text: str) -> list[tuple[int, int, int, float]]:
        """(start, end, size, share) for the lines of `line_sets`: the size of each line's
        set and the share of it found in another line's (`py_spread`)."""
        blocks = self.line_sets(text)
        shared = py_spread([words for _, _, words in blocks]).keys()
        return [(s, e, len(words), len(shared & words) / len(words) if words else 0.0) for s, e, words in blocks]

    def commonest(self, text: str, line_words: int, max_chars: int, most: int) -> list[tuple[str, int]]:
        """(value, count) of the `most` most frequent values of the text's sample, most first,
        ties in the order first seen (Counter.most_common's order).

        The sample is the text's lines of `line_words` words or more (by their spaces), the
        first of them up to `max_chars` characters, joined by line breaks and cut there; the
        text's first `max_chars` when it has no such line.
        """
        body, size = [], 0
        for line in text.splitlines():
            if line.count(" ") + 1 >= line_words:
                body.append(line)
                size += len(line) + 1
                if size >= max_chars:  # the sample is cut there anyway
                    break
        counts = Counter(self.flat(("\n".join(body) if body else text)[:max_chars]))
        # sorted is stable, so ties keep their first-seen order, as in most_common
        return sorted(counts.items(), key=itemgetter(1), reverse=True)[:most]

    def size(self) -> int:
        return len(self.memo)


def py_spread(sets: list[set[str]]) -> dict[str, int]:
    """For the words in two or more of `sets`, how many hold each. The reference for `spread`."""
    counts: dict[str, int] = {}
    for words in sets:
        for w in words:
            counts[w] = counts.get(w, 0) + 1
    return {w: n for w, n in counts.items() if n > 1}


try:
    from ._tokens import TokenMap, spread
except ImportError:  # built without a C compiler: the same results, slower
    TokenMap = PyTokenMap  # type: ignore[assignment,misc]
    spread = py_spread

NATIVE = TokenMap is not PyTokenMap

"""The C TokenMap gives exactly what the Python reference gives."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner import tokens
from cleaner.repeated_store import _sig_words
from cleaner.stages.coherence import _token_stems
from cleaner.tokens import PyTokenMap, TokenMap

native = pytest.mark.skipif(not tokens.NATIVE, reason="C extension not built")

# Every whitespace and line break str.split and str.splitlines know, in 1-, 2- and 4-byte strings.
SPACES = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2028\u2029\u202f\u3000"
TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(SPACES + "\r\n"),
        st.sampled_from("abcABC'’-.éßİΣς"),
        st.characters(min_codepoint=0x20, max_codepoint=0x2FFFF),
    ),
    max_size=200,
)


def test_native_built_when_required() -> None:
    """CI builds the extension: a failed build must not pass unnoticed as the slow fallback."""
    if os.environ.get("CLEANER_REQUIRE_NATIVE") == "1":
        assert tokens.NATIVE


@native
@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_same_as_python(text: str) -> None:
    for fn in (_token_stems, _sig_words, lambda t: (t, t.lower())):
        c, py = TokenMap(fn), PyTokenMap(fn)
        for _ in range(2):  # from fn, then from the memo
            assert c.flat(text) == py.flat(text)
            assert c.line_sets(text) == py.line_sets(text)
            assert c.line_shares(text) == py.line_shares(text)


@native
@settings(max_examples=200, deadline=None)
@given(st.lists(TEXT, min_size=1, max_size=6))
def test_line_shares_across_texts_and_a_full_memo(texts: list[str]) -> None:
    """Word ids outlive a text and the memo's emptying: each text's shares stay its own."""
    fn = _token_stems
    small, py = TokenMap(lambda t: tuple(t.lower().split("'")), 3), PyTokenMap(lambda t: tuple(t.lower().split("'")))
    big = TokenMap(fn)
    for text in texts + texts:
        assert small.line_shares(text) == py.line_shares(text)
        want = [(s, e, len(w), share) for (s, e, w), share in _with_shares(text)]  # floats bit for bit
        assert big.line_shares(text) == want
        assert PyTokenMap(fn).line_shares(text) == want


# Lines of a few words, some long enough to be sampled, with words that repeat.
SAMPLED = st.lists(
    st.lists(
        st.sampled_from(["Zorbex", "minister", "said", "a", "the", "Σίσυφος", "x" * 30, "again"]), max_size=14
    ).map(" ".join),
    max_size=12,
).map("\n".join)


@native
@settings(max_examples=300, deadline=None)
@given(st.one_of(TEXT, SAMPLED), st.integers(1, 14), st.integers(0, 120), st.integers(0, 30))
def test_commonest_same_as_python(text: str, line_words: int, max_chars: int, most: int) -> None:
    """The C sample, counts and order, also with a memo emptied mid-text (words it counted stay)."""
    py = PyTokenMap(_sig_words).commonest(text, line_words, max_chars, most)
    for c in (TokenMap(_sig_words), TokenMap(lambda t: _sig_words(t), 2)):
        assert c.commonest(text, line_words, max_chars, most) == py
        assert c.commonest(text, line_words, max_chars, most) == py  # from the memo


def test_commonest_example() -> None:
    text = "short line\nthe minister said it again and again\nagain the minister spoke\nfooter"
    for make in (TokenMap, PyTokenMap):
        top = make(lambda t: (t.lower(),)).commonest(text, 4, 1000, 3)
        assert top == [("again", 3), ("the", 2), ("minister", 2)]  # ties: first seen first
        assert make(lambda t: (t,)).commonest(text, 4, 15, 5) == [("the", 1), ("minister", 1), ("sa", 1)]
        assert make(lambda t: (t,)).commonest("no body\nhere", 9, 4, 5) == [("no", 1), ("b", 1)]


def _with_shares(text: str) -> list[tuple[tuple[int, int, set[str]], float]]:
    blocks = PyTokenMap(_token_stems).line_sets(text)
    return list(zip(blocks, _algebra([w for _, _, w in blocks])[1], strict=True))


@pytest.mark.parametrize("make", [TokenMap, PyTokenMap])
def test_line_sets(make: type) -> None:
    text = "Ab cd\r\n\n  \nef ab\u2028x\r"
    got = make(lambda t: (t.lower(),)).line_sets(text)
    assert got == [(0, 7, {"ab", "cd"}), (11, 17, {"ef", "ab"}), (17, 19, {"x"})]
    assert [text[s:e] for s, e, _ in got] == [x for x in text.splitlines(keepends=True) if x.strip()]
    shares = make(lambda t: (t.lower(),) if t != "cd" else ()).line_shares(text + "AB ab x")
    assert shares == [(0, 7, 1, 1.0), (11, 17, 2, 0.5), (17, 19, 1, 1.0), (19, 26, 2, 1.0)]


def _algebra(sets: list[set[str]]) -> tuple[set[str], list[float]]:
    """What coherence did before `spread`: set algebra, one paragraph at a time."""
    seen: set[str] = set()
    shared: set[str] = set()
    for words in sets:
        shared |= seen & words
        seen |= words
    return shared, [len(words & shared) / len(words) if words else 0.0 for words in sets]


WORD_SETS = st.lists(st.sets(st.sampled_from(["a", "b", "c", "dé", "Σ", "\U0001f600", ""]), max_size=6), max_size=8)


@settings(max_examples=300, deadline=None)
@given(WORD_SETS)
def test_spread(sets: list[set[str]]) -> None:
    want_shared, _ = _algebra(sets)
    for fn in (tokens.spread, tokens.py_spread):
        counts = fn(sets)
        assert set(counts) == want_shared
        assert all(n == sum(w in s for s in sets) for w, n in counts.items())


def test_spread_example_and_errors() -> None:
    sets = [{"a", "b"}, {"b", "c"}, set(), {"b", "a", "d"}]
    for fn in (tokens.spread, tokens.py_spread):
        assert fn(sets) == {"a": 2, "b": 3}
        assert fn([]) == {}
    if tokens.NATIVE:
        with pytest.raises(TypeError):
            tokens.spread([["a"]])  # a list is not a set
        with pytest.raises(TypeError):
            tokens.spread(3)


@pytest.mark.parametrize("make", [TokenMap, PyTokenMap])
def test_memo_bounded_and_fn_called_once(make: type) -> None:
    calls: list[str] = []

    def fn(t: str) -> tuple[str, ...]:
        calls.append(t)
        return (t,)

    m = make(fn, 3)
    assert m.flat("a b a c a") == ["a", "b", "a", "c", "a"]
    assert calls == ["a", "b", "c"]
    m.flat("d e f g")
    assert m.size() <= 3
    assert m.flat("g g") == ["g", "g"]


@pytest.mark.parametrize("make", [TokenMap, PyTokenMap])
def test_errors(make: type) -> None:
    def boom(t: str) -> tuple[str, ...]:
        raise ValueError(t)

    with pytest.raises(ValueError, match="x"):
        make(boom).flat("x")
    with pytest.raises(ValueError):
        make(str.split, 0)
    if make is TokenMap and tokens.NATIVE:
        with pytest.raises(TypeError):
            make(lambda t: [t]).flat("x")  # a list is not a tuple


def test_run_without_the_extensions_is_the_same(tmp_path: Path) -> None:
    """A machine without a C compiler gets the pure-Python TokenMap, fold and sentence
    fingerprints: `cleaner run` on the seeds writes the same outputs and the same state."""
    script = (
        "import sys\n"
        "if sys.argv[1] == 'py': sys.modules['cleaner._tokens'] = sys.modules['cleaner._prints'] = None\n"
        "import cleaner.tokens, cleaner.sentences\n"
        "assert cleaner.tokens.NATIVE == (sys.argv[1] != 'py')\n"
        "assert (cleaner.sentences.doc_sentences is cleaner.sentences.py_doc_sentences) == (sys.argv[1] == 'py')\n"
        "import cleaner.stages.repeated as r\n"
        "assert (r.repeated_lines is r.py_repeated_lines) == (sys.argv[1] == 'py')\n"
        "from cleaner.cli import app\n"
        "app(['run', 'seeds', '--out', sys.argv[2], '--workers', '1', '-q'])\n"
    )
    root = Path(__file__).resolve().parent.parent
    outs = {}
    for mode in ("py", "native"):
        if mode == "native" and not tokens.NATIVE:
            continue
        out = tmp_path / mode
        done = subprocess.run([sys.executable, "-c", script, mode, str(out)], cwd=root, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        outs[mode] = out
    if len(outs) < 2:
        pytest.skip("C extension not built")
    py, nat = outs["py"], outs["native"]
    names = sorted(p.name for p in py.glob("*.txt"))
    assert names and names == sorted(p.name for p in nat.glob("*.txt"))
    for name in names:
        assert (py / name).read_bytes() == (nat / name).read_bytes()
    assert (py / ".cleaner/repeated.json").read_bytes() == (nat / ".cleaner/repeated.json").read_bytes()

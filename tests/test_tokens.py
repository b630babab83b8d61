"""The C TokenMap gives exactly what the Python reference gives."""

from __future__ import annotations

import json
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


@pytest.mark.parametrize("make", [TokenMap, PyTokenMap])
def test_line_sets(make: type) -> None:
    text = "Ab cd\r\n\n  \nef ab\u2028x\r"
    got = make(lambda t: (t.lower(),)).line_sets(text)
    assert got == [(0, 7, {"ab", "cd"}), (11, 17, {"ef", "ab"}), (17, 19, {"x"})]
    assert [text[s:e] for s, e, _ in got] == [x for x in text.splitlines(keepends=True) if x.strip()]


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


def test_pipeline_without_the_extension_cleans_the_same() -> None:
    """A machine without a C compiler gets the pure-Python TokenMap: the same outputs."""
    script = (
        "import sys, json\n"
        "if sys.argv[1] == 'py': sys.modules['cleaner._tokens'] = None\n"
        "import cleaner, cleaner.tokens\n"
        "from pathlib import Path\n"
        "out = [cleaner.tokens.NATIVE]\n"
        "out += [cleaner.clean(p.read_text()).text for p in sorted(Path('seeds').glob('*.txt'))]\n"
        "print(json.dumps(out))\n"
    )
    root = Path(__file__).resolve().parent.parent
    got = {
        mode: subprocess.run(
            [sys.executable, "-c", script, mode], cwd=root, capture_output=True, text=True, check=True
        ).stdout
        for mode in ("py", "native")
    }
    py, native_out = json.loads(got["py"]), json.loads(got["native"])
    assert py[0] is False
    assert py[1:] == native_out[1:] and len(py) > 1

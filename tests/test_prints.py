"""The C line fold and sentence fingerprints give exactly what their Python references give."""

from __future__ import annotations

import os
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner import sentences
from cleaner.repeated_store import doc_lines, normalise, py_doc_lines, py_fold
from cleaner.sentences import py_doc_sentences, py_first_print

try:
    from cleaner import _prints
except ImportError:  # built without a C compiler
    _prints = None  # type: ignore[assignment]

native = pytest.mark.skipif(_prints is None, reason="C extension not built")

# Every whitespace and line break Python knows, digits of other scripts, sentence ends and
# closers, letters whose lowercase is longer or depends on context, in 1-, 2- and 4-byte strings.
SPACES = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2028\u2029\u202f\u3000"
SPECIAL = ".!?…\"'”’»)]0123456789٣३１ABCabcéßİΣςẞǅ²"
TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(SPACES + "\r\n"),
        st.sampled_from(SPECIAL),
        st.characters(min_codepoint=0x20, max_codepoint=0x2FFFF, exclude_categories=("Cs",)),
    ),
    max_size=300,
)
# Sentences long enough to be fingerprinted, often.
WORDY = st.lists(
    st.tuples(st.lists(TEXT.map(lambda t: t[:12]), min_size=4, max_size=12), st.sampled_from(SPECIAL[:12] + " \n")),
    max_size=8,
).map(lambda parts: "".join(" ".join(words) + end for words, end in parts))


# Lines with glued markers, lowercase leads, names, digits and sentence ends: the cases
# py_doc_lines hands to its helpers, and the line lengths its bounds cut at.
FRAGMENTS = [
    "Advertisement", "ADVERTISEMENT", "The", "minister", "said", "on", "Monday", "slot gacor", "But", "it is",
    "“Quote", "(Reuters)", "Mr.", "McConnell", "Sponsored Content:", "SoftBank", "2024", "Ü", "é", "x" * 30,
    "iPhone", "And", "the", "—", "»", "Σ", "İ", "ab", ".", ":",
]  # fmt: skip
GLUEY = st.lists(
    st.tuples(st.sampled_from(FRAGMENTS), st.sampled_from(["", " ", "  ", "\n", "\n\n", "\r\n", "\t", ". ", "\u2028"])),
    max_size=40,
).map(lambda parts: "".join(a + b for a, b in parts))


def test_native_built_when_required() -> None:
    """CI builds the extension: a failed build must not pass unnoticed as the slow fallback."""
    if os.environ.get("CLEANER_REQUIRE_NATIVE") == "1":
        assert _prints is not None
        assert sentences.doc_sentences is not py_doc_sentences and doc_lines is not py_doc_lines


@native
@settings(max_examples=500, deadline=None)
@given(TEXT)
def test_fold_is_normalise(line: str) -> None:
    assert _prints.fold(line) == normalise(line)
    assert py_fold(line.strip()) == normalise(line)  # the fast path of the Python fallback


@native
@settings(max_examples=500, deadline=None)
@given(st.one_of(TEXT, WORDY))
def test_sentence_prints_as_python(text: str) -> None:
    assert _prints.sentence_prints(text) == py_doc_sentences(text)


@native
@settings(max_examples=500, deadline=None)
@given(st.one_of(TEXT, WORDY, GLUEY, GLUEY.map(lambda t: t * 12)))
def test_line_prints_as_python(text: str) -> None:
    assert list(doc_lines(text).items()) == list(py_doc_lines(text).items())  # the same, in the same order


@native
def test_line_prints_on_every_character() -> None:
    """Each code point (surrogates aside) in a line of its own, framed and tripled: the C
    folding lowers it as str.lower does (the Kelvin sign to an ASCII k, İ to two characters)."""
    points = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    for k in range(0, len(points), 20_000):
        chunk = points[k : k + 20_000]
        for text in ("\n".join(f"ab{c}cd" for c in chunk), "\n".join(c * 3 for c in chunk)):
            assert list(doc_lines(text).items()) == list(py_doc_lines(text).items())


@native
def test_line_prints_examples() -> None:
    text = (
        "Copyright 2024 Example Media\n"
        "Sponsored ContentThe minister said on Monday that the plan would go ahead.\n\n"
        "slot gacor But it is not clear what the minister meant by that.\n"
        "  Copyright 1999   Example Media  \n"
        "ab\n" + "x" * 401 + "\n12345\n"
    )
    got = doc_lines(text)
    assert list(got.items()) == list(py_doc_lines(text).items())
    assert "Copyright 2024 Example Media" in got.values()  # the 1999 copy folds to the same line
    assert "  Copyright 1999   Example Media  ".strip() not in got.values()
    assert "Sponsored Content\nThe" in got.values()  # the glued marker, with the word after it
    assert "slot gacor\n But" in got.values()  # the lead
    assert not any(v in ("ab", "12345") or len(v) > 400 for v in got.values())


@native
@settings(max_examples=500, deadline=None)
@given(st.one_of(TEXT, WORDY))
def test_first_print_as_python(text: str) -> None:
    for line in text.splitlines() or [text]:
        assert _prints.first_print(line) == py_first_print(line)


@native
def test_first_print_examples() -> None:
    assert _prints.first_print("  Too short. But the rest of it is long enough here.") is None
    assert _prints.first_print("The first sentence is long enough here. Short.") == sentences.fingerprint(
        "The first sentence is long enough here."
    )
    assert _prints.first_print("One whole paragraph without an end at all") == sentences.fingerprint(
        "One whole paragraph without an end at all"
    )


@native
def test_sentence_prints_examples() -> None:
    text = (
        "He said the plan would not work at all. “We will see what happens next,” she said! Short one.\r\n"
        "A line without an end but long enough to count here\u2028"
        "The same sentence twice in this document here. The same sentence twice in this document here."
    )
    got = _prints.sentence_prints(text)
    assert got == py_doc_sentences(text)
    assert len(got) == 4  # the short one is not counted, the repeated one once
    key = b"said the plan would not work at all."  # its last 8 words
    assert got[0] == ((zlib.crc32(key) << 31) ^ zlib.adler32(key)) & (2**63 - 1)


@native
def test_errors() -> None:
    with pytest.raises(TypeError):
        _prints.fold(b"x")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        _prints.sentence_prints(None)  # type: ignore[arg-type]
    with pytest.raises(UnicodeEncodeError):
        _prints.sentence_prints("one two three four five six \ud800 seven")
    with pytest.raises(UnicodeEncodeError):
        py_doc_sentences("one two three four five six \ud800 seven")
    with pytest.raises(UnicodeEncodeError):
        doc_lines("a line with a lone \ud800 surrogate")
    with pytest.raises(UnicodeEncodeError):
        py_doc_lines("a line with a lone \ud800 surrogate")
    with pytest.raises(TypeError):
        _prints.line_prints(b"x", None, None)  # type: ignore[arg-type]


# Every character of encoding.FIRST and its neighbours, among others.
SUSPECTS = (
    "&\x00\x08\x09\x0a\x0b\x0c\x0d\x0e\x1f\x20\x7e\x7f\x9f\xa0\xc1\xc2\xe9\xf4\xf5\u200a\u200b\u200c\u2060\ufeff\ufffe"
)
SUSPECT_TEXT = st.text(
    alphabet=st.one_of(st.sampled_from(SUSPECTS), st.characters(min_codepoint=0, max_codepoint=0x2FFFF)),
    max_size=60,
)


@native
@settings(max_examples=400, deadline=None)
@given(SUSPECT_TEXT, st.integers(-3, 70))
def test_next_suspect_as_regex(text: str, pos: int) -> None:
    from cleaner.stages.encoding import py_next_suspect

    assert _prints.next_suspect(text, pos) == py_next_suspect(text, pos)


@native
def test_next_suspect_examples_and_errors() -> None:
    find = _prints.next_suspect
    assert [find("a&b\u200bÃ©", p) for p in range(7)] == [1, 1, 3, 3, 4, -1, -1]  # © is no lead byte
    assert find("plain ASCII text", 0) == -1
    assert find("x", 5) == -1
    with pytest.raises(TypeError):
        find(b"&", 0)
    with pytest.raises(TypeError):
        find("&")


@native
@settings(max_examples=400, deadline=None)
@given(st.one_of(TEXT, st.text(max_size=400), st.binary(max_size=300).map(lambda b: b.decode("latin-1"))))
def test_digest8_as_hashlib(text: str) -> None:
    """BLAKE2b written out in C against hashlib's, across the 128-byte block edges."""
    from cleaner.repeated_store import py_digest8

    assert _prints.digest8(text) == py_digest8(text)


@native
def test_digest8_examples_and_errors() -> None:
    from cleaner.repeated_store import py_digest8

    for n in (0, 1, 63, 64, 127, 128, 129, 255, 256, 257, 1000):  # block edges, in UTF-8 bytes
        for text in ("a" * n, "é" * n, "\U0001f600" * (n // 4)):
            assert _prints.digest8(text) == py_digest8(text)
    assert _prints.digest8("") == "e4a6a0577479b2b4"  # hashlib.blake2b(b"", digest_size=8)
    with pytest.raises(UnicodeEncodeError):
        _prints.digest8("lone \ud800")
    with pytest.raises(TypeError):
        _prints.digest8(b"bytes")  # type: ignore[arg-type]


def _learned(text: str, extra: list[str]) -> tuple[bytes, int, dict[str, int], frozenset[str]]:
    """What the repeated stage would know had it learned some of the text's lines and `extra`."""
    from cleaner.repeated_store import fingerprint

    lines = [x.strip() for x in text.splitlines()[::2] + extra]
    counts = {fp: 1 + i % 7 for i, x in enumerate(lines) if (fp := fingerprint(x))}
    sizes = {len(x.split()) for x in lines}
    most = max(sizes, default=0)
    firsts = frozenset(c for x in lines[1::3] if x for c in (x[0].lower(), x[0].upper()))
    return bytes(k in sizes for k in range(most + 2)), most, counts, firsts


@native
@settings(max_examples=500, deadline=None)
@given(st.one_of(TEXT, WORDY, GLUEY, GLUEY.map(lambda t: t * 12)), st.lists(st.sampled_from(FRAGMENTS), max_size=4))
def test_repeated_lines_as_python(text: str, extra: list[str]) -> None:
    from cleaner.stages.repeated import py_repeated_lines

    args = _learned(text, extra)
    assert _prints.repeated_lines(text, *args) == py_repeated_lines(text, *args)
    unlearned = (*args[:2], {}, frozenset())
    assert _prints.repeated_lines(text, *unlearned) == py_repeated_lines(text, *unlearned)


@native
def test_repeated_lines_examples_and_errors() -> None:
    from cleaner.stages.repeated import py_repeated_lines

    text = (
        "Copyright 2024 Example Media\r\n"
        "  Copyright 1999   Example Media  \n"
        "\u00a0slot gacor But it is\n"
        "Sponsored ContentThe minister said.\n\n"
        "\u2003Sponsored Content\u2029" + "X " * 300 + "\n"
    )
    args = _learned("Copyright 2000 Example Media", ["Sponsored Content", "slot gacor"])
    got = _prints.repeated_lines(text, *args)
    assert got == py_repeated_lines(text, *args)
    fp = next(iter(args[2]))
    assert got[:2] == [(0, 30, fp, args[2][fp]), (30, 65, fp, args[2][fp])]  # both years, line break kept
    assert [text[s:e] for s, e, f, _ in got[2:] if f is None] == [
        "\u00a0slot gacor But it is\n",  # a lowercase start, after a no-break space
        "Sponsored ContentThe minister said.\n",  # starts as a learned line does
    ]  # not: the blank line, the line after an em space, the long line
    with pytest.raises(TypeError):
        _prints.repeated_lines(b"x", *args)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        _prints.repeated_lines("x", args[0], args[1], args[2], set(args[3]))  # type: ignore[arg-type]

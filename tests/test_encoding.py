import ftfy
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.document import Document, apply_edits
from cleaner.stages.encoding import Encoding, EncodingParams


def fix(text: str, **params) -> tuple[str, list]:
    stage = Encoding(EncodingParams(**params))
    edits = stage.run(Document("d", text), text)
    return apply_edits(text, edits), list(edits)


def test_mojibake_repaired_with_small_edit():
    out, edits = fix("He said donâ€™t go.\nSecond line is fine.")
    assert out == "He said don’t go.\nSecond line is fine."
    assert [(e.rule, e.replacement) for e in edits] == [("encoding/mojibake", "’")]
    assert "donâ€™t go"[3:6] == "â€™"


def test_latin1_mojibake_in_a_name():
    out, edits = fix("Eugênio falou.".encode().decode("latin-1"))
    assert out == "Eugênio falou."


def test_entities():
    out, edits = fix("Disney&#8217;s &ldquo;Star Wars&rdquo; and AT&amp;T")
    assert out == "Disney’s “Star Wars” and AT&T"
    assert {e.rule for e in edits} == {"encoding/html-entity"}


def test_control_and_zero_width_characters():
    out, edits = fix("a\x00b zero\u200bwidth")
    assert out == "ab zerowidth"
    assert {e.rule for e in edits} == {"encoding/control-char", "encoding/zero-width"}


def test_typography_is_left_alone_by_default():
    text = "“Curly” — ﬁne ＡＢＣ café’s 10\u00a0000 e\u0301 👩\u200d🔬 R&D 5 < 7"
    out, edits = fix(text)
    assert out == text and edits == []


def test_uncurl_quotes_when_asked():
    out, _ = fix("“Curly”", uncurl_quotes=True)
    assert out == '"Curly"'


def test_replay_offsets_refer_to_input():
    text = "x\nAT&amp;T and donâ€™t\ny"
    out, edits = fix(text)
    for e in edits:
        assert text[e.start : e.end] in ("&amp;", "â€™")


# The stage hands ftfy no ASCII line free of control characters: ftfy, with every option this
# stage can set, must leave such text as it is. If a new ftfy changed that, this fails.
ASCII_TEXT = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E) | st.sampled_from("\t\r&;#"))


@settings(max_examples=400, deadline=None)
@given(ASCII_TEXT, st.booleans())
def test_ftfy_leaves_plain_ascii_alone(text, every_option):
    params = EncodingParams(
        uncurl_quotes=every_option,
        fix_latin_ligatures=every_option,
        fix_character_width=every_option,
        normalization="NFKC" if every_option else None,
    )
    assert ftfy.fix_and_explain(text, Encoding(params).fixer).text == text


def test_entities_on_an_ascii_line_with_every_option():
    out, edits = fix('AT&amp;T said "don\'t".\nÂ£5 and café', uncurl_quotes=True)
    assert out == 'AT&T said "don\'t".\n£5 and café'
    assert [e.rule for e in edits] == ["encoding/html-entity", "encoding/mojibake"]

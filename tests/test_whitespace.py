from cleaner.document import Document, apply_edits
from cleaner.stages.whitespace import Whitespace


def ws(text: str) -> str:
    return apply_edits(text, Whitespace().run(Document("d", text), text))


def test_tidy_text_is_untouched():
    text = "One paragraph.\n\nAnother one.\n"
    assert Whitespace().run(Document("d", text), text) == ()


def test_crlf_and_blank_runs():
    assert ws("a\r\n\r\n\r\n\r\nb\r\nc") == "a\n\nb\nc"


def test_blank_lines_with_spaces_collapse():
    assert ws("a\n  \n\t\n\nb") == "a\n\nb"


def test_leading_and_trailing_space():
    assert ws("\n\n  a\n\nb\n\n\n") == "a\n\nb\n"
    assert ws("a  ") == "a"


def test_spaces_at_line_end_go_but_inner_spaces_stay():
    assert ws("a  b   \nc") == "a  b\nc"


def test_nbsp_inside_text_is_kept():
    assert ws("10\u00a0000 euros\n\nok") == "10\u00a0000 euros\n\nok"


def test_idempotent():
    for text in ["a\r\n\r\n\r\nb  \n", "\n\nx\n \n\n\ny\r", "p\r\rq"]:
        once = ws(text)
        assert ws(once) == once

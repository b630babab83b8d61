import pytest

from cleaner.document import Edit, apply_edits


def test_apply_edits_in_any_order():
    text = "0123456789"
    edits = [Edit(6, 8, "r", ""), Edit(0, 2, "r", "", replacement="ab", action="replace")]
    assert apply_edits(text, edits) == "ab2345" + "89"


def test_flags_are_not_applied():
    assert apply_edits("keep me", [Edit(0, 4, "r", "", action="flag")]) == "keep me"


def test_overlapping_edits_are_refused():
    with pytest.raises(ValueError):
        apply_edits("0123456789", [Edit(0, 5, "a", ""), Edit(4, 6, "b", "")])


def test_out_of_range_edit_is_refused():
    with pytest.raises(ValueError):
        apply_edits("short", [Edit(2, 9, "a", "")])


def test_spanning_is_replace_with_a_new_span():
    from dataclasses import fields, replace

    from cleaner.document import Edit

    assert len(fields(Edit)) == 8  # a field added to Edit must be carried by spanning too
    e = Edit(3, 9, "r/x", "why", replacement="y", action="replace", score=0.5, meta=(("date", "2024"),))
    assert e.spanning(1, 12) == replace(e, start=1, end=12)

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

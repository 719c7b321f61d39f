"""One caret format for every error that points into source (errors.caret_lines)."""

from pallas_kernel.errors import RexError, caret_lines


def test_carets_line_up_under_the_place_keeping_tabs():
    assert caret_lines("\tab ", "cd", 2) == "    \tab cd\n    \t   ^^"
    assert caret_lines("", "x", 0, indent="") == "x\n^"


def test_rex_error_columns_are_bytes_but_carets_line_up_in_characters():
    e = RexError("bad", "f.sire", 1, 4, source="é ab", width=2)
    assert str(e).splitlines()[1:] == ["    é ab", "      ^^"]

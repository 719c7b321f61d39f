"""Rex errors: every error case of the reference, with file:line:column, and
the reader going on to the next block."""

import pytest

from pallas_kernel.errors import PallasError, RexError
from pallas_kernel.rex import read, read_blocks

from helpers.rex_trees import W, assert_reads


def errors_of(src):
    return [(e.line, e.column, e.reason) for b in read_blocks(src, "bad.sire") for e in b.errors]


@pytest.mark.parametrize("src, want", [
    ("\tx", [(1, 1, "Unexpected: '\\t'")]),
    ("x\r", [(1, 2, "Unexpected: '\\r'")]),
    ("a\x1bb", [(1, 2, "Unexpected: '\\ESC'")]),
    ("a\x7f", [(1, 2, "Unexpected: '\\DEL'")]),
    ("é", [(1, 1, "Unexpected: '\\195'"), (1, 2, "Unexpected: '\\169'")]),
    (")", [(1, 1, "Unexpected: ')'")]),
    ("(a]", [(1, 3, "Unexpected: ']'"), (1, 1, "unterminated nesting")]),
    ("(a", [(1, 1, "unterminated nesting")]),
    ("[a", [(1, 1, "unterminated nesting")]),
    ("(a (b", [(1, 4, "unterminated nesting"), (1, 1, "unterminated nesting")]),
    ('(a"b)', [(1, 3, "unterminated"), (1, 1, "unterminated nesting")]),
    ("(} a)", [(1, 1, "unterminated nesting")]),
    ("{ab", [(1, 1, "unterminated")]),
    ("{a{b}", [(1, 1, "unterminated")]),
    ('"abc', [(1, 1, "unterminated")]),
    ("}xab", [(1, 1, "unterminated string")]),
    ("[a + b]", [(1, 4, "Brackets may not contain runes")]),
    ("[+]", [(1, 2, "Brackets may not contain runes")]),
    ("}\0", [(1, 1, "}-string must start with a space")]),
    ("(a\n b)", [(1, 1, "unterminated nesting"), (2, 3, "Unexpected: ')'")]),
])
def test_error_cases(src, want):
    assert errors_of(src) == want


def test_message_names_file_line_column_and_points_at_the_place():
    (block,) = read_blocks("= a\n  (b c", "m.sire")
    (e,) = block.errors
    assert isinstance(e, RexError) and isinstance(e, PallasError)
    assert (e.file, e.line, e.column, e.width) == ("m.sire", 2, 3, 4)
    assert str(e) == ("m.sire:2:3 error: unterminated nesting\n      (b c\n      ^^^^\n"
                      "    hint: close it on the same line: no paren or bracket spans lines")
    assert e.short() == "2:3 unterminated nesting"


def test_reader_goes_on_after_a_bad_block():
    blocks = list(read_blocks("= a (b\n\n= c\n\nd\te\nf", "x"))
    assert [b.line for b in blocks] == [1, 3, 5, 6]
    assert [bool(b.errors) for b in blocks] == [True, False, True, False]
    assert blocks[1].rex.sons[0].text == "c"
    assert blocks[3].rex.text == "f"


def test_read_raises_the_first_error():
    with pytest.raises(RexError, match=r"<input>:1:3 error: unterminated"):
        read('x "y')


@pytest.mark.parametrize("src, want", [
    ("(a ;b)", W("a")),        # the comment eats the ), but the line ends in )
    ("(x\0)", W("x")),         # a NUL byte ends the line
    ('"', None), ("}q", None),  # lone openers at the end of a line are empty strings
    ("{é} x", None),           # non-ASCII is fine inside strings
    ("x ; é\t", W("x")),       # ... and inside comments
])
def test_what_the_reference_accepts_silently(src, want):
    (block,) = read_blocks(src)
    assert block.errors == []
    if want is not None:
        assert_reads(src, want)


@pytest.mark.parametrize("src, hint", [
    ("\tx", "tabs are not allowed"),
    ("x\r", "CR LF"),
    (")", "closes nothing"),
    ("(a\n b)", "no paren or bracket spans lines"),
    ('"ab', "no escapes"),
    ("{a", "must balance"),
    ("}xab", "closing X"),
    ("[a + b]", "inside a closed form"),
    ("é", "non-ASCII text must be inside a string"),
])
def test_common_mistakes_get_a_hint(src, hint):
    first = next(e for b in read_blocks(src) for e in b.errors)
    assert hint in first.hint and hint in str(first)

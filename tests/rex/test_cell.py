"""Cell completeness for the kernel and console (is_complete)."""

import pytest

from pallas_kernel.rex import cell_status


@pytest.mark.parametrize("text, status, indent", [
    ("", "complete", ""),
    ("; only a comment", "complete", ""),
    ("x=3", "complete", ""),
    ("(f x y)", "complete", ""),
    ("= x 3", "incomplete", ""),
    ("= x 3\n", "complete", ""),
    ("= x 3\n   ", "complete", ""),
    ("= (f x)\n| add x", "incomplete", ""),
    ("= (f x)\n  | add x\n", "complete", ""),
    ("= x\n  | f |", "incomplete", "      "),
    ("= x\n  | f | ; why", "incomplete", "      "),
    ("= x\n    | f\n  ; note", "incomplete", "    "),
    ("} hello", "incomplete", ""),
    ("  } hello\n  } world", "incomplete", "  "),
    ("f x\n| y", "incomplete", ""),
    ("x=3\ny=4", "complete", ""),
])
def test_status_and_indent(text, status, indent):
    got = cell_status(text)
    assert (got.status, got.indent) == (status, indent)
    assert got.error is None


@pytest.mark.parametrize("text, where", [
    ("(f x", (1, 1)),                 # parens cannot continue on the next line
    ('= x {open', (1, 5)),            # nor can strings
    ("= x\n\n= y\tz", (3, 4)),         # an error in any block
    ("[a + b]", (1, 4)),
])
def test_invalid_cells_carry_the_first_error(text, where):
    got = cell_status(text)
    assert got.status == "invalid"
    assert (got.error.line, got.error.column) == where

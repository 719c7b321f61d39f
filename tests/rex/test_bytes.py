"""Rex from bytes and from text that came from bytes: invalid UTF-8 outside
a string is a RexError naming its line (also through surrogate escapes, as
the REPL decodes stdin), strings decode one U+FFFD per bad byte as the
reference does, and a bad later line of a merged line string is reported at
the string's first line, as the reference does."""

from __future__ import annotations

import pytest

from pallas_kernel import rex
from pallas_kernel.errors import RexError
from pallas_kernel.rex import Leaf


def errors_of(source) -> list[RexError]:
    return [e for b in rex.read_blocks(source, "b.sire") for e in b.errors]


RAW = b"x=1\n\ny=(a \xc3 b)\n"


def test_invalid_byte_in_bytes_names_the_line():
    errs = errors_of(RAW)
    assert [(e.line, e.column, e.reason) for e in errs] == [(3, 6, "Unexpected: '\\195'")]
    assert "b.sire:3:6" in str(errs[0])


def test_surrogate_escaped_text_reads_as_its_bytes():
    text = RAW.decode("utf-8", "surrogateescape")
    errs = errors_of(text)
    assert [(e.line, e.column, e.reason) for e in errs] == [(3, 6, "Unexpected: '\\195'")]
    assert "\ufffd" in errs[0].source  # the message shows the line leniently


def test_surrogate_escaped_lines_one_at_a_time():
    lines = RAW.decode("utf-8", "surrogateescape").splitlines(keepends=True)
    blocks = list(rex.read_lines(iter(lines), "repl"))
    assert blocks[0].rex is not None and blocks[1].errors[0].line == 3


def test_a_lone_surrogate_is_an_error_not_a_traceback():
    errs = errors_of("a=(\ud800)\n")
    assert errs and all(e.line == 1 and e.reason.startswith("Unexpected") for e in errs)


def test_surrogate_escapes_inside_a_string_are_lenient_text():
    text = b"{a\xffb}\n".decode("utf-8", "surrogateescape")
    tree = rex.read(text)
    assert isinstance(tree, Leaf) and tree.text == "a\ufffdb"


@pytest.mark.parametrize("data, text", [
    (b"{\xe2\x82}", "\ufffd\ufffd"),             # a truncated 3-byte sequence: two bytes, two marks
    (b"{\xe2\x82A}", "\ufffd\ufffdA"),
    (b"{\xf0\x9f\x98}", "\ufffd\ufffd\ufffd"),   # a truncated 4-byte sequence
    (b"{\xc3\xa9\xff}", "\u00e9\ufffd"),         # valid text stays, the bad byte is one mark
    (b'"\xed\xa0\x80"', "\ufffd\ufffd\ufffd"),   # an encoded surrogate is three bad bytes
    (b"} \xe2\x82", "\ufffd\ufffd"),              # line strings decode the same way
])
def test_bad_bytes_in_strings_are_one_mark_each(data, text):
    tree = rex.read(data + b"\n")
    assert tree.text == text


def test_bad_later_line_of_a_line_string_is_reported_at_the_first():
    errs = errors_of(b"= x\n  } a\n  }\x00\n")
    assert [(e.line, e.column, e.reason) for e in errs] == [(2, 3, "}-string must start with a space")]


def test_unmerged_bad_line_string_is_reported_where_it_is():
    errs = errors_of(b"}\x00\n")
    assert [(e.line, e.column) for e in errs] == [(1, 1)]

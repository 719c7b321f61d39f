"""Tests for the PLAN notation reader and printer (pallas_kernel.notation)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pallas_kernel.plan.notation import NotationError, read, show
from pallas_kernel.plan.tree import App, Law, Pin, apps, equal, row, text_nat
from helpers import DATA

DEEP = 10 ** 6


def bar(data: bytes) -> Law:
    """The bar law holding ``data``."""
    return Law(1, 1, int.from_bytes(data + b"\x01", "little"))


def round_trips(t) -> bool:
    return equal(read(show(t)), t)


# ---------------------------------------------------------------------------
# Reading: every token kind and form


@pytest.mark.parametrize("text, expected", [
    ("0", 0),
    ("42", 42),
    ("007", 7),
    ("123456789012345678901234567890", 123456789012345678901234567890),
    ('""', 0),
    ('"a"', 97),
    ('"_Add"', text_nat("_Add")),
    ('"é"', int.from_bytes("é".encode(), "little")),
    (r'"\"\\\n\t"', int.from_bytes(b'"\\\n\t', "little")),
    (r'"a\x00\xffb"', int.from_bytes(b"a\x00\xffb", "little")),
    (r'"\xAb"', 0xAB),
])
def test_read_nats(text, expected):
    assert read(text) == expected


def test_read_huge_decimal_beyond_int_str_limit():
    n = 7 ** 20000  # ~17000 digits, past CPython's default 4300-digit limit
    text = show(n)
    assert text.isdigit() and len(text) > 4300
    assert read(text) == n
    assert read("0" * 5000 + "12") == 12


def test_read_pin_law_app():
    assert equal(read("<5>"), Pin(5))
    assert equal(read('{"f" 2 (0 1)}'), Law(text_nat("f"), 2, App(0, 1)))
    assert equal(read("(1 2 3 4)"), App(App(App(1, 2), 3), 4))
    assert equal(read("((1 2) 3)"), App(App(1, 2), 3))
    assert read("(7)") == 7
    assert read("((((7))))") == 7
    assert equal(read("(1 (2 3))"), App(1, App(2, 3)))


def test_read_law_allows_any_nat_name_and_arity_zero():
    assert equal(read("{0 0 0}"), Law(0, 0, 0))
    assert equal(read("{(5) (2) 3}"), Law(5, 2, 3))
    big = 2 ** 200
    assert equal(read(f"{{{big} 1 <2>}}"), Law(big, 1, Pin(2)))


def test_read_rows():
    assert equal(read("[]"), Law(0, 1, 0))
    assert equal(read("[]"), read("{0 1 0}"))
    assert equal(read("[1 2 3]"), apps(Law(0, 4, 0), 3, 2, 1))
    assert equal(read("[[1] <2>]"), row(row(1), Pin(2)))


def test_read_sets_keep_written_order():
    assert equal(read("%[]"), Law(1, 2, Law(0, 1, 0)))
    assert equal(read("%[1 2]"), Law(1, 2, row(1, 2)))
    # The reader does not sort: keys stay as written.
    assert equal(read("%[2 1]"), Law(1, 2, row(2, 1)))


def test_read_tabs():
    assert equal(read("#[]"), App(Law(1, 2, row()), row()))
    assert equal(read('#[1=2 "k"=(3 4)]'),
                App(Law(1, 2, row(1, text_nat("k"))), row(2, App(3, 4))))
    assert equal(read("#[ 2 = 5  1=6 ]"), App(Law(1, 2, row(2, 1)), row(5, 6)))
    assert equal(read("#[[1]=[2]]"), App(Law(1, 2, row(row(1))), row(row(2))))


def test_read_bars():
    assert equal(read('b#""'), Law(1, 1, 1))
    assert equal(read('b#"hi"'), bar(b"hi"))
    assert equal(read(r'b#"a\x00\n"'), bar(b"a\x00\n"))
    assert equal(read("x#"), Law(1, 1, 1))
    assert equal(read("x#00fF"), bar(b"\x00\xff"))
    assert equal(read("[x#01 b#\"z\"]"), row(bar(b"\x01"), bar(b"z")))


def test_whitespace_and_comments():
    text = """
    ; a comment
    (1   ; another
       2\t3 ;
    )   ; trailing comment"""
    assert equal(read(text), apps(1, 2, 3))
    assert equal(read("(1\r\n2)"), App(1, 2))


def test_atoms_may_touch_brackets():
    assert equal(read("(1(2)[3]<4>)"), apps(1, 2, row(3), Pin(4)))
    assert equal(read('("a" "b")'), App(97, 98))


# ---------------------------------------------------------------------------
# Errors and their positions


def error_of(text: str, filename: str = "<input>") -> NotationError:
    with pytest.raises(NotationError) as info:
        read(text, filename)
    return info.value


@pytest.mark.parametrize("text, line, column, fragment", [
    ("(1 2", 1, 1, "unclosed '('"),
    ("(1\n  (2 3)\n  (4", 3, 3, "unclosed '('"),
    ("[1 <2", 1, 4, "unclosed '<'"),
    ("{1 2", 1, 1, "unclosed '{'"),
    ("%[1", 1, 1, "unclosed '%['"),
    ("#[1=2", 1, 1, "unclosed '#['"),
    ("(1 2]", 1, 5, "expected ')'"),
    (")", 1, 1, "unexpected ')'"),
    ("1 2", 1, 3, "after the expression"),
    ("(1)\n\n  junk", 3, 3, "after the expression"),
    ("(1))", 1, 4, "after the expression"),
    ("abc", 1, 1, "unexpected character 'a'"),
    ("(1 @)", 1, 4, "unexpected character '@'"),
    ("12ab", 1, 3, "unexpected character 'a'"),
    ('"a"b', 1, 4, "unexpected character 'b'"),
    ("%", 1, 1, "unexpected character '%'"),
    ("#", 1, 1, "unexpected character '#'"),
    ("", 1, 1, "expected an expression"),
    ("  ; only a comment\n", 2, 1, "expected an expression"),
    ("{[] 1 2}", 1, 2, "name must be a nat"),
    ("{1 <2> 3}", 1, 4, "arity must be a nat"),
    ("{1\n (f) 3}", 2, 3, "unexpected character 'f'"),
    ("{1 (0 1) 3}", 1, 4, "arity must be a nat"),
    ("{1 2}", 1, 5, "name, an arity and a body"),
    ("{1 2 3 4}", 1, 8, "exactly three parts"),
    ("()", 1, 2, "empty application"),
    ("<>", 1, 2, "empty pin"),
    ("<1 2>", 1, 4, "exactly one expression"),
    (r'"ab\q"', 1, 4, "bad escape"),
    (r'(1 "\x4")', 1, 5, "two hex digits"),
    ('"abc', 1, 1, "unterminated string"),
    ('b#"abc', 1, 3, "unterminated string"),
    ("x#abc", 1, 1, "even number"),
    ("#[1 2]", 1, 5, "expected '='"),
    ("#[1=]", 1, 5, "missing value"),
    ("#[1]", 1, 4, "without '=value'"),
    ("#[1=2=3]", 1, 6, "unexpected '='"),
    ("[1=2]", 1, 3, "unexpected '='"),
])
def test_error_positions(text, line, column, fragment):
    err = error_of(text)
    assert (err.line, err.column) == (line, column), str(err)
    assert fragment in err.message


def test_bad_escape_at_end_of_input():
    err = error_of('"ab\\')
    assert (err.line, err.column) == (1, 4)
    assert "bad escape" in err.message


def test_error_format():
    err = error_of("(1\n\t(2 @))", "demo.plan")
    assert isinstance(err, ValueError)
    assert err.filename == "demo.plan"
    assert (err.line, err.column) == (2, 5)
    assert str(err) == ("demo.plan:2:5: unexpected character '@'\n"
                        "\t(2 @))\n"
                        "\t   ^")


# ---------------------------------------------------------------------------
# Printing: exact strings


@pytest.mark.parametrize("tree, text", [
    (0, "0"),
    (255, "255"),
    (text_nat("_Add"), '"_Add"'),
    (text_nat("hi there!"), '"hi there!"'),
    (12345, "12345"),                       # bytes spell "90": no letter, so decimal
    (text_nat("a\"b"), str(text_nat("a\"b"))),  # quotes are never printed inside "..."
    (text_nat("a\nb"), str(text_nat("a\nb"))),  # nor control characters
    (text_nat("héllo"), '"héllo"'),
    (Pin(3), "<3>"),
    (Law(text_nat("f"), 2, 0), "{102 2 0}"),  # one-byte names are below 256
    (Law(text_nat("_If"), 3, 1), '{"_If" 3 1}'),
    (apps(1, 2, 3), "(1 2 3)"),
    (App(1, App(2, 3)), "(1 (2 3))"),
    (Law(0, 1, 0), "[]"),
    (row(1, 2, 3), "[1 2 3]"),
    (row(row(), row(1)), "[[] [1]]"),
    (Law(0, 3, 0), "{0 3 0}"),
    (App(Law(0, 3, 0), 1), "({0 3 0} 1)"),
    (apps(Law(0, 2, 0), 1, 2), "({0 2 0} 1 2)"),
    (App(Law(0, 1, 0), 5), "([] 5)"),
    (Law(0, 1, 1), "{0 1 1}"),
    (Law(1, 2, row()), "%[]"),
    (Law(1, 2, row(1, 2, text_nat("key"))), '%[1 2 "key"]'),
    (Law(1, 2, row(2, 1)), "{1 2 [2 1]}"),
    (Law(1, 2, row(1, 1)), "{1 2 [1 1]}"),
    (Law(1, 2, row(Pin(1))), "{1 2 [<1>]}"),
    (App(Law(1, 2, row()), row()), "#[]"),
    (App(Law(1, 2, row(1, 2)), row(Pin(3), row(4))), "#[1=<3> 2=[4]]"),
    (App(Law(1, 2, row(1, 2)), row(3)), "(%[1 2] [3])"),
    (App(Law(1, 2, row(2, 1)), row(3, 4)), "({1 2 [2 1]} [3 4])"),
    (apps(Law(1, 2, row(1)), row(3), 9), "(%[1] [3] 9)"),
    (Law(1, 1, 1), 'b#""'),
    (bar(b"hello"), 'b#"hello"'),
    (bar(b"\x00\xff"), "x#00ff"),
    (bar(b'say "hi"'), "x#" + b'say "hi"'.hex()),
    (bar("ünï".encode()), 'b#"ünï"'),
    (Law(1, 1, 0), "{1 1 0}"),
    (Law(1, 1, 2), "{1 1 2}"),
])
def test_show_exact(tree, text):
    assert show(tree) == text
    assert round_trips(tree)


def test_show_if_example():
    text = '<{"_If" 3 (0 (0 (0 (2 2) 3) (0 {0 2 1} 2)) 1)}>'
    assert show(read(text)) == text


def test_show_shared_subtrees_are_expanded():
    shared = row(1, 2)
    t = apps(0, shared, shared)
    assert show(t) == "(0 [1 2] [1 2])"


def test_show_width_truncates():
    t = row(*range(100))
    assert show(t, width=10) == "[0 1 2 3 …"
    assert len(show(t, width=10)) == 10
    assert show(row(1), width=10) == "[1]"


def test_show_rejects_non_trees():
    with pytest.raises(TypeError):
        show("nope")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        show(Pin("nope"))  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        show(-1)


def test_show_bignat():
    n = 10 ** 5000 + 1
    assert show(n) == "1" + "0" * 4999 + "1"
    assert read(show(n)) == n


# ---------------------------------------------------------------------------
# The test vectors file


def notation_rows():
    """(kind, value) of the hashes.tsv rows whose value is PLAN notation.

    ``<_Name>`` in a value stands for the pin defined on an earlier row with
    that law name, as the file's header says; it is replaced by that pin's text.
    """
    pins: dict[str, str] = {}
    rows = []
    for line in (DATA / "hashes.tsv").read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        kind, value, _ = line.split("\t")
        if kind not in ("pin", "planhash"):
            continue  # seed file names and raw text, not notation
        value = re.sub(r"<(_\w+)>", lambda m: pins[m.group(1)], value)
        name = re.match(r'<\{"(\w+)"', value)
        if name:
            pins[name.group(1)] = value
        rows.append(value)
    return rows


@pytest.mark.parametrize("value", notation_rows())
def test_hash_vectors_read_and_reprint(value):
    t = read(value, "hashes.tsv")
    printed = show(t)
    assert equal(read(printed), t)
    assert printed == value


def test_hash_vectors_found():
    assert len(notation_rows()) >= 7


# ---------------------------------------------------------------------------
# Deep nesting: no recursion anywhere


def test_deep_parens():
    assert read("(" * DEEP + "7" + ")" * DEEP) == 7


def test_deep_pins():
    t = read("<" * DEEP + "1" + ">" * DEEP)
    depth = 0
    while isinstance(t, Pin):
        t, depth = t.item, depth + 1
    assert (depth, t) == (DEEP, 1)


def test_deep_right_nested_apps_show_and_read():
    t = 1
    for _ in range(DEEP):
        t = App(0, t)
    text = show(t)
    assert text.startswith("(0 (0 ") and text.endswith("1" + ")" * DEEP)
    assert equal(read(text), t)


def test_deep_rows_and_laws():
    t = 0
    for i in range(DEEP // 2):
        t = row(t) if i % 2 else Law(1, 2, t)
    assert equal(read(show(t)), t)


def test_unclosed_deep_reports_innermost():
    err = error_of("(" * DEEP)
    assert (err.line, err.column) == (1, DEEP)


# ---------------------------------------------------------------------------
# Property: read(show(t)) == t for every tree

nats = st.one_of(
    st.integers(0, 300),
    st.integers(0, 2 ** 64),
    st.integers(0, 2 ** 700),
    st.text(max_size=8).map(text_nat),
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True).map(text_nat),
    st.binary(max_size=12).map(lambda b: int.from_bytes(b, "little")),
)
sorted_keys = st.lists(nats, max_size=4, unique=True).map(sorted)
bars = st.one_of(st.binary(max_size=10), st.text(max_size=6).map(str.encode)).map(bar)


def compound(children):
    """Every node kind, including all data-jet shapes and near misses."""
    laws = st.builds(Law, nats, nats, children)
    small = st.lists(children, max_size=4)
    return st.one_of(
        st.builds(Pin, children),
        laws,
        st.builds(App, children, children),
        small.map(lambda xs: row(*xs)),
        st.builds(lambda k: Law(1, 2, row(*k)), sorted_keys),
        st.builds(lambda k: Law(1, 2, row(*k)), st.lists(children, max_size=3)),
        st.builds(lambda k, vs: App(Law(1, 2, row(*k)), row(*vs[: len(k)])),
                  sorted_keys, st.lists(children, min_size=4, max_size=4)),
        st.builds(lambda k, vs: App(Law(1, 2, row(*k)), row(*vs)), sorted_keys, small),
        st.builds(lambda n, xs: apps(Law(0, n, 0), *xs), st.integers(0, 4), small),
        st.builds(lambda n: Law(1, 1, n), nats),
        bars,
    )


trees = st.recursive(st.one_of(nats, bars), compound, max_leaves=30)


@settings(max_examples=600, deadline=None)
@given(trees)
def test_round_trip(t):
    assert equal(read(show(t)), t)


@settings(max_examples=300, deadline=None)
@given(trees)
def test_show_is_stable(t):
    text = show(t)
    assert show(read(text)) == text


def test_notation_and_seed_errors_are_pallas_errors():
    """One error family: callers (REPL, CLI) catch PallasError whole."""
    from pallas_kernel.errors import PallasError, SeedError

    with pytest.raises(PallasError):
        read("(0 1")
    assert issubclass(NotationError, ValueError) and issubclass(SeedError, PallasError)

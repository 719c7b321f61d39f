"""The Rex printer: the reference's style, and print-then-read round trips
(fixed cases, the reference's defects, and random trees)."""

import pytest
from hypothesis import given, settings, strategies as st

from pallas_kernel.rex import Embed, read, read_blocks, readable, show, wide
from pallas_kernel.rex.printer import Unprintable, text_form

from helpers.rex_trees import I, L, N, O, P, S, T, W, assert_tree, closed_trees, line_chains, open_trees


def round_trip(rex):
    text = show(rex, strict=True)
    blocks = list(read_blocks(text))
    assert len(blocks) == 1, text
    assert blocks[0].errors == [], f"{text}\n{blocks[0].errors[0]}"
    assert_tree(blocks[0].rex, rex)
    return text


# -- Style ----------------------------------------------------------------------

@pytest.mark.parametrize("src, printed", [
    ("( f x % g x )", "(f x % g x)"),
    ("(+ a b)", "(+ a b)"), ("(, a b)", "[a b]"), ("(| x)", "(| x)"), ("()", "()"),
    ("a+b*c", "(a+b)*c"), ("(%a)+b", "(%a)+b"), ("-a+b", "-a+b"),
    ('"abc"', "{abc}"), ("}_a}b_", '"a}b"'), ('}|"}|', '}_"}_'),
    ("= x | add 1 2", "= x | add 1 2"),
    ("| a\n| b", "| a\n| b"),
    ("| f\n        | a\n    | b", "| f     | a\n    | b"),
    (">>\n  | x z\n  | y\n  z", ">>   | x z\n     | y\n     z"),
    ("= (f x)\n| add x x", "= (f x)\n| add x x"),
    ("} a\n} b", "} a\n} b"),
    ("= x\n  } a\n  } b", "= x } a\n    } b"),
    ("== f\n = a", "== f\n = a"),
])
def test_reference_style(src, printed):
    assert show(read(src)) == printed
    round_trip(read(src))


def test_long_closed_sons_are_packed_into_lines():
    words = [f"word{k}" for k in range(20)]
    rex = O("|", *map(W, words))
    text = round_trip(rex)
    lines = text.split("\n")
    assert len(lines) > 2 and all(len(x) <= 40 for x in lines)
    assert all(x.startswith("  ") for x in lines[1:])


def test_multi_character_runes_are_right_aligned():
    rex = O("|", W("f"), O("=====", W("a")), O(":=", W("b")))
    text = round_trip(rex)
    assert "=====" in text


# -- The reference printer's defects do not happen here ----------------------------

@pytest.mark.parametrize("src", [
    "f(x)", "(3)(4)", "a(b+c)", "((hi=there)(bye=here))", "b#} abc", "$} x", "x} foo",
    "(f(x) % g x)", "(x % (f x)y)", "(-a)(b)", "x(-a)", "-(-a)", "--a", "a+(b+c)",
])
def test_reference_round_trip_defects_are_fixed(src):
    round_trip(read(src))


def test_line_string_heir_chain_inside_an_open_form():
    rex = O("=", W("a"), W("x", L("foo", L("bar"))), W("b"))
    text = round_trip(rex)
    assert "} foo" in text and "} bar" in text


# -- Degenerate trees ------------------------------------------------------------------

@pytest.mark.parametrize("rex", [
    P("-"), P("-", W("a"), W("b")), S("+", W("a")), I("+", W("a")),
    N("|", O("=", W("x"))), W("a b"), W(""), N("", W("x")), N("a", W("x")),
    Embed(5), T("two\nlines"), N("|", L("x"), W("y")), W("x", L("a", W("b"))),
])
def test_trees_without_a_source_form_are_refused_in_strict_mode(rex):
    assert not readable(rex)
    with pytest.raises(Unprintable):
        show(rex, strict=True)
    assert isinstance(show(rex), str)  # but print something close


def test_text_form_picks_a_delimiter_that_does_not_occur():
    assert text_form("a{b") == '"a{b"'
    assert text_form('a{"') == '}_a{"_'
    assert text_form("x\ny") is None
    for t in ['}_"', '{_|"', 'a"}b']:
        assert read(text_form(t)).text == t


def test_wide_prints_open_nodes_as_nests():
    assert wide(read("= x | f y")) == "(= x (f y))"


def test_deep_trees_print_without_recursion():
    depth = 3000
    rex = W("x")
    for _ in range(depth):
        rex = N("|", rex)
    assert wide(rex) == "(| " * depth + "x" + ")" * depth
    deep_open = W("x")
    for _ in range(200):
        deep_open = O("|", W("a"), deep_open, W("b"))
    round_trip(deep_open)


# -- Random trees ----------------------------------------------------------------------

@settings(max_examples=400, deadline=None)
@given(closed_trees())
def test_random_closed_trees_round_trip(rex):
    round_trip(rex)


@settings(max_examples=400, deadline=None)
@given(open_trees())
def test_random_open_trees_round_trip(rex):
    round_trip(rex)


@settings(max_examples=100, deadline=None)
@given(line_chains())
def test_random_line_blocks_round_trip(rex):
    round_trip(rex)


# -- Random source text ------------------------------------------------------------

source_text = st.text("ab1_ +-=|,:%$#'`;(){}[]\"}\n  \t\0é", max_size=60)


@settings(max_examples=1500, deadline=None)
@given(source_text)
def test_random_source_reads_without_crashing_and_round_trips(src):
    """Any text gives blocks with a tree or errors (never an exception), and
    every tree the reader builds prints to text that reads back the same."""
    for block in read_blocks(src):
        assert (block.rex is None) == bool(block.errors)
        for e in block.errors:
            assert e.line >= block.line and e.column >= 1 and e.reason
        if block.rex is not None:
            round_trip(block.rex)


_token = st.sampled_from(["x", "f", "12", "|", "=", ":=", "++", "#", "(a b)", "[c]", "{t}", '"s"',
                          "}_q_", "} line", "a+b", "-a", "x(y)", "(| z)", "(p , q)", ";c", "@", "%"])
_line = st.builds(lambda n, toks: " " * n + " ".join(toks), st.integers(0, 9), st.lists(_token, max_size=4))
layout_source = st.lists(_line, max_size=8).map("\n".join)


@settings(max_examples=1000, deadline=None)
@given(layout_source)
def test_random_layouts_round_trip(src):
    test_random_source_reads_without_crashing_and_round_trips.hypothesis.inner_test(src)


def test_an_embedded_value_prints_the_same_every_run():
    """An embedded value has no source form; it prints in PLAN notation,
    cut short, never as a Python object with its address."""
    from pallas_kernel import plan
    from pallas_kernel.rex.model import Embed
    from pallas_kernel.rex.printer import EMBED_LIMIT, show

    small = show(Embed(plan.read("(0 1 2)").force()))
    assert small == "{<embedded (0 1 2)>}"
    big = show(Embed(plan.nat(10 ** 200)))
    assert "object at" not in big and "..." in big and len(big) < EMBED_LIMIT + 20

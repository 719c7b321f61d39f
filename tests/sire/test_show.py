"""Values printed in Sire notation (pallas_kernel.sire.show) and read back.

Each printing rule is checked by example both ways (show, then read_value
gives the same value); hypothesis checks round trips on random values and
that cut output stays within the limit and always says what it left out.
"""

from __future__ import annotations

import functools
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pallas_kernel import plan
from pallas_kernel.sire.show import (MIN_LIMIT, Names, ReadError, _digits, nat_form, read_value,
                                     show_value)
from pallas_kernel.plan.tree import App, Law, Pin, row

ADD = plan.read('<{"_Add" 2 (0 (2 0 3) 1)}>').force()          # a pinned law
SOME = plan.read('<{"SOME" 2 (0 (0 (2 0) 2) 1)}>').force()     # a constructor-like pin
PAIR = plan.read('{"pair" 3 0}').force()                       # an unpinned law
NAMES = Names([("add", ADD), ("_Add", ADD), ("plus", ADD), ("SOME", SOME),
               ("pair", PAIR), ("three", plan.nat(3))])


def v(src: str) -> plan.Value:
    """A value from the PLAN notation (the fixture language of the tests)."""
    return plan.read(src).force()


def text(s: str) -> plan.Value:
    return plan.from_str(s)


def both_ways(value, expected: str, names: Names = NAMES) -> None:
    """``value`` prints as ``expected`` and ``expected`` reads back as it."""
    assert show_value(value, names) == expected
    back = read_value(expected, names)
    assert back == (plan.nat(value) if isinstance(value, int) else value)


# ----- nats ---------------------------------------------------------------------

@pytest.mark.parametrize("value, printed", [
    (0, "0"), (42, "42"), (97, "97"), (255, "255"),            # below 256: numbers
    (500000500000, "500000500000"),                             # bytes " )Zjt": leading space
    (12345, "12345"),                                           # bytes "90": only 2 bytes
    (2**64, "18446744073709551616"),
])
def test_nats_in_decimal(value, printed):
    both_ways(value, printed)


@pytest.mark.parametrize("s, printed", [
    ("hello", "%hello"), ("_Add", "%_Add"), ("ab", "%ab"), ("x1_y", "%x1_y"),
    ("12345", "{12345}"), ("hi there", "{hi there}"), ("a.b", "{a.b}"),
    ("a}b c", '"a}b c"'), ("naïve café", "{naïve café}"),
])
def test_names_and_texts(s, printed):
    both_ways(text(s), printed)


def test_text_rule_edges():
    assert nat_form(plan.from_str(" ab").nat)[0] == "dec"       # leading space
    assert nat_form(plan.from_str("ab ").nat)[0] == "dec"       # trailing space
    assert nat_form(plan.from_str("!!!").nat)[0] == "dec"       # no letter or digit
    assert nat_form(plan.from_str("a\tb").nat)[0] == "dec"      # not printable
    assert nat_form(plan.from_str("1ab").nat) == ("text", "1ab")  # a digit first: not a name
    assert nat_form(97) == ("dec", "") and nat_form(97, key=True) == ("name", "a")


def test_multiline_text_as_line_strings():
    both_ways(text("hello\nworld"), "} hello\n} world")
    both_ways(text("a\n\nb c"), "} a\n}\n} b c")
    # nested, a line string cannot be written: decimal
    inner = text("x\nyz")
    shown = show_value(plan.from_tree(row(inner)))
    assert shown == f"[{inner.nat}]"
    assert read_value(shown) == plan.from_tree(row(inner))


# ----- structures ---------------------------------------------------------------

@pytest.mark.parametrize("src, printed", [
    ("[]", "[]"), ("[1 2 3]", "[1 2 3]"), ('[1 [2 "abc"] []]', "[1 [2 %abc] []]"),
    ("#[97=1 98=2]", "#[a=1 b=2]"), ("#[]", "#[]"), ('#[3="hi you" 98=[1]]', "#[3={hi you} b=[1]]"),
    ("%[97 98]", "%[a b]"), ("%[]", "%[]"), ('%[5 "a b"]', "%[5 {a b}]"),
    ('#["abc"=4 [1 2]=3]', "#[abc=4 ([1 2])=3]"),               # a non-nat key, parenthesised
    ('b#"hi there"', "b#{hi there}"), ('b#""', "b#{}"), ("x#00ff01", "x#00ff01"),
    ("(0 0 4 0)", "(0 0 4 0)"),                                 # a cow: the law that builds it
    ("((0 0 4 0) 1)", "((0 0 4 0) 1)"),                         # a row not yet full
    ("(0 3)", "(0 3)"), ("<3>", "(4 3)"), ('{"f" 2 0}', "(0 102 2 0)"),
    ('<{"_Sub" 2 0}>', "(4 (0 %_Sub 2 0))"),
])
def test_structures(src, printed):
    both_ways(v(src), printed)


def test_bar_with_newline_is_hex():
    both_ways(v('x#610a62'), "x#610a62")


# ----- names ----------------------------------------------------------------------

def test_named_pins_and_laws():
    both_ways(ADD.apply(3).force(), "(add 3)")                  # shortest of add/_Add/plus
    both_ways(SOME.apply(3).force(), "(SOME 3)")
    both_ways(PAIR, "pair")
    both_ways(PAIR.apply(1, 2).force(), "(pair 1 2)")
    both_ways(plan.from_tree(row(ADD, 3, PAIR)).force(), "[add 3 pair]")
    assert show_value(3, NAMES) == "3"                           # nats are never named
    assert show_value(ADD) == "(4 (0 %_Add 2 (0 (2 0 3) 1)))"   # without names


def test_name_preference_is_shortest_then_alphabetical():
    assert show_value(ADD, Names([("zz", ADD), ("bb", ADD), ("aaa", ADD)])) == "bb"
    assert show_value(ADD, Names([("b", ADD), ("a", ADD)])) == "a"
    assert show_value(ADD, Names([(plan.from_str("ok").nat, ADD)])) == "ok"  # a name nat
    assert show_value(ADD, Names([("{#}", ADD)])).startswith("(4 ")          # not an identifier


def test_data_shaped_laws_never_print_by_name():
    empty = v("[]")
    assert show_value(empty, Names([("nil", empty)])) == "[]"


def test_rex_values_print_as_rex_or_as_data():
    from pallas_kernel.rex import read, to_plan

    value = plan.from_tree(to_plan(read("(f x | g y)\n"))).force()
    assert show_value(value) == "(f x | g y)"
    assert show_value(value, rex=False).startswith("((4 (0 {##INFX} 4 0)) 124 [")


# ----- reading errors -------------------------------------------------------------

@pytest.mark.parametrize("src, message", [
    ("foo", "`foo` is not a name in scope"),
    ("()", "empty parentheses"),
    ("[1 2", "<value>:1"),
    ("#[a]", "expected key=value"),
    ("%[a a]", "duplicate key"),
    ("x#zz", "not hex digits"),
    ("1\n\n2", "expected one value"),
    ("[1 2 … 5 more items]", "<value>:1"),                      # cut output never reads back
])
def test_read_errors_name_the_place(src, message):
    with pytest.raises(ReadError, match=message):
        read_value(src, NAMES)


# ----- size -----------------------------------------------------------------------

def test_long_row_is_cut_with_a_count():
    r = plan.from_tree(row(*range(100_000))).force()
    shown = show_value(r, limit=100)
    assert len(shown) <= 100
    assert shown.startswith("[0 1 2 3 ") and shown.endswith(" more items]")
    shown_items = len(shown.split(" … ")[0][1:].split())
    assert shown.endswith(f"… {100_000 - shown_items:,} more items]")


def test_tab_cut_drops_a_half_printed_entry():
    tab = v("#[" + " ".join(f"{i}=[{i} {i}]" for i in range(1, 40)) + "]")
    for limit in range(60, 200, 3):
        shown = show_value(tab, limit=limit)
        assert len(shown) <= limit
        assert shown.endswith(" more entries]")
        assert "= " not in shown and "=…" not in shown


def test_nested_cut_closes_every_form_and_counts():
    value = v("[[1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22] 7 8]")
    shown = show_value(value, limit=60)
    assert len(shown) <= 60
    assert shown.endswith("more items] … 2 more items]")


def test_big_nat_within_limit_with_marker_fast():
    n = 10**100_000 + 12345
    start = time.perf_counter()
    shown = show_value(n)
    elapsed = time.perf_counter() - start
    assert elapsed < 0.5
    assert len(shown) <= 4000
    head, rest = shown.split("…(")
    count, tail = rest.split(" more digits)…")
    assert head == "1" + "0" * (len(head) - 1) and tail.endswith("12345")
    assert len(head) + int(count.replace(",", "")) + len(tail) == 100_001
    whole = show_value(n, limit=200_000)
    assert whole == _decimal(n)


def _decimal(n: int) -> str:
    import gmpy2

    return gmpy2.mpz(n).digits(10)


def test_long_text_and_bars_are_cut_outside_the_quotes():
    shown = show_value(text("hello world " * 1000 + "!"), limit=100)
    assert len(shown) <= 100
    assert shown.startswith("{hello world") and "…(" in shown and shown.endswith("!}")
    hexbar = plan.from_tree(Law(1, 1, int.from_bytes(bytes(range(256)) * 10 + b"\x01", "little")))
    shown = show_value(hexbar, limit=80)
    assert len(shown) <= 80 and shown.startswith("x#000102") and "more bytes)…" in shown


def test_long_multiline_text_is_cut_by_lines():
    shown = show_value(text("line\n" * 100 + "end"), limit=80)
    assert len(shown) <= 80
    assert shown.splitlines()[-1].startswith("…(") and shown.endswith("more lines)")


def test_million_deep_value_prints_cut_fast():
    cons = v("(0 0 3 0)")
    value = plan.nat(0)
    for i in range(1_000_000):
        value = cons.apply(value, i)  # [i value]: the row goes on in its last item
    value = value.force()
    start = time.perf_counter()
    shown = show_value(value)
    assert time.perf_counter() - start < 1.0
    assert len(shown) <= 4000
    assert shown.startswith("[999999 [999998 [")
    depth = shown.count("[")  # the innermost row is cut (at its first or second item), then all close
    head = "".join(f"[{999999 - i} " for i in range(depth - 1))
    assert shown in (head + "[ … 2 more items]" + "]" * (depth - 1),
                     head + f"[{999999 - depth + 1} … 1 more item]" + "]" * (depth - 1))


def test_tiny_limits_are_raised_to_the_minimum():
    shown = show_value(plan.from_tree(row(*range(1000))).force(), limit=5)
    assert len(shown) <= MIN_LIMIT and shown.endswith("more items]")


# ----- random values -------------------------------------------------------------

NAMED = [("add", ADD), ("SOME", SOME), ("pair", PAIR)]
ARITY = {"add": 2, "SOME": 2, "pair": 3}

nats = st.one_of(
    st.integers(0, 300),
    st.integers(0, 2**70),
    st.integers(0, 2**3000),
    st.text(min_size=1, max_size=12).map(lambda s: plan.from_str(s).nat),
    st.from_regex(r"[a-z_][A-Za-z0-9_]{0,10}", fullmatch=True).map(lambda s: plan.from_str(s).nat),
    st.text(alphabet="ab{}\" \n1", min_size=1, max_size=10).map(lambda s: plan.from_str(s).nat),
)


def _cmp_sorted(values: list) -> list:
    """Distinct values in PLAN order (for set elements and tab keys)."""
    vals = [x if isinstance(x, plan.Value) else plan.nat(x) for x in values]
    vals.sort(key=functools.cmp_to_key(lambda a, b: a.cmp(b) - 1))
    out = []
    for x in vals:
        if not out or out[-1].cmp(x) != 1:
            out.append(x)
    return out


def _values(children):
    """Compound values over ``children`` (already built core values or ints)."""
    named = st.sampled_from(NAMED)
    return st.one_of(
        st.lists(children, max_size=5).map(lambda xs: plan.from_tree(row(*xs)).force()),
        st.lists(children, max_size=4).map(
            lambda xs: plan.from_tree(Law(1, 2, row(*_cmp_sorted(xs)))).force()),
        st.lists(st.tuples(st.one_of(nats, children), children), max_size=4).map(_tab),
        st.binary(max_size=12).map(lambda b: plan.from_tree(Law(1, 1, int.from_bytes(b + b"\x01", "little")))),
        st.tuples(named, st.lists(children, max_size=2)).map(
            lambda p: plan.from_tree(_apps(p[0][1], p[1][: ARITY[p[0][0]] - 1])).force()),
        children.map(lambda x: plan.from_tree(Pin(x)).force()),
        st.tuples(nats, st.integers(1, 4), children).map(
            lambda t: plan.from_tree(Law(t[0], t[1], t[2])).force()),
        st.tuples(st.integers(0, 2), children).map(lambda t: plan.from_tree(App(t[0], t[1])).force()),
    )


def _apps(head, args):
    for a in args:
        head = App(head, a)
    return head


def _tab(pairs):
    by_key = {}
    keys = _cmp_sorted([k for k, _ in pairs])
    for k, x in pairs:
        kv = k if isinstance(k, plan.Value) else plan.nat(k)
        by_key.setdefault(kv.serialize(), x)
    vals = [by_key[k.serialize()] for k in keys]
    return plan.from_tree(App(Law(1, 2, row(*keys)), row(*vals))).force()


values = st.recursive(nats, _values, max_leaves=25)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values)
def test_round_trip(value):
    shown = show_value(value, Names(NAMED), limit=10**6)
    assert "…" not in shown
    back = read_value(shown, Names(NAMED))
    expected = plan.nat(value) if isinstance(value, int) else value
    assert back == expected, shown


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values, st.integers(MIN_LIMIT, 300))
def test_cut_output_fits_and_is_marked(value, limit):
    whole = show_value(value, Names(NAMED), limit=10**6)
    shown = show_value(value, Names(NAMED), limit=limit)
    assert len(shown) <= limit
    if len(whole) <= limit:
        assert shown == whole
    else:
        assert "…" in shown and shown != whole


def test_a_number_that_fits_exactly_is_never_cut():
    for k in range(1, 200):
        for n in (10 ** k - 1, 10 ** k, 2 ** (3 * k)):
            text = str(n)
            assert _digits(n, len(text)) == text
    v = plan.read("<{%d 1 8}>" % 10 ** 45).force()
    assert show_value(v, limit=60) == show_value(v, limit=10 ** 6)

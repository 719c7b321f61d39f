"""The second batch of native jets (rows, bits, nats, words, pads, bars)
tested through call_jet against Python models of their legal Sire
definitions, with edge cases: empty inputs, out-of-range indexes, bignats,
arguments the legal code does not force, and shapes that must send the jet to
the legal code (NotImplementedError from call_jet)."""

import blake3 as blake3_lib
import pytest
from hypothesis import given, settings, strategies as st

from pallas_kernel import plan

from helpers.jet_calls import F, J, S

pytestmark = pytest.mark.core  # run again by `make stress`

CRASH = "(7 7)"                 # crashes with op 7 when forced
ID = '{"I" 1 1}'                # (I x) is a thunk evaluating to x


def shown(text):
    """How the value written as text prints."""
    return plan.show(F(text))


def row(xs):
    return "[" + " ".join(str(x) for x in xs) + "]"


def bar(bs: bytes) -> str:
    return "x#" + bs.hex()


def fallback(name, *args):
    with pytest.raises(NotImplementedError):
        J(name, *args)


nats = st.one_of(st.integers(0, 300), st.integers(0, 2 ** 200))

# ----- reflection on closures -------------------------------------------------------


@pytest.mark.parametrize("name, args, expected", [
    ("_Null", (5,), "1"), ("_Null", ("{1 2 3}",), "1"), ("_Null", ("(0 1)",), "0"),
    ("_Null", ("[]",), "1"), ("_Null", ("[1]",), "0"),
    ("_Head", ("(0 1 2)",), "0"), ("_Head", ("[1 2]",), "{0 3 0}"), ("_Head", (9,), "9"),
    ("_Head", ("(<{1 3 0}> 4)",), "<{1 3 0}>"),
    ("_Last", ("[1 2 3]",), "3"), ("_Last", ("(0 7 8)",), "7"), ("_Last", (4,), "0"),
    ("_Last", ("{1 1 1}",), "0"),
    ("_Arity", ("{1 2 3}",), "2"), ("_Arity", ("(0 1)",), "2"), ("_Arity", (0,), "3"),
    ("_Arity", (1,), "5"), ("_Arity", (2,), "3"), ("_Arity", (3,), "1"), ("_Arity", (2 ** 80,), "1"),
    ("_Arity", ("<(0 1)>",), "2"), ("_Arity", ("<<{1 4 0}>>",), "4"), ("_Arity", ("[1 2]",), "1"),
    ("_Arity", ("(<(1 2)> 3)",), "3"), ("_Arity", ("{1 %d 0}" % 2 ** 70,), str(2 ** 70)),
    ("_Cow", (0,), "[]"), ("_Cow", (2,), "{0 3 0}"), ("_Cow", ("(0 0)",), "[]"),
    ("_Cow", (2 ** 64,), "{0 %d 0}" % (2 ** 64 + 1)),
    ("_CowSize", ("{0 3 0}",), "2"), ("_CowSize", ("[]",), "0"), ("_CowSize", (5,), "0"),
    ("_CowSize", ("{0 %d 0}" % 2 ** 65,), str(2 ** 65 - 1)),
])
def test_closure_reflection(name, args, expected):
    assert S(name, *args) == expected


def test_gen_builds_lazy_elements():
    assert plan.show(J("_Gen", 3, "(0 0)").force()) == "[(0 0 0) (0 0 1) (0 0 2)]"
    assert S("_Gen", 0, CRASH) == "[]"
    r = J("_Gen", 2, "7")          # (7 i) crashes, but only when an element is forced
    assert S("_Len", r) == "2"
    with pytest.raises(plan.PlanCrash):
        r.force()


def test_gen_and_cow_of_an_unholdable_size_is_an_error():
    with pytest.raises(MemoryError):
        J("_Gen", 2 ** 70, 0)
    with pytest.raises(MemoryError):
        J("_SizedListToRow", 2 ** 40, 0)

# ----- lists to rows ---------------------------------------------------------------------


def lst(xs, end="0"):
    out = end
    for x in reversed(xs):
        out = f"[{x} {out}]"
    return out


@settings(deadline=None)
@given(st.integers(0, 12), st.lists(st.integers(0, 2 ** 70), max_size=10))
def test_sized_list_to_row_is_take_padded(sz, xs):
    padded = (xs + [0] * sz)[:sz]
    assert S("_SizedListToRow", sz, lst(xs)) == shown(row(padded))
    assert S("_SizedListToRowRev", sz, lst(xs)) == shown(row(list(reversed(padded))))


def test_sized_list_edge_cases():
    assert S("_SizedListToRow", 0, CRASH) == "[]"               # the list is not looked at
    assert S("_SizedListToRow", 2, f"[1 [2 {CRASH}]]") == "[1 2]"  # nor past sz cells
    assert S("_SizedListToRow", 3, "[1 {5 1 0}]") == "[1 0 0]"  # a law cell is [0 0]
    assert S("_SizedListToRow", 3, "[1 (0 4)]") == "[1 4 0]"    # a one-argument cell
    r = J("_SizedListToRow", 2, f"[{CRASH} [5 0]]")           # elements stay lazy
    assert S("_Len", r) == "2" and S("_Idx", 1, r) == "5"
    with pytest.raises(plan.PlanCrash):
        r.force()
    # a lazy spine is forced cell by cell
    assert S("_SizedListToRow", 3, f"[1 ({ID} [2 ({ID} [3 0])])]") == "[1 2 3]"
    with pytest.raises(plan.PlanCrash):
        J("_SizedListToRow", 2, f"[1 {CRASH}]")

# ----- binary search ---------------------------------------------------------------------


def bsearch_model(key, xs):
    """bsearch_ of sire_07_dat, literally (any row, sorted or not)."""
    low, end = 0, len(xs)
    while low < end:
        mid = (low + end) >> 1
        if key < xs[mid]:
            end = mid
        elif key == xs[mid]:
            return mid * 2 + 1
        else:
            low = mid + 1
    return low * 2


@settings(deadline=None)
@given(nats, st.lists(nats, max_size=12))
def test_bsearch_follows_the_legal_probes(key, xs):
    assert J("bsearch", key, row(xs)).nat == bsearch_model(key, xs)
    assert J("bsearch", key, row(sorted(set(xs)))).nat == bsearch_model(key, sorted(set(xs)))


def test_bsearch_edges():
    assert S("bsearch", CRASH, "[]") == "0"                # key not looked at
    assert S("bsearch", 3, 5) == "0"                       # a nat is an empty closure
    assert S("bsearch", 1, "(0 5 1)") == "1"               # closures index from the right
    assert S("bsearch", "[1 2]", "[0 [1 1] [1 2] {1 1 0}]") == "5"   # _Cmp order
    # elements are forced (to normal form) only where the search probes
    assert S("bsearch", 5, f"[1 {CRASH} 5 ({ID} 7) 9]") == "5"
    assert S("bsearch", 9, f"[1 {CRASH} 5 ({ID} 7) 9]") == "9"
    with pytest.raises(plan.PlanCrash):
        J("bsearch", 2, f"[1 {CRASH} 5 7 9]")
    assert S("bsearch", f"({ID} [3])", "[[1] [3] [5]]") == "3"

# ----- bits and nats -----------------------------------------------------------------------


@pytest.mark.parametrize("name, args, expected", [
    ("_Ifz", (0, 7, 8), "7"), ("_Ifz", (1, 7, 8), "8"), ("_Ifz", ("(0 0)", 7, 8), "8"),
    ("_Ifz", (2 ** 70, 7, 8), "8"), ("_Ifz", (0, 7, CRASH), "7"), ("_Ifz", (3, CRASH, 8), "8"),
    ("_Nand", (0, CRASH), "1"), ("_Nand", (1, 1), "0"), ("_Nand", (1, 0), "1"), ("_Nand", (1, "[1]"), "1"),
    ("_Nor", (1, CRASH), "0"), ("_Nor", (0, 0), "1"), ("_Nor", (0, 5), "0"), ("_Nor", ("[1]", 0), "1"),
    ("_Xnor", (0, 0), "1"), ("_Xnor", (2, 3), "1"), ("_Xnor", (1, 0), "0"), ("_Xnor", ("{1 1 1}", 0), "1"),
    ("_OrdWeld", (1, 2), "2"), ("_OrdWeld", (0, CRASH), "0"), ("_OrdWeld", (2, CRASH), "2"),
    ("_OrdWeld", ("[1]", 5), "[1]"),
    ("_Pow", (CRASH, 0), "1"), ("_Pow", (0, 5), "0"), ("_Pow", (1, 2 ** 80), "1"), ("_Pow", (0, 2 ** 80), "0"),
    ("_Pow", ("[1]", 3), "0"), ("_Pow", (2, "[1]"), "1"),
    ("_Bix", (0, 5), "1"), ("_Bix", (1, 5), "0"), ("_Bix", (2 ** 70, 5), "0"), ("_Bix", (3, "[8]"), "0"),
])
def test_bit_and_nat_jets(name, args, expected):
    assert S(name, *args) == expected


@settings(deadline=None)
@given(st.integers(0, 2 ** 70), st.integers(0, 90))
def test_pow_and_bix(b, p):
    assert J("_Pow", b, p).nat == b ** p
    assert J("_Bix", p, b).nat == (b >> p) & 1


def test_pow_of_a_bignat_exponent_is_out_of_memory_at_once():
    # the legal code would multiply until memory ran out (bottom): the jet
    # says so at once (tests/test_memory_limit.py has the other sizes)
    with pytest.raises(plan.PlanMemory, match="out of memory: a power"):
        J("_Pow", 2, 2 ** 64)


def test_nand_nor_force_y_when_they_must():
    with pytest.raises(plan.PlanCrash):
        J("_Nand", 1, CRASH)
    with pytest.raises(plan.PlanCrash):
        J("_Nor", 0, CRASH)

# ----- iDiv64 -------------------------------------------------------------------------------

W = 2 ** 64


def idiv64_model(x, y):
    """iDiv64 of w64.sire: magnitudes divided (div by 0 is 0), sign applied."""
    def neg(v):
        return (W - v % W) % W

    def is_neg(v):
        return v % W > 2 ** 63 - 1

    ax = neg(x) if is_neg(x) else x
    ay = neg(y) if is_neg(y) else y
    res = (ax % W) // (ay % W) if ay % W else 0
    return neg(res) if is_neg(x) != is_neg(y) else res


words = st.one_of(st.integers(0, 2 ** 64 - 1), st.integers(0, 2 ** 70), st.sampled_from(
    [0, 1, 2 ** 63, 2 ** 63 - 1, 2 ** 64 - 1, 2 ** 64]))


@settings(deadline=None)
@given(words, words)
def test_idiv64_follows_the_legal_code(x, y):
    assert J("iDiv64", x, y).nat == idiv64_model(x, y)


def test_idiv64_cases():
    def i64(v):
        return v % W
    assert J("iDiv64", i64(-7), 2).nat == i64(-3)          # toward zero, not floor
    assert J("iDiv64", 7, i64(-2)).nat == i64(-3)
    assert J("iDiv64", i64(-7), i64(-2)).nat == 3
    assert J("iDiv64", 2 ** 63, i64(-1)).nat == 2 ** 63    # iMin64 / -1 = iMin64
    assert J("iDiv64", 5, 0).nat == 0
    assert J("iDiv64", "[1]", 3).nat == 0

# ----- pads ----------------------------------------------------------------------------------


def to_pad(x):
    return x if isinstance(x, int) and x else 1


def pad_weld_model(x, y):
    """padWeld of sire_15_pad: (x - bex wid) + (y << wid), wid = met x - 1."""
    x, y = to_pad(x), to_pad(y)
    wid = x.bit_length() - 1
    return (x - (1 << wid)) + (y << wid)


def pad_cat_model(xs):
    acc = 1
    for x in xs:
        acc = pad_weld_model(acc, x)
    return acc


@settings(deadline=None)
@given(nats, nats)
def test_pad_weld(x, y):
    assert J("padWeld", x, y).nat == pad_weld_model(x, y)


@settings(deadline=None)
@given(st.lists(nats, max_size=8))
def test_pad_cat(xs):
    assert J("padCat", row(xs)).nat == pad_cat_model(xs)


def test_pad_edges():
    assert S("padWeld", "[1]", "{1 1 1}") == "1"            # non-nats are the empty pad
    assert S("padCat", 7) == "1"                             # not a closure: empty
    assert S("padCat", "(0 5 6)") == str(pad_cat_model([6, 5]))   # index order
    assert S("padCat", f"[5 ({ID} 6)]") == str(pad_cat_model([5, 6]))
    assert S("padFlat", 0) == "0"                            # a nat is itself
    assert S("padFlat", "[0 5]") == "5"
    assert S("padFlat", "{1 1 5}") == "1"
    with pytest.raises(plan.PlanCrash) as e:                 # welded left to right
        J("padCat", f"[{CRASH} (9 9)]")
    assert e.value.op == 7


# trees of closures: ints (nat leaves), bytes (bar leaves), None (a law), lists (rows)
trees = st.recursive(
    st.one_of(nats, st.binary(max_size=5), st.none()),
    lambda kids: st.lists(kids, min_size=1, max_size=4), max_leaves=12)


def tree_text(t):
    stack, out = [t], []
    while stack:
        x = stack.pop()
        if isinstance(x, str):
            out.append(x)
        elif isinstance(x, bool) or x is None:
            out.append("{7 2 0}")
        elif isinstance(x, int):
            out.append(str(x))
        elif isinstance(x, bytes):
            out.append(bar(x))
        else:
            stack.append("]")
            for i, k in enumerate(reversed(x)):
                stack.append(k)
                if i + 1 < len(x):
                    stack.append(" ")
            stack.append("[")
    return "".join(out)


def leaves(t):
    stack, out = [t], []
    while stack:
        x = stack.pop()
        if isinstance(x, list):
            stack.extend(reversed(x))
        else:
            out.append(x)
    return out


@settings(deadline=None)
@given(trees)
def test_pad_flat(t):
    if isinstance(t, int):
        expected = t
    else:
        expected = pad_cat_model([x for x in leaves(t) if isinstance(x, int)])
    assert J("padFlat", tree_text(t)).nat == expected


@settings(deadline=None)
@given(trees)
def test_bar_flat_and_blake3(t):
    data = b"".join(x for x in leaves(t) if isinstance(x, bytes))
    assert S("barFlat", tree_text(t)) == plan.show(F(bar(data)))
    assert S("_Blake3", tree_text(t)) == bar(blake3_lib.blake3(data).digest())


def test_tree_jets_visit_in_the_legal_order():
    assert S("barFlat", f'[b#"a" ({ID} [b#"b" 5]) (0 b#"d" b#"c")]') == 'b#"abcd"'
    assert S("barFlat", '#[1=b#"x" 2=b#"y"]') == 'b#"xy"'      # a tab: its values
    assert S("barFlat", '<b#"x">') == 'b#""'                  # pins are not looked into
    # the tree is normalized first (the legal walk forces every node too, depth
    # first; so with two crashing nodes the one reported may differ)
    with pytest.raises(plan.PlanCrash):
        J("barFlat", f'[b#"a" [{CRASH}]]')
    assert S("_Blake3", 'b#"fdsafdsa"') == bar(blake3_lib.blake3(b"fdsafdsa").digest())

# ----- bars -------------------------------------------------------------------------------------


@settings(deadline=None)
@given(st.lists(st.binary(max_size=6), max_size=6))
def test_bar_cat(bs):
    assert S("barCat", row(bar(b) for b in bs)) == plan.show(F(bar(b"".join(bs))))


def test_bar_cat_reads_any_law_body_as_a_pad():
    assert S("barCat", "[]") == 'b#""'
    assert S("barCat", '[b#"a" 5 b#"b"]') == 'b#"ab"'             # lawBody 5 = 0: empty
    assert S("barCat", "[{1 1 5}]") == "{1 1 5}"                  # a pad of 2 bits: no bar
    assert S("barCat", '(0 b#"b" b#"a")') == 'b#"ab"'             # index order
    with pytest.raises(plan.PlanCrash) as e:                      # forced last to first
        J("barCat", f"[{CRASH} (9 9)]")
    assert e.value.op == 9


@settings(deadline=None)
@given(st.integers(0, 300), st.binary(max_size=8))
def test_bar_elem_index_end(e, bs):
    i = bs.rfind(bytes([e])) if e < 256 else -1
    assert S("barElemIndexEnd", e, bar(bs)) == ("0" if i < 0 else f"(0 {i})")


@settings(deadline=None)
@given(st.integers(0, 300), st.integers(0, 12), st.binary(max_size=8))
def test_bar_elem_index_off(e, off, bs):
    i = bs.find(bytes([e]), off) if e < 256 and off < len(bs) else -1
    assert J("barElemIndexOff", e, off, bar(bs)).nat == (len(bs) if i < 0 else i)


def test_bar_index_edges():
    assert S("barElemIndexEnd", CRASH, 'b#""') == "0"
    assert S("barElemIndexEnd", "[97]", 'b#"a"') == "0"
    assert S("barElemIndexOff", CRASH, 2, 'b#"ab"') == "2"
    assert S("barElemIndexOff", 97, "[0]", 'b#"ab"') == "2"       # a non-nat offset is >= len
    assert S("barElemIndexOff", 98, 2 ** 70, 'b#"ab"') == "2"
    fallback("barElemIndexEnd", 1, "[1]")
    fallback("barElemIndexOff", 1, 0, "{1 1 5}")


@settings(deadline=None)
@given(st.integers(0, 10), st.integers(0, 10), st.binary(max_size=8))
def test_bar_slice_to_nat(off, wid, bs):
    assert J("_BarSliceToNat", off, wid, bar(bs)).nat == int.from_bytes(bs[off:off + wid], "little")


@settings(deadline=None)
@given(st.integers(0, 6), nats)
def test_nat_to_sized_bar_and_bar(sz, n):
    top = 1 << (8 * sz)
    assert plan.show(J("_NatToSizedBar", sz, n)) == plan.show(F("{1 1 %d}" % (top + n)))
    if n < top:
        assert S("_NatToSizedBar", sz, n) == shown(bar(n.to_bytes(sz, "little")))
    assert S("_Bar", n + 1) == plan.show(F("{1 1 %d}" % (n + 1)))


def test_bar_constructors_edges():
    assert S("_Bar", 1) == 'b#""'
    assert S("_Bar", "[1]") == "{1 1 [1]}"
    assert S("_BarSliceToNat", 2 ** 70, 1, 'b#"ab"') == "0"
    fallback("_BarSliceToNat", 0, 1, "[1]")
    fallback("_NatToSizedBar", 2 ** 64, 0)


@pytest.mark.large
def test_million_deep_trees_for_the_tree_jets():
    times = plan.read('<{"_Times" 3 (0 (0 (0 (2 2) 2) (0 (0 0 1) (0 1 2))) 3)}>').force()
    deep = times.apply(plan.read("(0 0)"), F('b#"z"'), 1_000_000).force()   # (0 0 (0 0 .. b#"z"))
    assert S("barFlat", deep) == 'b#"z"'
    assert S("_Blake3", deep) == bar(blake3_lib.blake3(b"z").digest())
    deep_pads = times.apply(plan.read("(0 5)"), 6, 1_000_000).force()      # (0 5 (0 5 .. 6))
    # leaves in order: 6 (bits 01... read low first: 0b10), then a million 5s (0b01)
    top = 4 ** 1_000_001
    assert J("padFlat", deep_pads).nat == 2 + (top - 4) // 3 + top

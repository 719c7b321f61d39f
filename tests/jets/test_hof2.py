"""_Bitwise (runtime/pk_jets_hof.c) against its legal meaning in sire_03:

    bitwise f x y = go x y 0 0
    go a b off acc = if (add a b == 0) then acc
                     else seq acc' (go (a/2) (b/2) (off+1) acc')
                     where acc' = add acc (lsh (f (a%2) (b%2)) off)

modelled in Python by `model`: f is called once per bit position below the
longer input, from the lowest, each result forced before the next call and
counted as a nat (non-nats as 0, results above 1 added at their position);
non-nat inputs count as 0 and the legal _Add forces y before x.

The functions are hand-built laws in the PLAN notation, each with a Python
twin. The jet is run through call_jet (its continuation pin then runs in the
real evaluator) and through a pin of our own accepted under its name."""

from __future__ import annotations

from typing import Callable

import pytest
from hypothesis import given, settings, strategies as st

from pallas_kernel import _core, plan
from pallas_kernel.errors import PlanCrash

from helpers import hand_laws

pytestmark = pytest.mark.core  # run again by `make stress`

J = _core.call_jet


def v(text: str) -> plan.Value:
    """A value in normal form."""
    return plan.read(text).force()


def lazy(text: str) -> plan.Value:
    """An unevaluated expression."""
    return plan.read(text)


def crash_of(thunk) -> tuple[int, str]:
    with pytest.raises(PlanCrash) as e:
        thunk()
    return e.value.op, plan.show(e.value.value)


def model(f: Callable[[int, int], int], x: int, y: int) -> int:
    """The legal loop, step for step."""
    acc, off = 0, 0
    while x + y:
        acc += f(x % 2, y % 2) << off
        x, y, off = x // 2, y // 2, off + 1
    return acc


ADD = hand_laws.ADD
BIG = 2 ** 70
# (law, Python twin) pairs for f
FUNS = {
    "add": (f"{{0 2 (0 (0 {ADD} 1) 2)}}", lambda a, b: a + b),           # 0..2: carries
    "first": ("{0 2 1}", lambda a, b: a),
    "second": ("{0 2 2}", lambda a, b: b),
    "twice_a_plus_b": (f"{{0 2 (0 (0 {ADD} (0 (0 {ADD} 1) 1)) 2)}}", lambda a, b: 2 * a + b),
    "const_big": (f"{{0 2 (2 {BIG})}}", lambda a, b: BIG),
    "const_5": ("{0 2 (2 5)}", lambda a, b: 5),
    "not_a_nat": ("{0 2 (2 {0 1 1})}", lambda a, b: 0),                  # a law counts as 0
    "partial_add": (f"{{0 2 (0 {ADD} 1)}}", lambda a, b: 0),             # a closure: 0
}
NATS = st.one_of(st.integers(0, 300), st.integers(0, 2 ** 64 + 5), st.integers(0, 2 ** 400))


@given(st.sampled_from(sorted(FUNS)), NATS, NATS)
@settings(max_examples=150, deadline=None)
def test_bitwise_meaning(name, x, y):
    law, twin = FUNS[name]
    assert J("_Bitwise", v(law), x, y).nat == model(twin, x, y)


@pytest.mark.parametrize("x,y", [(0, 0), (1, 0), (0, 1), (2 ** 62 - 1, 2 ** 62), (2 ** 63 - 1, 1),
                                 (2 ** 124, 2 ** 61), (2 ** 186 - 1, 0), (3 << 200, 5)])
def test_bitwise_chunk_edges(x, y):
    for name in ("add", "twice_a_plus_b", "const_big", "const_5"):
        law, twin = FUNS[name]
        assert J("_Bitwise", v(law), x, y).nat == model(twin, x, y), name


def test_bitwise_or_and_xor_shapes():
    law, _ = FUNS["add"]
    x, y = 0b1100, 0b1010
    assert J("_Bitwise", v(law), x, y).nat == x + y         # or with carries = plain sum
    assert J("_Bitwise", v(FUNS["first"][0]), x, y).nat == x
    assert J("_Bitwise", v(FUNS["second"][0]), x, y).nat == y


CRASH2 = "{0 2 (0 (0 (2 99) 1) 2)}"                  # a b -> (99 a b): a crash


def test_bitwise_zero_inputs_never_call_or_force_f():
    assert J("_Bitwise", v(CRASH2), 0, 0).nat == 0
    assert J("_Bitwise", lazy("(99 7)"), 0, 0).nat == 0      # f itself is a crashing thunk
    assert J("_Bitwise", v(CRASH2), v("(0 1)"), v("{0 1 1}")).nat == 0   # non-nats are 0


def test_bitwise_non_nat_input_counts_as_zero():
    law, twin = FUNS["add"]
    assert J("_Bitwise", v(law), v("(0 1)"), 13).nat == 13
    assert J("_Bitwise", v(law), 9, v("{0 1 1}")).nat == 9


def test_bitwise_forces_y_before_x():
    # the legal (add a b) forces b first
    assert crash_of(lambda: J("_Bitwise", v(FUNS["add"][0]), lazy("(99 1)"), lazy("(98 2)"))) == (98, "2")


def test_bitwise_calls_f_from_the_lowest_bit():
    f = v(f"{{0 2 (0 (2 99) (0 (0 {ADD} 1) 2))}}")    # a b -> crash with a+b
    assert crash_of(lambda: J("_Bitwise", f, 2, 4)) == (99, "0")
    assert crash_of(lambda: J("_Bitwise", f, 3, 1)) == (99, "2")
    assert crash_of(lambda: J("_Bitwise", f, 0, 2 ** 300)) == (99, "0")


def test_bitwise_forces_each_result_before_the_next_call():
    # bit 0 gives a crashing thunk (99 a), bit 1 would crash with 98: 99 wins
    f = v("{0 2 (0 (0 (0 (2 2) (0 (2 99) 1)) (2 {0 1 (0 (2 98) 1)})) 1)}")
    assert crash_of(lambda: J("_Bitwise", f, 2, 0)) == (99, "0")
    assert crash_of(lambda: J("_Bitwise", f, 1, 0)) == (98, "0")


def test_bitwise_results_are_forced_only_to_whnf():
    # a b -> ({0 2 1} (99 a)): a closure holding a crash; counts as 0 unforced
    f = v("{0 2 (0 (2 {0 2 1}) (0 (2 99) 1))}")
    assert J("_Bitwise", f, 2 ** 100 - 1, 7).nat == 0


@pytest.mark.large
def test_bitwise_large_input_hundred_thousand_bits_in_constant_stack():
    x, y = 2 ** 100_000 - 1, (2 ** 100_000 - 1) // 3
    before = _core.stats()["stack_words"]
    assert J("_Bitwise", v(FUNS["add"][0]), x, y).nat == x + y
    assert J("_Bitwise", v(FUNS["twice_a_plus_b"][0]), y, x).nat == 2 * y + x
    assert J("_Bitwise", v(FUNS["second"][0]), 0, x).nat == x
    after = _core.stats()["stack_words"]
    assert after == before or after < 50_000       # the legal code nests per bit


BITWISE_TEXT = '<{"_Bitwise" 3 (2 0)}>'             # legal body: 0, so a result shows the jet
plan.accept_jet_hashes([("_Bitwise", v(BITWISE_TEXT).pin_hash())])


def test_bitwise_pin_gets_the_jet():
    pin = v(BITWISE_TEXT)
    assert pin.has_jet
    assert plan.show(v(f"({BITWISE_TEXT} {FUNS['add'][0]} 12 10)")) == "22"
    assert crash_of(lambda: v(f"({BITWISE_TEXT} {CRASH2} 1 0)")) == (99, "1")


# --- _TryExp -------------------------------------------------------------------------
# The legal _TryExp (plan.sire) normalizes its argument, loads the PlanExp tree
# ([%VALUE v] or [%APPLY row]) into a graph and normalizes that under a catch:
# RIGHT-v = [1 v], or LEFT-[op val] = [0 [op val]] on a crash. Our model: the
# PLAN expression the tree stands for, normalized by the evaluator itself.

def V(x: str) -> str:
    return f'["VALUE" {x}]'


def A(*xs: str) -> str:
    return '["APPLY" [' + " ".join(xs) + "]]"


def expr_of(tree) -> str:
    """The notation of the expression a tree of ("V", text) / ("A", [...]) stands for."""
    kind, body = tree
    if kind == "V":
        return body
    if not body:
        return "0"
    if len(body) == 1:
        return expr_of(body[0])
    return "(" + " ".join(expr_of(t) for t in body) + ")"


def tree_text(tree) -> str:
    kind, body = tree
    return V(body) if kind == "V" else A(*(tree_text(t) for t in body))


def expected(tree) -> str:
    """[1 v] or [0 [op val]], from the evaluator on the plain expression."""
    try:
        return f"[1 {plan.show(lazy(expr_of(tree)).force())}]"
    except PlanCrash as e:
        return f"[0 [{e.op} {plan.show(e.value)}]]"


LEAVES = ["0", "1", "2", "3", "5", ADD, "{0 1 1}", "{0 2 1}", "{0 1 (0 (2 99) 1)}",
          "{0 2 (0 (2 98) 2)}", "{0 3 0}", "[]", "(99 1)"]
TREES = st.recursive(st.sampled_from(LEAVES).map(lambda t: ("V", t)),
                     lambda kids: st.lists(kids, max_size=4).map(lambda ks: ("A", ks)),
                     max_leaves=12)


def try_exp(text: str) -> str:
    return plan.show(J("_TryExp", v(text)).force())


@given(TREES)
@settings(max_examples=200, deadline=None)
def test_try_exp_meaning(tree):
    text = tree_text(tree)
    try:
        v(text)
    except PlanCrash:                                # a leaf (99 1) crashes before the
        return                                       # catch: see the test below
    assert try_exp(text) == expected(tree)


def test_try_exp_shapes():
    assert try_exp(A(A(V("3"), V("3")), A(V("3"), V("3")))) == "[1 <4>]"   # (4 4)
    assert try_exp(A()) == "[1 0]"                                  # no _Try-like 0
    assert try_exp(V("5")) == "[1 5]"
    assert try_exp(A(V("7"))) == "[1 7]"
    assert try_exp(A(V("0"), V("1"), V("2"), V("3"))) == "[1 {1 2 3}]"
    assert try_exp(A(V("0"), V("0"), V("0"), V("0"))) == "[0 [0 0]]"      # a law of arity 0
    # arguments stay lazy: the unused (99 1) never runs
    assert try_exp(A(V("{0 2 1}"), A(V("3"), V("4")), A(V("99"), V("1")))) == "[1 5]"
    assert try_exp(A(V("3"), A(V("98"), V("1")))) == "[0 [98 1]]"
    # the result is normalized under the catch, first argument first
    assert try_exp(A(V("{0 2 (0 (0 (2 {0 3 0}) (0 (2 99) 1)) (0 (2 98) 2))}"), V("1"), V("2"))) \
        == "[0 [99 1]]"


def test_try_exp_normalizes_its_argument_outside_the_catch():
    assert crash_of(lambda: J("_TryExp", lazy(A(V("1"), V("(97 4)"))))) == (97, "4")


@pytest.mark.parametrize("text", ["5", '["VALUE" 1 2]', '["APPLY" 3]', '["APPLY" (0 1)]',
                                  A(V("3"), '["VALUX" 1]'), "[1 2]",
                                  A(V("3"), A(V("1"), "[]"))])
def test_try_exp_falls_back_outside_the_format(text):
    # the legal datacase gives 0 for an unknown tag; other shapes are its business too
    with pytest.raises(NotImplementedError):
        J("_TryExp", v(text))


@pytest.mark.large
def test_try_exp_large_deep_trees_in_constant_stack():
    deep = V("0")
    for _ in range(20_000):                           # (3 (3 (3 .. 0)))
        deep = f'["APPLY" [["VALUE" 3] {deep}]]'
    r = J("_TryExp", v(deep))
    assert J("_Get", r, 0).nat == 1 and J("_Get", r, 1).nat == 20_000
    wide = A(V("{0 4 0}"), *[V(str(i)) for i in range(3)])   # a row's law, 3 of 4 args
    assert try_exp(wide) == "[1 [2 1 0]]"             # a row keeps its arguments reversed


TRYEXP_TEXT = '<{"_TryExp" 1 (2 0)}>'
plan.accept_jet_hashes([("_TryExp", v(TRYEXP_TEXT).pin_hash())])


def test_try_exp_pin_gets_the_jet():
    assert v(TRYEXP_TEXT).has_jet
    assert plan.show(v(f"({TRYEXP_TEXT} {A(V('3'), V('4'))})")) == "[1 5]"
    assert plan.show(v(f"({TRYEXP_TEXT} {A(V('{0 1 (0 (2 99) 1)}'), V('4'))})")) == "[0 [99 4]]"

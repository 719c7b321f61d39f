"""Higher-order jets and _Try (runtime/pk_jets_hof.c) against their legal
meaning: results, laziness, which crash wins when several are possible, and
long loops that must run in constant stack.

Functions are written as hand-built laws in the PLAN notation; the jets are
run through the call_jet hook (their continuation pins then run in the real
evaluator), and _Try also through a pin of our own with the jet attached."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from pallas_kernel import _core, plan
from pallas_kernel.errors import PlanCrash, PlanLoop
from pallas_kernel.plan.tree import row

from helpers import hand_laws

pytestmark = pytest.mark.core  # run again by `make stress`

J = _core.call_jet


def v(text: str) -> plan.Value:
    """A value in normal form."""
    return plan.read(text).force()


def lazy(text: str) -> plan.Value:
    """An unevaluated expression."""
    return plan.read(text)


def show(x) -> str:
    return plan.show(x.force())


def crash_of(thunk) -> tuple[int, str]:
    with pytest.raises(PlanCrash) as e:
        thunk()
    return e.value.op, plan.show(e.value.value)


INC = v("3")
ID = v("{0 1 1}")
CRASH = v("{0 1 (0 (2 99) 1)}")                     # x -> (99 x): crash 99 with x
ADD = hand_laws.ADD
ADDV = v(f"{{0 3 (0 (0 {ADD} 1) 3)}}")               # acc k v -> acc + v
# unfoldr steps: (2 0 p) forces the seed; 0 ends, k+1 gives p k
SOME_KK = "{0 1 (0 (2 0) (0 (0 (2 {0 3 0}) 1) 1))}"          # k -> (0 [k k])
COUNTDOWN = v(f"(2 0 {SOME_KK})")
LAZY_SOME = "{0 1 (0 (2 0) (0 (2 {0 1 1}) (0 (0 (2 {0 3 0}) 1) 1)))}"  # k -> (0 (id [k k]))
LAZY_COUNTDOWN = v(f"(2 0 {LAZY_SOME})")
# k -> (0 [k (99 k)]): the next seed crashes when the step forces it
CRASHING_SEED = v("(2 0 {0 1 (0 (2 0) (0 (0 (2 {0 3 0}) (0 (2 99) 1)) 1))})")


def tab(d: dict[int, int]) -> plan.Value:
    return v("#[" + " ".join(f"{k}={x}" for k, x in sorted(d.items())) + "]")


def tab_items(t) -> dict[int, str]:
    """A tab's pairs, values shown in notation (the tab forced)."""
    t = t.force()
    keys = J("_TabKeysRow", t).force()
    vals = J("_TabVals", t).force()
    items = {}
    for i, k in enumerate(plan.show(keys).strip("[]").split()):
        items[int(k)] = plan.show(J("_Get", vals, i).force())
    return items


# --- unfoldr -----------------------------------------------------------------

def test_unfoldr_builds_the_row_until_none():
    assert show(J("unfoldr", COUNTDOWN, 3)) == "[2 1 0]"
    assert show(J("unfoldr", COUNTDOWN, 0)) == "[]"


def test_unfoldr_with_a_lazy_some_payload():
    assert show(J("unfoldr", LAZY_COUNTDOWN, 4)) == "[3 2 1 0]"


def test_unfoldr_crash_in_a_later_step_is_the_legal_one():
    assert crash_of(lambda: J("unfoldr", CRASHING_SEED, 5).force()) == (99, "4")


def test_unfoldr_elements_stay_lazy():
    # k -> (0 [(99 k) k]): elements crash only when forced
    f = v("(2 0 {0 1 (0 (2 0) (0 (0 (2 {0 3 0}) 1) (0 (2 99) 1)))})")
    r = J("unfoldr", f, 2)
    assert J("_Len", r).nat == 2
    assert crash_of(lambda: J("_Get", r, 0)) == (99, "1")
    assert crash_of(lambda: J("_Get", r, 1)) == (99, "0")


@pytest.mark.large
def test_unfoldr_million_steps_in_constant_stack():
    before = _core.stats()["stack_words"]     # the high-water mark of the stack
    r = J("unfoldr", COUNTDOWN, 1_000_000)
    assert J("_Len", r).nat == 1_000_000
    assert J("_Get", r, 0).nat == 999_999 and J("_Get", r, 999_999).nat == 0
    after = _core.stats()["stack_words"]
    assert after == before or after < 100_000    # the legal code needs 2 words a step


# --- sumOf -------------------------------------------------------------------

@given(st.lists(st.integers(0, 2 ** 70), max_size=20))
def test_sum_of_meaning(xs):
    assert J("sumOf", INC, plan.from_tree(row(*xs))).nat == sum(x + 1 for x in xs)


def test_sum_of_counts_non_nats_as_zero_and_empty_as_zero():
    assert J("sumOf", v("{0 1 (0 (2 0) 1)}"), v("[1 2]")).nat == 0
    assert J("sumOf", INC, v("[]")).nat == 0


def test_sum_of_forces_the_first_element_first():
    # legal: add acc (f x), and _Add forces its second argument first
    assert crash_of(lambda: J("sumOf", CRASH, v("[1 2 3]"))) == (99, "1")


@pytest.mark.large
def test_sum_of_a_million():
    xs = plan.from_tree(row(*range(1_000_000)))
    assert J("sumOf", INC, xs).nat == 1_000_000 * 1_000_001 // 2


def test_sum_of_falls_back_outside_rows():
    with pytest.raises(NotImplementedError):
        J("sumOf", INC, v("(0 1 2)"))


# --- tabFoldlWithKey -----------------------------------------------------------

def test_fold_meaning_and_empty():
    assert J("tabFoldlWithKey", ADDV, 7, tab({1: 10, 5: 20})).nat == 37
    assert J("tabFoldlWithKey", ADDV, 7, tab({})).nat == 7
    assert J("tabFoldlWithKey", v("{0 3 2}"), 0, tab({1: 0, 9: 0})).nat == 9   # last key


def test_fold_is_strict_in_order_and_lazy_in_unused_values():
    lazy_vals = J("tabMap", CRASH, tab({1: 1, 2: 2}))   # values (99 1), (99 2)
    assert crash_of(lambda: J("tabFoldlWithKey", ADDV, 0, lazy_vals)) == (99, "1")
    assert J("tabFoldlWithKey", v("{0 3 2}"), 0, lazy_vals).nat == 2   # values never forced


@pytest.mark.large
def test_fold_over_a_hundred_thousand_pairs_large():
    n = 100_000
    t = tab({k: 1 for k in range(n)})
    assert J("tabFoldlWithKey", ADDV, 0, t).nat == n


# --- tabMap, tabMapWithKey, tabUnionWith ------------------------------------------

def test_tab_map_values_are_lazy():
    t = J("tabMap", CRASH, tab({1: 1}))
    assert J("_TabLen", t).nat == 1                   # the tab is fine
    assert crash_of(t.force) == (99, "1")             # its value crashes when forced
    assert tab_items(J("tabMap", INC, tab({1: 5, 3: 7}))) == {1: "6", 3: "8"}
    assert tab_items(J("tabMap", INC, tab({}))) == {}


def test_tab_map_with_key():
    t = J("tabMapWithKey", v(f"{{0 2 (0 (0 {ADD} 1) 2)}}"), tab({1: 5, 3: 7}))
    assert tab_items(t) == {1: "6", 3: "10"}


@given(st.dictionaries(st.integers(0, 40), st.integers(0, 9)),
       st.dictionaries(st.integers(0, 40), st.integers(0, 9)))
@settings(max_examples=60, deadline=None)
def test_tab_union_with_meaning(a, b):
    got = tab_items(J("tabUnionWith", v(f"{ADD}"), tab(a), tab(b)))
    want = {k: str(a.get(k, 0) + b.get(k, 0)) for k in set(a) | set(b)}
    assert got == want


def test_tab_union_with_is_lazy_in_the_function():
    t = J("tabUnionWith", v("{0 2 (0 (2 99) 1)}"), tab({1: 1, 2: 2}), tab({2: 3}))
    assert J("_TabLen", t).nat == 2
    assert crash_of(t.force) == (99, "2")


# --- tabAlter ---------------------------------------------------------------------

ALWAYS_42 = v("{0 1 (0 (2 0) 42)}")      # _ -> SOME 42
DELETE = v("{0 1 (2 0)}")                # _ -> NONE


@given(st.dictionaries(st.integers(0, 20), st.integers(0, 9)), st.integers(0, 20))
@settings(max_examples=60, deadline=None)
def test_tab_alter_meaning(d, key):
    assert tab_items(J("tabAlter", ALWAYS_42, key, tab(d))) == {**{k: str(x) for k, x in d.items()}, key: "42"}
    assert tab_items(J("tabAlter", DELETE, key, tab(d))) == {k: str(x) for k, x in d.items() if k != key}
    assert tab_items(J("tabAlter", ID, key, tab(d))) == {k: str(x) for k, x in d.items()}


def test_tab_alter_passes_none_or_some_and_stores_the_cdr():
    # fun = 0: (0 m) stores m itself: NONE (0) when missing, (0 prev) when present
    assert tab_items(J("tabAlter", 0, 3, tab({1: 5}))) == {1: "5", 3: "0"}
    assert tab_items(J("tabAlter", 0, 1, tab({1: 5}))) == {1: "(0 5)"}


def test_tab_alter_crash_order():
    key_crash = lazy("(98 1)")
    # a non-empty tab: the key is compared before fun is called
    assert crash_of(lambda: J("tabAlter", CRASH, key_crash, tab({1: 1})).force()) == (98, "1")
    # the empty tab: no comparison, fun first; a NONE never touches the key
    assert crash_of(lambda: J("tabAlter", CRASH, key_crash, tab({})).force()) == (99, "0")
    assert tab_items(J("tabAlter", DELETE, lazy("(98 1)"), tab({}))) == {}
    assert crash_of(lambda: J("tabAlter", ALWAYS_42, lazy("(98 1)"), tab({})).force()) == (98, "1")


# --- _TabFilterWithKey ----------------------------------------------------------------

@given(st.dictionaries(st.integers(0, 30), st.integers(0, 3)))
@settings(max_examples=60, deadline=None)
def test_filter_meaning(d):
    got = tab_items(J("_TabFilterWithKey", v("{0 2 2}"), tab(d)))   # keep nonzero values
    assert got == {k: str(x) for k, x in d.items() if x}


def test_filter_tests_in_key_order():
    assert crash_of(lambda: J("_TabFilterWithKey", v("{0 2 (0 (2 99) 1)}"), tab({4: 0, 2: 0})).force()) == (99, "2")


# --- _Try ----------------------------------------------------------------------------

def try_(text_or_value) -> str:
    x = text_or_value if isinstance(text_or_value, plan.Value) else lazy(text_or_value)
    return show(J("_Try", x))


def test_try_results():
    assert try_("[3 4]") == "[1 5]"
    assert try_("[99]") == "[1 99]"
    assert try_("[0 1 2]") == "[1 (0 1 2)]"
    assert try_("[0 0 0 0]") == "[0 [0 0]]"          # a law of arity 0
    assert try_("[{0 2 1} 3 4]") == "[1 3]"
    assert try_(f"[{plan.show(CRASH)} 5]") == "[0 [99 5]]"
    assert try_("[9 (3 4)]") == "[0 [9 5]]"          # the crash value is normal


def test_try_catches_a_crash_while_normalizing_the_result():
    assert try_("[{0 1 (0 (0 (2 {0 3 0}) (0 (2 97) 1)) 1)} 2]") == "[0 [97 2]]"


def test_try_normalizes_the_row_outside_the_catch():
    with pytest.raises(PlanCrash):
        J("_Try", lazy("[3 (96 1)]"))


def test_try_does_not_catch_loops():
    with pytest.raises(PlanLoop):
        J("_Try", lazy("[{0 1 (1 2 2)} 0]"))


def test_try_twice_on_the_same_value_gives_the_same_answer():
    # the row is normalized outside the catch (the legal code deepseqs it), so
    # thunks that crash inside are made during the call; after a caught crash
    # nothing is left half-evaluated and a second run answers the same
    x = lazy("[{0 1 (1 (0 (2 95) 1) (0 (0 (2 {0 3 0}) 2) 2))} 7]")   # let t = (95 x) in [t t]
    assert show(J("_Try", x)) == "[0 [95 7]]"
    assert show(J("_Try", x)) == "[0 [95 7]]"
    assert plan.read("(3 (3 1))").nat == 3


def _row_of(*xs: plan.Value) -> plan.Value:
    """The row of values without evaluating them (built with _Weld of singletons)."""
    r = v("[]")
    for x in xs:
        r = J("rowSnoc", r, x)
    return r


def test_try_falls_back_outside_rows():
    with pytest.raises(NotImplementedError):
        J("_Try", 5)
    with pytest.raises(NotImplementedError):
        J("_Try", v("[]"))


# pins of our own (legal bodies that just return 0) accepted for the jets
TRY_TEXT = '<{"_Try" 1 (2 0)}>'
UNFOLDR_TEXT = '<{"unfoldr" 2 (2 0)}>'
plan.accept_jet_hashes([("_Try", v(TRY_TEXT).pin_hash()), ("unfoldr", v(UNFOLDR_TEXT).pin_hash())])
TRY = v(TRY_TEXT)


def test_try_pin_gets_the_jet_and_nests():
    assert TRY.has_jet and v(UNFOLDR_TEXT).has_jet
    assert try_(f"[{TRY_TEXT} [{plan.show(CRASH)} 5]]") == "[1 [0 [99 5]]]"
    assert try_(f"[{TRY_TEXT} [{TRY_TEXT} [3 1]]]") == "[1 [1 [1 2]]]"
    # the inner catch is gone once it returned: a later crash goes to the outer one
    assert try_(f"[{{0 1 (0 (2 94) 1)}} ({TRY_TEXT} [3 1])]") == "[0 [94 [1 2]]]"


@pytest.mark.large
def test_try_around_a_million_step_unfoldr():
    r = J("_Try", _row_of(v(UNFOLDR_TEXT), COUNTDOWN, plan.nat(1_000_000)))
    assert J("_Len", J("_Get", r, 1)).nat == 1_000_000
    r = J("_Try", _row_of(v(UNFOLDR_TEXT), CRASHING_SEED, plan.nat(5)))
    assert show(r) == "[0 [99 4]]"


def test_ctrl_c_inside_a_continuation_loop_leaves_the_runtime_intact():
    import signal

    forever = v("{0 1 (0 0 1)}")                        # f x = f x: the step never ends
    r = J("unfoldr", COUNTDOWN, 3)
    def interrupt(signum, frame):
        raise KeyboardInterrupt
    old = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        with pytest.raises(KeyboardInterrupt):
            J("unfoldr", forever, 5)
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        with pytest.raises(KeyboardInterrupt):          # and not caught by _Try
            J("_Try", _row_of(v(UNFOLDR_TEXT), forever, plan.nat(5)))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert show(r) == "[2 1 0]"
    assert show(J("unfoldr", COUNTDOWN, 2)) == "[1 0]"


# --- _NatFold ------------------------------------------------------------------------

@given(st.one_of(st.integers(0, 1000), st.integers(0, 2 ** 300)))
@settings(max_examples=60, deadline=None)
def test_nat_fold_popcount_and_met(n):
    assert J("_NatFold", v(ADD), 0, n).nat == bin(n).count("1")          # natFold add 0
    assert J("_NatFold", v("{0 2 (0 (2 3) 1)}"), 0, n).nat == n.bit_length()   # m _ -> inc m


def test_nat_fold_edges():
    assert J("_NatFold", CRASH, 7, 0).nat == 7                  # no bits: z unforced
    assert J("_NatFold", CRASH, 7, v("(0 1)")).nat == 7         # not a nat: z
    # each step forced from the lowest bit: the first step crashes with bit 0
    assert crash_of(lambda: J("_NatFold", v("{0 2 (0 (2 99) 2)}"), 0, 6)) == (99, "0")
    assert J("_NatFold", v("{0 2 2}"), 5, 2 ** 100).nat == 1    # the last bit

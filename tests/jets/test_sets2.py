"""Set and tab natives of the second batch, through call_jet, against Python
sets and dicts (the meaning of their legal definitions in sire_11_set and
sire_12_tab), with the edge cases: empty inputs, out-of-range and bignat
counts, arguments the legal code leaves alone, keys that are not nats, and
shapes that send the jet to the legal code (NotImplementedError)."""

import pytest
from hypothesis import given, settings, strategies as st

from pallas_kernel import plan

from helpers.jet_calls import F, J, S

pytestmark = pytest.mark.core  # run again by `make stress`

CRASH = "(7 7)"
ID = '{"I" 1 1}'


def shown(text):
    return plan.show(F(text))


def set_text(keys):
    return "%[" + " ".join(str(k) for k in sorted(set(keys))) + "]"


def tab_text(d):
    return "#[" + " ".join(f"{k}={v}" for k, v in sorted(d.items())) + "]"


def pair_text(a, b):
    return f"[{a} {b}]"


def fallback(name, *args):
    with pytest.raises(NotImplementedError):
        J(name, *args)


keys = st.lists(st.integers(0, 30), max_size=10)
counts = st.one_of(st.integers(0, 12), st.just(2 ** 70))
tabs = st.dictionaries(st.integers(0, 30), st.integers(0, 9), max_size=8)

# ----- sets ---------------------------------------------------------------------------------


@settings(deadline=None)
@given(keys, keys)
def test_set_algebra(a, b):
    sa, sb = F(set_text(a)), F(set_text(b))
    assert S("setWeld", sa, sb) == shown(set_text(set(a) | set(b)))
    assert S("setIntersect", sa, sb) == shown(set_text(set(a) & set(b)))
    assert S("setSub", sa, sb) == shown(set_text(set(a) - set(b)))


@settings(deadline=None)
@given(keys, counts)
def test_set_slices(a, n):
    ordered = sorted(set(a))
    cut = min(n, len(ordered))
    s = F(set_text(a))
    assert S("setTake", n, s) == shown(set_text(ordered[:cut]))
    assert S("setDrop", n, s) == shown(set_text(ordered[cut:]))
    assert S("setSplitAt", n, s) == shown(pair_text(set_text(ordered[:cut]), set_text(ordered[cut:])))


@settings(deadline=None)
@given(keys, st.integers(0, 32))
def test_set_split_lt(a, k):
    lo = [x for x in set(a) if x < k]
    hi = [x for x in set(a) if x >= k]
    assert S("setSplitLT", k, F(set_text(a))) == shown(pair_text(set_text(lo), set_text(hi)))


@settings(deadline=None)
@given(st.lists(keys, max_size=4))
def test_set_cat_row_asc(parts):
    row = "[" + " ".join(set_text(p) for p in parts) + "]"
    joined = [k for p in parts for k in sorted(set(p))]
    r = J("setCatRowAsc", F(row))
    ascending = all(x < y for x, y in zip(joined, joined[1:]))
    assert S("isSet", r) == ("1" if ascending else "0")
    assert S("_SetToRow", r) == shown("[" + " ".join(map(str, joined)) + "]")


def test_set_edges():
    assert S("_MkSet", "[1 3]") == "%[1 3]"
    assert S("_MkSet", "[3 1]") == "{1 2 [3 1]}"                 # a law, not a set
    assert S("isSet", J("_MkSet", "[[1] [1 2] {1 1 1} <0>]")) == "0"
    assert S("isSet", J("_MkSet", "[0 <0> {1 1 1} [1]]")) == "1"  # Nat < Pin < Law < App
    assert S("_SetToRow", "%[4 5]") == "[4 5]"
    assert S("_SetToRow", "{5 1 7}") == "7" and S("_SetToRow", "[1]") == "0"
    assert S("setIntersect", CRASH, "%[]") == "%[]"              # a is never looked at
    assert S("setSub", "%[1 2]", "%[]") == "%[1 2]"
    with pytest.raises(plan.PlanCrash):                          # setSub returns a itself
        J("setSub", CRASH, "%[]")
    assert S("setWeld", "%[[1] [2]]", "%[[2] [1 1]]") == "{1 2 [[1] [2] [1 1]]}"
    assert S("setDrop", "[1]", "%[1 2]") == "%[1 2]"             # NAT of a non-nat is 0
    assert S("setSplitLT", F("[0]"), F("%[1 [0] [1]]")) == "[%[1] {1 2 [[0] [1]]}]"
    assert S("setCatRowAsc", "[]") == "%[]"


def test_set_jets_fall_back_outside_sets():
    for name, args in [("setWeld", ("%[1]", "[1]")), ("setWeld", ("{1 2 [2 1]}", "%[1]")),
                       ("setDrop", (1, "[1 2]")), ("setTake", (1, 5)),
                       ("setIntersect", ("[1]", "%[1]")), ("setSub", ("[1]", "%[1]")),
                       ("setCatRowAsc", ("[%[1] [2]]",)), ("setCatRowAsc", ("(0 %[1])",)),
                       ("setSplitAt", (1, "[1]"))]:
        fallback(name, *args)


def test_lazy_pairs_are_built_only_from_evaluated_arguments():
    # the legal result is a pair of thunks: nothing to force, so the jet
    # leaves unevaluated arguments to the legal code
    fallback("setSplitAt", f"({ID} 1)", "%[1 2]")
    fallback("setSplitAt", 1, f"({ID} %[1 2])")
    fallback("setSplitLT", f"({ID} 1)", "%[1 2]")
    fallback("tabSplitAt", f"({ID} 1)", "#[1=2]")
    fallback("tabSplitLT", 1, f"({ID} #[1=2])")

# ----- tabs -------------------------------------------------------------------------------------


@settings(deadline=None)
@given(tabs, tabs)
def test_tab_weld_is_left_biased(a, b):
    assert S("tabWeld", F(tab_text(a)), F(tab_text(b))) == shown(tab_text({**b, **a}))


@settings(deadline=None)
@given(st.lists(st.tuples(st.integers(0, 20), st.integers(0, 9)), max_size=12))
def test_tab_from_pairs_keeps_the_last_value(pairs):
    text = "[" + " ".join(pair_text(k, v) for k, v in pairs) + "]"
    assert S("tabFromPairs", text) == shown(tab_text(dict(pairs)))


@settings(deadline=None)
@given(tabs)
def test_tab_conversions(d):
    t = F(tab_text(d))
    items = sorted(d.items())
    assert S("tabToPairs", t) == shown("[" + " ".join(pair_text(k, v) for k, v in items) + "]")
    lst, keys_lst = "0", "0"
    for k, v in reversed(items):
        lst = pair_text(pair_text(k, v), lst)
        keys_lst = pair_text(k, keys_lst)
    assert S("tabToPairList", t) == shown(lst)
    assert S("_TabKeysList", t) == shown(keys_lst)


@settings(deadline=None)
@given(tabs, counts, st.integers(0, 32))
def test_tab_splits(d, n, k):
    items = sorted(d.items())
    cut = min(n, len(items))
    t = F(tab_text(d))
    assert S("tabSplitAt", n, t) == shown(pair_text(tab_text(dict(items[:cut])), tab_text(dict(items[cut:]))))
    lo = {a: b for a, b in items if a < k}
    hi = {a: b for a, b in items if a >= k}
    assert S("tabSplitLT", k, t) == shown(pair_text(tab_text(lo), tab_text(hi)))


@settings(deadline=None)
@given(tabs, st.integers(0, 32))
def test_tab_switch(d, k):
    assert J("tabSwitch", k, 99, F(tab_text(d))).nat == d.get(k, 99)


def test_tab_edges():
    assert S("_MkTab", "[1 2]", "[3 4]") == "#[1=3 2=4]"
    assert S("_MkTab", "[]", "[]") == "#[]"
    assert S("isTab", J("_MkTab", "[2 1]", "[3 4]").force()) == "0"
    assert S("_Len", J("_MkTab", "[1]", CRASH)) == "1"           # the values stay lazy
    assert S("tabSwitch", CRASH, 5, F("#[]")) == "5"             # key looked at only if needed
    assert S("tabSwitch", 1, CRASH, F("#[1=2]")) == "2"          # the fallback stays lazy
    assert S("tabSwitch", "[1]", 7, F("#[1=2]")) == "7"
    # a nat reads as [0 0], a closure gives idx 0 and idx 1 (from the right)
    assert S("tabFromPairs", "[7 [2] (0 5 4) [3 9]]") == "#[0=0 2=0 3=9 4=5]"
    assert S("tabFromPairs", "[]") == "#[]" and S("tabFromPairs", 5) == "#[]"
    assert S("tabFromPairs", f"[[[1 2] 3] [({ID} [1 2]) 4]]") == "({1 2 [[1 2]]} [4])"
    assert S("tabToPairList", F("#[]")) == "0" and S("tabToPairs", F("#[]")) == "[]"


def test_tab_from_pairs_forces_pairs_and_keys_in_order():
    with pytest.raises(plan.PlanCrash) as e:
        J("tabFromPairs", "[[1 2] (9 9) [(7 7) 0]]")
    assert e.value.op == 9
    with pytest.raises(plan.PlanCrash) as e:
        J("tabFromPairs", "[[1 2] [(7 7) 0] (9 9)]")
    assert e.value.op == 7
    assert S("_Len", J("tabFromPairs", f"[[1 {CRASH}]]")) == "1"   # values stay lazy


def test_tab_jets_fall_back_outside_tabs():
    tab = F("#[1=2]")
    for name, args in [("tabWeld", (tab, "%[1]")), ("tabToPairs", ("[1]",)),
                       ("tabToPairList", (5,)), ("_TabKeysList", ("%[1]",)),
                       ("tabSwitch", (1, 2, "[1]")), ("tabSplitAt", (1, "[1]")),
                       ("tabSplitLT", (1, "%[1]")), ("tabWeld", (tab, F("({1 2 [1]} [1 2])")))]:
        fallback(name, *args)


def test_a_tab_whose_value_row_is_not_evaluated_yet():
    lazy_tab = "#[1=2 3=4]"                     # read, not forced: the values are a thunk
    assert S("tabToPairs", lazy_tab) == "[[1 2] [3 4]]"
    assert S("tabWeld", lazy_tab, "#[0=9]") == "#[0=9 1=2 3=4]"
    assert S("tabSwitch", 3, 7, lazy_tab) == "4"
    # the values are needed only when the key is there
    assert S("tabSwitch", 2, 7, f"({{1 2 [1 3]}} {CRASH})") == "7"
    with pytest.raises(plan.PlanCrash):
        J("tabSwitch", 3, 7, f"({{1 2 [1 3]}} {CRASH})")


def test_tab_keys_list_looks_at_the_keys_only():
    assert S("_TabKeysList", f"({{1 2 [1 3]}} {CRASH})") == "[1 [3 0]]"
    fallback("tabToPairList", f"({{1 2 [1 3]}} {CRASH})")      # its values are needed
    fallback("_TabKeysList", "(0 %[1] 2)")


def test_take_of_a_non_nat_takes_everything():
    # take cuts at (min n len), and a non-nat is above every nat in _Cmp;
    # drop drops NAT(n), nothing
    assert S("take", F("[0]"), "[1 2]") == "[1 2]"
    assert S("drop", F("[0]"), "[1 2]") == "[1 2]"
    assert S("barTake", F("[0]"), 'b#"ab"') == 'b#"ab"'
    assert S("barDrop", F("[0]"), 'b#"ab"') == 'b#"ab"'
    assert S("_BarSliceToNat", 1, F("[0]"), 'b#"abc"') == '"bc"'
    assert S("setTake", F("[0]"), "%[1 2]") == "%[1 2]"
    assert S("setSplitAt", F("[0]"), F("%[1 2]")) == "[%[1 2] %[1 2]]"
    assert S("tabSplitAt", F("{1 1 1}"), F("#[1=2]")) == "[#[1=2] #[1=2]]"
    with pytest.raises(plan.PlanCrash):                   # min normalizes n
        J("take", f"[{CRASH}]", "[1 2]")


# ----- keys of any shape, ordered by the oracle's _Cmp -------------------------------------

from functools import cmp_to_key                       # noqa: E402

from pallas_kernel.plan import notation                 # noqa: E402
from pallas_kernel.plan.reference import oracle            # noqa: E402


any_keys = st.recursive(
    st.one_of(st.integers(0, 4).map(str), st.sampled_from(["{1 2 0}", "{2 1 5}", "<3>", "<[1]>", "(0 1)"])),
    lambda k: st.lists(k, min_size=1, max_size=3).map(lambda xs: "[" + " ".join(xs) + "]"),
    max_leaves=4)
_ORDER = cmp_to_key(lambda a, b: oracle.compare(notation.read(a), notation.read(b)) - 1)


def canon(texts):
    """Sorted in the _Cmp order, without duplicates (the keys of a set)."""
    out = []
    for t in sorted(texts, key=_ORDER):
        if not out or _ORDER(out[-1]) != _ORDER(t):
            out.append(t)
    return out


def aset(texts):
    return F("%[" + " ".join(canon(texts)) + "]")


def member(t, texts):
    return any(_ORDER(t) == _ORDER(u) for u in texts)


@settings(deadline=None, max_examples=60)
@given(st.lists(any_keys, max_size=6), st.lists(any_keys, max_size=6))
def test_set_algebra_on_keys_of_any_shape(a, b):
    sa, sb = aset(a), aset(b)
    assert S("isSet", sa) == "1"
    assert plan.show(J("setWeld", sa, sb)) == plan.show(aset(a + b))
    assert plan.show(J("setIntersect", sa, sb)) == plan.show(aset([t for t in b if member(t, a)]))
    assert plan.show(J("setSub", sa, sb)) == plan.show(aset([t for t in a if not member(t, b)]))


@settings(deadline=None, max_examples=60)
@given(any_keys, st.lists(any_keys, max_size=8))
def test_bsearch_and_split_on_keys_of_any_shape(key, keys):
    ks = canon(keys)
    below = [t for t in ks if _ORDER(t) < _ORDER(key)]
    found = member(key, ks)
    assert J("bsearch", F(key), F("[" + " ".join(ks) + "]")).nat == 2 * len(below) + found
    rest = [t for t in ks if not _ORDER(t) < _ORDER(key)]
    assert plan.show(J("setSplitLT", F(key), aset(ks))) == plan.show(
        F("[%[" + " ".join(below) + "] %[" + " ".join(rest) + "]]"))


@settings(deadline=None, max_examples=60)
@given(st.lists(st.tuples(any_keys, st.integers(0, 9)), max_size=8))
def test_tab_from_pairs_on_keys_of_any_shape(pairs):
    last = {}
    for k, v in pairs:
        last[next((u for u in last if _ORDER(u) == _ORDER(k)), k)] = v
    keys = canon(list(last))
    expected = "({1 2 [" + " ".join(keys) + "]} [" + " ".join(str(last[k]) for k in keys) + "])"
    text = "[" + " ".join(f"[{k} {v}]" for k, v in pairs) + "]"
    assert plan.show(J("tabFromPairs", text)) == plan.show(F(expected))

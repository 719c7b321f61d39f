"""Native jets tested directly against their documented meaning (through the
call_jet hook, since no compiler yet produces the pins they attach to)."""

import pytest
from hypothesis import given, strategies as st

from pallas_kernel import _core, plan
from pallas_kernel.errors import PlanCrash

from helpers.jet_calls import F, J, S

pytestmark = pytest.mark.core  # run again by `make stress`

nats = st.one_of(st.integers(0, 300), st.integers(0, 2 ** 200))


@given(nats, nats)
def test_arithmetic_meanings(x, y):
    assert _core.call_jet("_Add", x, y).nat == x + y
    assert _core.call_jet("_Sub", x, y).nat == max(0, x - y)
    assert _core.call_jet("_Mul", x, y).nat == x * y
    assert _core.call_jet("_Div", x, y).nat == (x // y if y else 0)
    assert _core.call_jet("_Mod", x, y).nat == (x % y if y else x)


def test_non_nats_count_as_zero():
    app = plan.read("(0 0)")
    assert _core.call_jet("_Add", app, 5).nat == 5
    assert _core.call_jet("_Mul", 5, app).nat == 0
    assert _core.call_jet("_ToNat", app).nat == 0
    assert _core.call_jet("_IsNat", app).nat == 0
    assert _core.call_jet("_IsNat", 2 ** 100).nat == 1


def test_if_is_lazy_in_the_branch_not_taken():
    crash = plan.read("(9 9)")
    assert _core.call_jet("_If", 1, 7, crash).nat == 7
    assert _core.call_jet("_If", 0, crash, 8).nat == 8


def test_times_and_force():
    assert _core.call_jet("_Times", 3, 10, 5).nat == 15
    assert _core.call_jet("_Times", 3, 10, 0).nat == 10
    assert plan.show(_core.call_jet("_Force", plan.read("[(3 1)]"))) == "[2]"


def test_small_and_big_boundaries():
    top = 2 ** 63 - 1
    assert _core.call_jet("_Add", top, 1).nat == 2 ** 63
    assert _core.call_jet("_Sub", 2 ** 63, 1).nat == top
    assert _core.call_jet("_Mul", 2 ** 32, 2 ** 32).nat == 2 ** 64
    assert _core.call_jet("_Div", 2 ** 64, 2 ** 64).nat == 1


def test_a_crashing_argument_crashes_the_jet():
    with pytest.raises(plan.PlanCrash):
        _core.call_jet("_Add", 1, plan.read("(7 7)"))


def test_unknown_jet_and_wrong_arity():
    with pytest.raises(KeyError):
        _core.call_jet("_Nope", 1)
    with pytest.raises(TypeError):
        _core.call_jet("_Add", 1)


@pytest.mark.parametrize("name, args, expected", [
    ("_Seq", (1, 7), "7"),
    ("_IsPin", ("<1>",), "1"), ("_IsPin", (1,), "0"),
    ("_IsLaw", ("{1 1 1}",), "1"), ("_IsLaw", ("[1]",), "0"),
    ("_IsApp", ("[1]",), "1"), ("_IsApp", ("{1 1 1}",), "0"),
    ("_PlanTag", ("<1>",), "0"), ("_PlanTag", ("{1 1 1}",), "1"),
    ("_PlanTag", ("(0 1)",), "2"), ("_PlanTag", (5,), "3"),
    ("_PinItem", ("<[1]>",), "[1]"), ("_PinItem", (5,), "0"),
    ("_LawName", ("{7 2 3}",), "7"), ("_LawArgs", ("{7 2 3}",), "2"),
    ("_LawBody", ("{7 2 3}",), "3"), ("_LawBody", ("(0 1)",), "0"),
    ("_LawName", ("[]",), "0"), ("_LawArgs", ("[]",), "1"),
    ("_Car", ("<1>",), "4"), ("_Car", ("{7 2 3}",), "(0 7 2)"),
    ("_Car", ("(0 1 2)",), "(0 1)"), ("_Car", ("(0 1)",), "0"), ("_Car", (9,), "0"),
    ("_Car", ("[5 6]",), "({0 3 0} 6)"),
    ("_Cdr", ("<1>",), "1"), ("_Cdr", ("{7 2 3}",), "3"), ("_Cdr", ("(0 1 2)",), "2"),
    ("_Cdr", ("[5 6]",), "5"), ("_Cdr", (9,), "0"),
    ("_Eqz", (0,), "1"), ("_Eqz", (3,), "0"), ("_Eqz", ("(0 0)",), "0"),
    ("_Not", (0,), "1"), ("_Not", (5,), "0"), ("_Not", ("(0 0)",), "1"),
    ("_Bit", (5,), "1"), ("_Bit", ("(0 0)",), "0"),
    ("_And", (1, 2), "1"), ("_And", (1, 0), "0"), ("_And", (0, "(9 9)"), "0"),
    ("_Or", (0, 2), "1"), ("_Or", (0, 0), "0"), ("_Or", (3, "(9 9)"), "1"),
    ("_Xor", (1, 0), "1"), ("_Xor", (2, 3), "0"),
    ("_Cmp", (1, 2), "0"), ("_Cmp", ("[1 2]", "[1 2]"), "1"), ("_Cmp", ("(0 1)", 9), "2"),
    ("_Eql", ("[1 (3 1)]", "[1 2]"), "1"), ("_Neq", (1, 1), "0"),
    ("_Lth", (1, 2), "1"), ("_Lte", (2, 2), "1"), ("_Gth", ("<0>", 5), "1"), ("_Gte", (1, 2), "0"),
    ("_Min", ("[1]", 3), "3"), ("_Max", ("[1]", 3), "[1]"),
])
def test_core_jets(name, args, expected):
    assert S(name, *args) == expected


@pytest.mark.parametrize("name, args, expected", [
    ("_Dec", (0,), "0"), ("_Dec", (2 ** 63,), str(2 ** 63 - 1)), ("_Dec", ("(0 0)",), "0"),
    ("_DivMod", (17, 5), "(0 3 2)"), ("_DivMod", (17, 0), "(0 0 17)"),
    ("_Bex", (0,), "1"), ("_Bex", (70,), str(2 ** 70)),
    ("_Lsh", (3, 2), "12"), ("_Lsh", (1, 100), str(2 ** 100)), ("_Lsh", (0, 2 ** 80), "0"),
    ("_Rsh", (2 ** 100, 99), "2"), ("_Rsh", (5, 64), "0"), ("_Rsh", (5, 2 ** 80), "0"),
    ("_Dis", (5, 2), "7"), ("_Con", (6, 3), "2"), ("_Mix", (6, 3), "5"),
    ("_Dis", (2 ** 100, 1), str(2 ** 100 + 1)), ("_Con", (2 ** 100 + 3, 6), "2"),
    ("_Met", (0,), "0"), ("_Met", (255,), "8"), ("_Met", (2 ** 100,), "101"),
    ("_PopCount", (7,), "3"), ("_PopCount", (2 ** 100 + 1,), "2"),
    ("_Trunc", (4, 255), "15"), ("_Trunc", (100, 5), "5"), ("_Trunc", (64, 2 ** 64 + 3), "3"),
    ("_BitSlice", (4, 4, 255), "15"), ("_BitSlice", (100, 8, 2 ** 101), "2"),
    ("_TestBit", (3, 8), "1"), ("_TestBit", (2, 8), "0"), ("_TestBit", (100, 2 ** 100), "1"),
    ("_SetBit", (2, 8), "12"), ("_SetBit", (3, 8), "8"),
    ("_ClearBit", (3, 12), "4"), ("_ClearBit", (0, 12), "12"),
])
def test_nat_jets(name, args, expected):
    assert S(name, *args) == expected


@pytest.mark.parametrize("name, args, expected", [
    ("_Len", ("[1 2 3]",), "3"), ("_Len", ("[]",), "0"), ("_Len", (5,), "0"),
    ("_Len", ("#[1=2 3=4]",), "1"),
    ("_Get", ("[5 6 7]", 0), "5"), ("_Get", ("[5 6 7]", 2), "7"), ("_Get", ("[5 6 7]", 3), "0"),
    ("_Get", ("[5]", 2 ** 70), "0"), ("_Idx", (1, "[5 6 7]"), "6"), ("_Idx", (0, "[]"), "0"),
    ("_Get", ("[(9 9) 6]", 1), "6"),                      # elements are not forced
    ("_Switch", (1, 99, "[5 6]"), "6"), ("_Switch", (2, 99, "[5 6]"), "99"),
    ("_Put", ("[5 6]", 1, 9), "[5 9]"), ("_Put", ("[5 6]", 2, 9), "[5 6]"),
    ("_Mut", (0, 9, "[5 6]"), "[9 6]"),
    ("_Weld", ("[1 2]", "[3]"), "[1 2 3]"), ("_Weld", ("[]", "[]"), "[]"),
    ("_Weld", ("[]", "[4]"), "[4]"),
    ("_Map", ("(3)", "[1 2]"), "[2 3]"), ("_Map", ("(3)", "[]"), "[]"),
    ("_Rev", ("[1 2 3]",), "[3 2 1]"), ("_Rev", ("[]",), "[]"),
    ("rowCons", (0, "[1 2]"), "[0 1 2]"), ("rowCons", (0, "[]"), "[0]"),
    ("rowSnoc", ("[1 2]", 3), "[1 2 3]"),
    ("_IsRow", ("[1]",), "1"), ("_IsRow", ("[]",), "1"), ("_IsRow", ("(0 1)",), "0"),
    ("_IsCow", ("{0 3 0}",), "1"), ("_IsCow", ("[]",), "1"),   # legally: a law named 0 with body 0
])
def test_row_jets(name, args, expected):
    assert S(name, *args) == expected


def test_row_jets_fall_back_outside_rows():
    with pytest.raises(NotImplementedError):
        J("_Weld", "(0 1)", "[1]")


def test_mul_looks_at_x_only_when_y_is_not_zero():
    assert J("_Mul", "(9 9)", 0).nat == 0
    with pytest.raises(plan.PlanCrash):
        J("_Mul", "(9 9)", 2)


def test_huge_shift_is_an_error_not_a_crash_of_the_process():
    with pytest.raises(MemoryError):
        J("_Lsh", 1, 2 ** 80)


def test_trace_goes_to_the_callback():
    seen = []
    _core.set_trace(lambda v: seen.append(plan.show(v)))
    try:
        assert J("_Trace", "[(3 1)]", 5).nat == 5
    finally:
        _core.set_trace(None)
    assert seen == ["[2]"]


@pytest.mark.parametrize("name, args, expected", [
    ("_DataTag", (7,), "7"), ("_DataTag", ("[5 6]",), "5"), ("_DataTag", ("(0 1 2)",), "2"),
    ("_DataTag", ("{1 1 1}",), "0"), ("_DataTag", ("<1>",), "0"),
    ("_TypeTag", ("<1>",), "0"), ("_TypeTag", ("{5 1 1}",), "1"), ("_TypeTag", ("(0 1)",), "2"),
    ("_TypeTag", (9,), "3"), ("_TypeTag", ('b#"x"',), "4"), ("_TypeTag", ("[1]",), "5"),
    ("_TypeTag", ("[]",), "5"), ("_TypeTag", (plan.read("#[1=2]").force(),), "6"), ("_TypeTag", ("{0 3 0}",), "7"),
    ("_TypeTag", ("%[1 2]",), "8"), ("_TypeTag", ("%[2 1]",), "1"),
    ("_PlanHash", ("[3 (3 3)]",), "x#c19ce7d1d4adf1133b691f269bf2ee1c47f020382d0a1fd065ab715350672572"),
    ("_PinHash", (5,), "0"),
    ("isBar", ('b#"x"',), "1"), ("isBar", ("{1 1 2}",), "0"), ("isBar", ('b#""',), "1"),
    ("natBar", (0,), 'b#""'), ("natBar", (0x6968,), 'b#"hi"'), ("natBar", ("(0 0)",), 'b#""'),
    ("barNat", ('b#"hi"',), '"hi"'), ("barNat", ("x#0000",), "0"),
    ("barLen", ("x#0000",), "2"), ("barIsEmpty", ('b#""',), "1"), ("barIsEmpty", ('b#"a"',), "0"),
    ("barIdx", (1, 'b#"hi"'), str(ord("i"))), ("barIdx", (2, 'b#"hi"'), "0"),
    ("barTake", (1, 'b#"hi"'), 'b#"h"'), ("barTake", (9, 'b#"hi"'), 'b#"hi"'),
    ("barDrop", (1, 'b#"hi"'), 'b#"i"'), ("barDrop", (2 ** 70, 'b#"hi"'), 'b#""'),
    ("barWeld", ('b#"h"', "x#00"), "x#6800"), ("barWeld", ('b#""', 'b#""'), 'b#""'),
])
def test_data_jets(name, args, expected):
    assert S(name, *args) == expected


def test_pin_hash_jet_is_the_pin_hash():
    p = plan.read('<{"_ToNat" 1 (0 (2 0 3) 1)}>')
    assert S("_PinHash", p) == "x#" + p.pin_hash().hex()


def test_type_tag_of_a_tab_with_unevaluated_values_runs_the_legal_code():
    with pytest.raises(NotImplementedError):
        J("_TypeTag", "#[1=2]")


def test_bar_jets_fall_back_on_non_bars():
    for name, args in [("barNat", (5,)), ("barLen", ("[1]",)), ("barIdx", (0, 3)),
                       ("barWeld", ('b#"a"', 1)), ("barTake", (1, 1))]:
        with pytest.raises(NotImplementedError):
            J(name, *args)


@pytest.mark.parametrize("name, args, expected", [
    ("isSet", ("%[1 2]",), "1"), ("isSet", ("{1 2 [2 1]}",), "0"), ("isSet", ("[1]",), "0"),
    ("setSing", ("(3 4)",), "%[5]"), ("setLen", ("%[1 2 7]",), "3"), ("setLen", ("%[]",), "0"),
    ("setHas", (2, "%[1 2]"), "1"), ("setHas", (3, "%[1 2]"), "0"), ("setHas", ("[1]", "%[1 2]"), "0"),
    ("setIns", (0, "%[1 2]"), "%[0 1 2]"), ("setIns", (2, "%[1 2]"), "%[1 2]"),
    ("setIns", (5, "%[]"), "%[5]"), ("setDel", (1, "%[1 2]"), "%[2]"), ("setDel", (7, "%[1 2]"), "%[1 2]"),
    ("setMin", ("%[4 9]",), "4"), ("setMin", ("%[]",), "0"),
    ("isTab", ("#[1=2]",), "1"), ("isTab", ("%[1]",), "0"),
    ("tabSing", (1, "(3 1)"), "#[1=2]"),
    ("_TabLen", ("#[1=2 5=6]",), "2"), ("_TabKeys", ("#[1=2 5=6]",), "%[1 5]"),
    ("_TabVals", ("#[1=2 5=6]",), "[2 6]"), ("_TabKeysRow", ("#[1=2 5=6]",), "[1 5]"),
    ("tabMinKey", ("#[3=2 5=6]",), "3"), ("tabMinKey", ("#[]",), "0"),
    ("tabIdx", (5, "#[1=2 5=6]"), "6"), ("tabIdx", (4, "#[1=2 5=6]"), "0"),
    ("_TabHas", (1, "#[1=2]"), "1"), ("_TabHas", (0, "#[1=2]"), "0"),
    ("_TabLookup", (1, "#[1=2]"), "(0 2)"), ("_TabLookup", (0, "#[1=2]"), "0"),
    ("tabElemIdx", (1, "#[1=2 5=6]"), "[5 6]"), ("tabElemIdx", (2, "#[1=2 5=6]"), "0"),
    ("tabIns", (3, 9, "#[1=2 5=6]"), "#[1=2 3=9 5=6]"), ("tabIns", (5, 9, "#[1=2 5=6]"), "#[1=2 5=9]"),
    ("tabIns", (0, 9, "#[]"), "#[0=9]"),
])
def test_set_and_tab_jets(name, args, expected):
    xs = [F(a) if isinstance(a, str) else a for a in args]
    assert plan.show(_core.call_jet(name, *xs)) == expected


@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 9)), max_size=30))
def test_tab_insertion_agrees_with_a_dict(pairs):
    tab, model = F("#[]"), {}
    for k, v in pairs:
        tab = _core.call_jet("tabIns", k, v, tab)
        model[k] = v
    for k in range(41):
        assert _core.call_jet("tabIdx", k, tab).nat == model.get(k, 0)
    assert plan.show(tab) == "#[" + " ".join(f"{k}={model[k]}" for k in sorted(model)) + "]"
    assert tab.shape == "tab"


def test_sum():
    assert J("sum", F("[1 2 (0 0) 3]")).nat == 6
    assert J("sum", F("[]")).nat == 0
    assert J("sum", F(f"[{2**64} {2**64}]")).nat == 2 ** 65
    with pytest.raises(NotImplementedError):
        J("sum", "[(3 1)]")            # an unevaluated element: the legal code's job


@pytest.mark.parametrize("name, args, expected", [
    ("take", (2, "[1 2 3]"), "[1 2]"), ("take", (9, "[1 2]"), "[1 2]"), ("take", (0, "[1]"), "[]"),
    ("drop", (2, "[1 2 3]"), "[3]"), ("drop", (2 ** 70, "[1 2]"), "[]"),
    ("zip", ("[1 2 3]", "[4 5]"), "[[1 4] [2 5]]"), ("zip", ("[]", "[4]"), "[]"),
    ("cat", ("[[1] [] [2 3]]",), "[1 2 3]"), ("cat", ("[]",), "[]"),
    ("isDigit", (ord("7"),), "1"), ("isDigit", (ord("a"),), "0"), ("isDigit", ("[1]",), "0"),
    ("implode", (f"[{ord('h')} {ord('i')}]",), '"hi"'), ("implode", ("[]",), "0"),
    ("par", ("(9 9)", 5), "5"), ("pseq", (1, 5), "5"),
    ("setIsEmpty", ("%[]",), "1"), ("setIsEmpty", ("%[1]",), "0"),
    ("_TabIsEmpty", ("#[]",), "1"), ("_TabIsEmpty", ("#[1=1]",), "0"),
])
def test_more_jets(name, args, expected):
    xs = [F(a) if isinstance(a, str) and name != "par" else (plan.read(a) if isinstance(a, str) else a)
          for a in args]
    assert plan.show(_core.call_jet(name, *xs)) == expected


def test_implode_falls_back_outside_bytes():
    with pytest.raises(NotImplementedError):
        J("implode", F("[0 1]"))


def test_every_native_is_named_in_the_reference_table_or_ours():
    """Natives serve the reference's table, plus the few our own library
    adds (plan.LIBRARY_NATIVES), which the reference's table must not name."""
    names = {name for name, _ in plan.reference_jet_table()}
    assert set(_core.native_jets()) <= names | plan.LIBRARY_NATIVES
    assert not names & plan.LIBRARY_NATIVES
    assert len(_core.native_jets()) == len(set(_core.native_jets()))


def test_sort_orders_rows_by_cmp():
    assert S("sort", "[3 1 2 [1] 0 {1 2 3} 5 1]") == "[0 1 1 2 3 5 {1 2 3} [1]]"
    assert S("sort", "[]") == "[]" and S("sort", "[[2] [1 0]]") == "[[2] [1 0]]"


def test_sort_falls_back_outside_rows():
    with pytest.raises(NotImplementedError):
        J("sort", "5")


# --- comparison forces what it looks at, as the legal _Cmp does ----------------------------------

def test_compare_of_cyclic_values_that_differ_early():
    # rep x = the row [x, rep x] built as a cycle (a let that contains itself);
    # the first argument compared is x, so rep 1 < rep 2 without normalizing
    rep = plan.read("{0 1 (1 (0 (0 {0 3 0} 1) 2) 2)}")
    assert _core.call_jet("_Cmp", rep.apply(1), rep.apply(2)).nat == 0
    assert _core.call_jet("_Cmp", rep.apply(3), rep.apply(2)).nat == 2
    assert _core.call_jet("_Eql", rep.apply(1), rep.apply(2)).nat == 0


def test_compare_forces_parts_in_the_legal_order():
    less = _core.call_jet("_Cmp", plan.read("({0 3 0} 1 (9 0))"), plan.read("({0 3 0} 2 (8 0))"))
    assert less.nat == 0                       # decided before the crashing parts
    with pytest.raises(PlanCrash) as e:
        _core.call_jet("_Cmp", plan.read("({0 3 0} (9 0) 1)"), plan.read("({0 3 0} (8 0) 1)"))
    assert e.value.op == 9                     # x's part before y's


@pytest.mark.parametrize("n", [3, 40, 300])
def test_compare_of_long_lazy_rows(n):
    # rows of n unevaluated elements (3 k): past 32 restarts both sides are normalized
    def row(last):
        items = " ".join(f"(3 {k})" for k in range(n - 1)) + f" (3 {last})"
        return plan.read("({0 %d 0} %s)" % (n + 1, items))
    assert _core.call_jet("_Cmp", row(5), row(5)).nat == 1
    assert _core.call_jet("_Cmp", row(5), row(7)).nat == 0
    assert _core.call_jet("_Lth", row(7), row(5)).nat == 0


def test_clear_bit_gives_back_a_value_whose_bit_is_not_set_as_it_was():
    # legally: if (testBit i v) (mix v (bex i)) v, so a non-nat comes back unchanged
    assert _core.call_jet("_ClearBit", 1, 6).nat == 4
    assert _core.call_jet("_ClearBit", 0, 6).nat == 6
    assert plan.show(_core.call_jet("_ClearBit", 0, plan.read("[3 1]"))) == "[3 1]"
    assert plan.show(_core.call_jet("_ClearBit", 2, plan.read("<7>"))) == "<7>"


def test_the_empty_row_is_a_cow_and_a_row():
    # legally a cow is a law named 0 with body 0, and {0 1 0} is one
    assert _core.call_jet("_IsCow", plan.read("[]")).nat == 1
    assert _core.call_jet("_IsCow", plan.read("{0 3 0}")).nat == 1
    assert _core.call_jet("_IsCow", plan.read("{1 3 0}")).nat == 0
    assert _core.call_jet("_IsRow", plan.read("[]")).nat == 1


def test_strcat_joins_the_bytes_of_nats():
    big = 10 ** 30
    got = plan.to_bytes(J("strCat", F('[\"ab\" 0 \"c\" {1 2 3} \"\" %d]' % big)))
    assert got == b"abc" + big.to_bytes(13, "little")
    assert S("strCat", F("[]")) == "0"


def test_strcat_falls_back_outside_rows():
    with pytest.raises(NotImplementedError):
        J("strCat", "7")

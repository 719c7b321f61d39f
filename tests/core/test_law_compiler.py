"""The law compiler: control flow in result position, direct calls, and the
same answers with jets on and off."""

import pytest

from pallas_kernel import plan
from pallas_kernel.errors import PlanCrash

from helpers.hand_laws import IF, NFIB, accept, py_nfib, value

pytestmark = pytest.mark.core  # run again by `make stress`

accept()


def test_hand_built_laws_get_their_jets():
    from helpers.hand_laws import DEC, LTH, SUB
    assert all(value(t).has_jet for t in (DEC, SUB, LTH, IF))


@pytest.mark.parametrize("n", [0, 1, 2, 5, 12])
def test_nfib_agrees_with_python_jetted_and_not(n):
    nfib = value(NFIB)
    assert nfib.apply(n).nat == py_nfib(n)
    with plan.jets_enabled(False):
        assert value(NFIB).apply(n).nat == py_nfib(n)


def law_with_if(cond: str, then: str, other: str) -> str:
    """{0 1 (IF cond then else)} with its parts as code (slot 1 = the argument)."""
    return f"{{0 1 (0 (0 (0 {IF} {cond}) {then}) {other})}}"


@pytest.mark.parametrize("arg, expected", [(1, 7), (0, 8), ("(0 0)", 8), ("<1>", 8)])
def test_if_in_result_position(arg, expected):
    f = plan.read(law_with_if("1", "(2 7)", "(2 8)"))
    x = plan.read(arg) if isinstance(arg, str) else arg
    assert f.apply(x).nat == expected


def test_branch_not_taken_is_not_evaluated():
    f = plan.read(law_with_if("1", "(2 7)", "(0 (2 9) (2 9))"))   # else: (9 9) crashes
    assert f.apply(1).nat == 7
    with pytest.raises(PlanCrash) as e:
        f.apply(0).nat
    assert e.value.op == 9


def test_a_crashing_condition_crashes():
    f = plan.read(law_with_if("(0 (2 9) 1)", "(2 7)", "(2 8)"))    # cond: (9 x)
    with pytest.raises(PlanCrash) as e:
        f.apply(4).nat
    assert e.value.op == 9 and e.value.value.nat == 4


def test_nested_ifs_and_a_thunk_condition():
    # f x = if x (if (3 x) 5 6) 7 ; the inner condition is a call evaluated in place
    inner = f"(0 (0 (0 {IF} (0 3 1)) (2 5)) (2 6))"
    f = plan.read(law_with_if("1", inner, "(2 7)"))
    assert [f.apply(i).nat for i in (0, 1, 2)] == [7, 5, 5]


def test_deep_self_recursion():
    # count n = if n (count (n-1)) 0, with the hand-built _Dec: a loop of 10^5
    from helpers.hand_laws import DEC
    count = plan.read(f"<{{0 1 (0 (0 (0 {IF} 1) (0 0 (0 {DEC} 1))) (2 0))}}>")
    assert count.apply(100_000).nat == 0


@pytest.mark.parametrize("body, op", [
    # _Add forces y, then x: the crash in y is the one reported
    ("(0 (0 {ADD} (0 (2 9) 1)) (0 (2 8) 1))", 8),
    # nested: the inner call in y is evaluated first, its own y first again
    ("(0 (0 {ADD} (0 (2 9) 1)) (0 (0 {ADD} (0 (2 7) 1)) (0 (2 6) 1)))", 6),
    ("(0 (0 {ADD} (0 (2 9) 1)) (0 (0 {ADD} (0 (2 7) 1)) 1))", 7),
])
def test_strict_arguments_in_result_position_keep_the_legal_order(body, op):
    from helpers.hand_laws import ADD
    law = plan.read("{0 1 %s}" % body.replace("{ADD}", ADD))
    for jets in (True, False):
        with plan.jets_enabled(jets):
            with pytest.raises(PlanCrash) as e:
                law.apply(1).nat
        assert e.value.op == op


def test_strict_arguments_compute_the_same_values():
    from helpers.hand_laws import ADD
    law = plan.read("{0 1 %s}" % f"(0 (0 {ADD} (0 (0 {ADD} 1) (2 5))) (0 (0 {ADD} 1) 1))")
    assert law.apply(3).nat == 14
    with plan.jets_enabled(False):
        assert plan.read("{0 1 %s}" % f"(0 (0 {ADD} (0 (0 {ADD} 1) (2 5))) (0 (0 {ADD} 1) 1))").apply(3).nat == 14


# --- calls between compiled laws, inline arithmetic ---------------------------------------

def law2(body: str) -> plan.Value:
    """{0 2 body} with the hand laws spliced in ({ADD}, {SUB}, {LTH})."""
    from helpers.hand_laws import ADD, LTH, SUB
    return plan.read("{0 2 %s}" % body.replace("{ADD}", ADD).replace("{SUB}", SUB)
                     .replace("{LTH}", LTH))


BIG = 2**63


@pytest.mark.parametrize("x, y", [(0, 0), (3, 5), (5, 3), (BIG - 1, 0), (BIG - 1, 1),
                                  (BIG - 5, BIG - 7), (BIG, 1), (3 * BIG, BIG + 2)])
def test_inline_arithmetic_agrees_with_python_at_the_small_nat_edge(x, y):
    add = law2("(0 (0 {ADD} 1) 2)")
    sub = law2("(0 (0 {SUB} 1) 2)")
    lth = law2("(0 (0 {LTH} 1) 2)")
    nested = law2("(0 (0 {ADD} (0 (0 {SUB} 1) 2)) (0 (0 {ADD} 2) 2))")   # (x - y) + 2y
    assert add.apply(x, y).nat == x + y
    assert sub.apply(x, y).nat == max(x - y, 0)
    assert lth.apply(x, y).nat == (1 if x < y else 0)
    assert nested.apply(x, y).nat == max(x - y, 0) + 2 * y


@pytest.mark.parametrize("x, y", [(0, 0), (2, 7), (7, 2), (6, 6)])
def test_inline_arithmetic_agrees_with_the_legal_code(x, y):
    body = "(0 (0 {ADD} (0 (0 {SUB} 1) 2)) (0 (0 {LTH} 2) 1))"        # (x - y) + (y < x)
    assert law2(body).apply(x, y).nat == max(x - y, 0) + (y < x)
    with plan.jets_enabled(False):
        assert law2(body).apply(x, y).nat == max(x - y, 0) + (y < x)


def test_inline_arithmetic_on_values_that_are_not_nats_takes_the_jet():
    # _Sub reads a pin as 0, like its legal code: the inline path must not guess
    sub = law2("(0 (0 {SUB} 1) 2)")
    assert sub.apply(plan.read("<5>"), 1).nat == 0
    assert sub.apply(9, plan.read("(0 1)")).nat == 9


@pytest.mark.large
def test_a_million_deep_non_tail_recursion_between_compiled_laws():
    # sum n = if n (n + sum (n - 1)) 0, 10^6 calls deep, none in tail position
    from helpers.hand_laws import ADD, DEC
    total = plan.read(f"<{{0 1 (0 (0 (0 {IF} 1) (0 (0 {ADD} 1) (0 0 (0 {DEC} 1)))) (2 0))}}>")
    n = 1_000_000
    assert total.apply(n).nat == n * (n + 1) // 2


def test_a_crash_deep_inside_compiled_calls_leaves_the_runtime_usable():
    # down n = if n (1 + down (n - 1)) (9 n): crashes 10^4 calls deep
    from helpers.hand_laws import ADD, DEC
    down = plan.read(f"<{{0 1 (0 (0 (0 {IF} 1) (0 (0 {ADD} (2 1)) (0 0 (0 {DEC} 1)))) (0 (2 9) 1))}}>")
    for _ in range(2):
        with pytest.raises(PlanCrash) as e:
            down.apply(10_000).nat
        assert e.value.op == 9
    assert plan.read("(3 (3 1))").nat == 3


# --- _Seq and _Switch as control flow in result position -----------------------------------

SEQ = '<{"_Seq" 2 (0 (0 (0 (2 2) 2) (0 {0 2 1} 2)) 1)}>'        # 2 y (const y) x
# a stand-in accepted as _Switch: its own code crashes (9 ..), so a result
# shows that the native path or the compiled control flow gave it
SWITCH = '<{"_Switch" 3 (0 (2 9) 0)}>'


def accept_seq_and_switch() -> None:
    plan.accept_jet_hashes([("_Seq", value(SEQ).pin_hash()), ("_Switch", value(SWITCH).pin_hash())])


@pytest.mark.parametrize("first, expected", [("1", 5), ("(2 7)", 5), ("(0 (2 9) 1)", ("crash", 9)),
                                             (f"(0 (0 (0 {IF} 1) (2 1)) (0 (2 8) 1))", None)])
def test_seq_demands_its_first_argument_then_continues(first, expected):
    accept_seq_and_switch()
    src = "{0 1 (0 (0 %s %s) (2 5))}" % (SEQ, first)
    for jets in (True, False):
        with plan.jets_enabled(jets):
            law = plan.read(src)
            for x in (0, 3):
                want = expected if expected is not None else (5 if x else ("crash", 8))
                if isinstance(want, tuple):
                    with pytest.raises(PlanCrash) as e:
                        law.apply(x).nat
                    assert e.value.op == want[1]
                else:
                    assert law.apply(x).nat == want


def switch_law() -> plan.Value:
    """f x = _Switch x 100 [10 11 (9 x)], the row written out in the code."""
    accept_seq_and_switch()
    row = "(0 (0 (0 {0 4 0} (0 (2 9) 1)) (2 11)) (2 10))"
    return plan.read("{0 1 (0 (0 (0 %s 1) (2 100)) %s)}" % (SWITCH, row))


@pytest.mark.parametrize("x, expected", [(0, 10), (1, 11), (3, 100), (2**64, 100), ("<0>", 10),
                                         ("{1 1 1}", 10), ("({0 2 0} 5)", 10)])
def test_switch_on_a_row_in_the_code_jumps_to_the_case(x, expected):
    f = switch_law()
    arg = plan.read(x) if isinstance(x, str) else x
    calls = plan.stats()["jet_calls"]
    assert f.apply(arg).nat == expected
    assert plan.stats()["jet_calls"] == calls          # no call of the jet: a jump


def test_switch_builds_only_the_case_taken():
    f = switch_law()
    with pytest.raises(PlanCrash) as e:
        f.apply(2).nat                                   # case 2 is (9 x)
    assert e.value.op == 9 and e.value.value.nat == 2


def test_switch_on_a_row_value_calls_the_jet():
    accept_seq_and_switch()
    g = plan.read("{0 2 (0 (0 (0 %s 1) (2 7)) 2)}" % SWITCH)
    row = plan.read("({0 3 0} 6 5)")                      # [5 6]
    assert g.apply(1, row).nat == 6 and g.apply(2, row).nat == 7


# --- _Trace in result position ------------------------------------------------------------

TRACE = '<{"_Trace" 2 (0 (0 (0 (2 2) 2) (0 {0 2 1} 2)) 1)}>'     # a stand-in: seq
DEC_BODY = "(0 (0 (0 (2 2) (2 0)) {0 1 1}) 1)"


def traced(src_body: str, *args):
    """Apply {0 1 body} to args with _Trace accepted; (result, messages)."""
    from pallas_kernel import _core
    plan.accept_jet_hashes([("_Trace", value(TRACE).pin_hash())])
    law = plan.read("{0 1 %s}" % src_body.replace("{TRACE}", TRACE))
    seen = []
    _core.set_trace(lambda v: seen.append(plan.show(v)))
    try:
        return law.apply(*args).nat, seen
    finally:
        _core.set_trace(None)


def test_trace_in_result_position_hands_over_the_normal_form_first():
    # f x = _Trace [x (3 x)] (3 x): the message is built lazily, normalized, traced
    result, seen = traced("(0 (0 {TRACE} (0 (0 {0 3 0} (0 3 1)) 1)) (0 3 1))", 4)
    assert result == 5 and seen == ["[4 5]"]


def test_a_crashing_trace_message_crashes_before_the_rest():
    with pytest.raises(PlanCrash) as e:
        traced("(0 (0 {TRACE} (0 (2 9) 1)) (0 (2 8) 1))", 4)
    assert e.value.op == 9


def test_trace_with_jets_off_only_forces_the_message():
    with plan.jets_enabled(False):
        result, seen = traced("(0 (0 {TRACE} (0 3 1)) 1)", 4)
    assert result == 4 and seen == []


# --- _Ifz in result position -----------------------------------------------------------------

# _Ifz x t e = _If (_Eqz x) t e, written with opcode 1 and 2: only the nat 0 is zero
IFZ = ('<{"_Ifz" 3 (0 (0 (0 (0 (0 (2 1) (0 {0 2 1} 3)) (0 {0 4 1} 3)) (0 {0 3 1} 3)) '
       '(0 (0 (2 2) 2) (0 {0 2 1} 3))) 1)}>')


@pytest.mark.parametrize("x, expected", [(0, 10), (5, 20), (2**70, 20), ("<0>", 20), ("{1 1 0}", 20),
                                         ("({0 2 0} 0)", 20), ("(9 0)", ("crash", 9))])
def test_ifz_in_result_position(x, expected):
    plan.accept_jet_hashes([("_Ifz", value(IFZ).pin_hash())])
    assert value(IFZ).has_jet
    arg = plan.read(x) if isinstance(x, str) else x
    for jets in (True, False):
        with plan.jets_enabled(jets):
            # g x = _Ifz x 10 20 ; and the bare law: its legal code
            for g in (plan.read("{0 1 (0 (0 (0 %s 1) (2 10)) (2 20))}" % IFZ),
                      plan.read("{0 1 (0 (0 (0 %s 1) (2 10)) (2 20))}" % IFZ.strip("<>"))):
                if isinstance(expected, tuple):
                    with pytest.raises(PlanCrash) as e:
                        g.apply(arg).nat
                    assert e.value.op == expected[1]
                else:
                    assert g.apply(arg).nat == expected


def test_ifz_builds_only_the_branch_taken():
    plan.accept_jet_hashes([("_Ifz", value(IFZ).pin_hash())])
    f = plan.read("{0 1 (0 (0 (0 %s 1) (2 7)) (0 (2 9) 1))}" % IFZ)    # else: (9 x)
    assert f.apply(0).nat == 7
    with pytest.raises(PlanCrash) as e:
        f.apply(1).nat
    assert e.value.op == 9 and e.value.value.nat == 1

"""The law compiler: control flow in result position, direct calls, and the
same answers with jets on and off."""

import pytest

from pallas_kernel import plan
from pallas_kernel.errors import PlanCrash

from hand_laws import IF, NFIB, accept, py_nfib, value

accept()


def test_hand_built_laws_get_their_jets():
    from hand_laws import DEC, LTH, SUB
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
    from hand_laws import DEC
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
    from hand_laws import ADD
    law = plan.read("{0 1 %s}" % body.replace("{ADD}", ADD))
    for jets in (True, False):
        with plan.jets_enabled(jets):
            with pytest.raises(PlanCrash) as e:
                law.apply(1).nat
        assert e.value.op == op


def test_strict_arguments_compute_the_same_values():
    from hand_laws import ADD
    law = plan.read("{0 1 %s}" % f"(0 (0 {ADD} (0 (0 {ADD} 1) (2 5))) (0 (0 {ADD} 1) 1))")
    assert law.apply(3).nat == 14
    with plan.jets_enabled(False):
        assert plan.read("{0 1 %s}" % f"(0 (0 {ADD} (0 (0 {ADD} 1) (2 5))) (0 (0 {ADD} 1) 1))").apply(3).nat == 14

"""Native jets tested directly against their documented meaning (through the
call_jet hook, since no compiler yet produces the pins they attach to)."""

import pytest
from hypothesis import given, strategies as st

from pallas_kernel import _core, plan

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

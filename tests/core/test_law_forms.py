"""The law compiler's call forms (pk_law.h): calls whose head is a constant
(K forms), inline operations with their operands named in the instruction
(OP forms, including the fallback when the operation cannot be done inline),
opcode 2 in result position as a CASE, and tail calls that saturate a
partial application. Random law bodies are checked against a model in
Python, with jets on and (for small numbers) off."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pallas_kernel import plan

from helpers.hand_laws import ADD, LTH, SUB, accept, value

pytestmark = pytest.mark.core  # run again by `make stress`

accept()

JETS = {"add": ADD, "sub": SUB, "lth": LTH}


def nat(v) -> int:
    """NAT of a value of the model: a non-nat reads as 0."""
    return v if isinstance(v, int) else 0


def order(v):
    """_Lth compares any two values (the reference's `cmp`): nats come first."""
    return (0, v) if isinstance(v, int) else (1, 0)


# add and sub read their arguments as nats; lth compares them as they are
MODEL = {"add": lambda a, b: nat(a) + nat(b), "sub": lambda a, b: max(nat(a) - nat(b), 0),
         "lth": lambda a, b: int(order(a) < order(b))}
BIG = 2 ** 64 + 5           # beyond the small nats: the inline operation falls back
NOT_NAT = "{0 1 1}"         # a law: NAT of it is 0


# An expression: ("arg", i) | ("const", v) | ("op", name, a, b) | ("inc", a)
# | ("case", z, name, a, x): (2 z (name a) x), so a nonzero x gives (name a (x-1)).

def render(e) -> str:
    """The expression as law-body code (arguments are slots 1 and 2)."""
    kind = e[0]
    if kind == "arg":
        return str(e[1])
    if kind == "const":
        return f"(2 {e[1]})"
    if kind == "op":
        return f"(0 (0 {JETS[e[1]]} {render(e[2])}) {render(e[3])})"
    if kind == "inc":
        return f"(0 (2 3) {render(e[1])})"
    _, z, name, a, x = e
    return f"(0 (0 (0 (2 2) {render(z)}) (0 {JETS[name]} {render(a)})) {render(x)})"


def model(e, args):
    """What the expression means, in Python (nats; a non-nat reads as 0)."""
    kind = e[0]
    if kind == "arg":
        return args[e[1] - 1]
    if kind == "const":
        return e[1]
    if kind == "op":
        return MODEL[e[1]](model(e[2], args), model(e[3], args))
    if kind == "inc":
        return nat(model(e[1], args)) + 1
    _, z, name, a, x = e
    k = nat(model(x, args))
    return model(z, args) if k == 0 else MODEL[name](model(a, args), k - 1)


def exprs(nats):
    leaf = st.one_of(st.tuples(st.just("arg"), st.sampled_from([1, 2])),
                     st.tuples(st.just("const"), nats))

    def grow(sub):
        return st.one_of(
            st.tuples(st.just("op"), st.sampled_from(sorted(JETS)), sub, sub),
            st.tuples(st.just("inc"), sub),
            st.tuples(st.just("case"), sub, st.sampled_from(sorted(JETS)), sub, sub))
    return st.recursive(leaf, grow, max_leaves=8)


def run_law(e, args, jets=True):
    """The law's result: a nat, or "law" when it is the non-nat argument."""
    law = value(f"{{0 2 {render(e)}}}")
    vals = [plan.read(NOT_NAT) if a == "law" else a for a in args]
    with plan.jets_enabled(jets):
        result = law.apply(*vals)
        try:
            return result.nat
        except TypeError:
            return "law"


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(exprs(st.integers(0, 6)), st.lists(st.integers(0, 6), min_size=2, max_size=2))
def test_small_laws_agree_with_the_model_jets_on_and_off(e, args):
    expected = model(e, args)
    assert run_law(e, args) == expected
    assert run_law(e, args, jets=False) == expected


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(exprs(st.sampled_from([0, 1, 2, 2 ** 62 - 1, 2 ** 62, BIG])),
       st.lists(st.sampled_from([0, 1, 3, 2 ** 63, BIG, "law"]), min_size=2, max_size=2))
def test_big_and_non_nat_operands_fall_back_to_the_jets(e, args):
    assert run_law(e, args) == model(e, args)


def test_case_in_result_position_loops_through_a_saturated_closure():
    # count acc x = (2 acc (count (acc + 1)) x): x == 0 -> acc, else count (acc+1) (x-1).
    # The tail call saturates the partial application (count (acc + 1)).
    law = value(f'{{"count" 2 (0 (0 (0 (2 2) 1) (0 0 (0 (0 {ADD} 1) (2 1)))) 2)}}')
    assert law.apply(5, 100_000).nat == 100_005
    with plan.jets_enabled(False):
        assert law.apply(5, 300).nat == 305


def test_case_on_a_constant_partial_call_and_a_non_nat():
    # (2 7 3) applied to x: x == 0 -> 7, else (3 (x-1)) = x
    law = value("{0 1 (0 (2 7 3) 1)}")
    assert [law.apply(x).nat for x in (0, 1, 9, BIG)] == [7, 1, 9, BIG]
    assert law.apply(plan.read(NOT_NAT)).nat == 7

"""Tests for the pure-Python PLAN oracle (pallas_kernel.oracle).

Covers the worked examples of pallas-plan.md 2.3, the edge cases of 1.3-1.6,
the ``_Cmp`` order (4.2 E), the hash vectors of tests/data/hashes.tsv (5.2),
and a smoke run of the random programs of tests/plan_programs.py.
"""

from __future__ import annotations

import re

import blake3
import pytest
from hypothesis import HealthCheck, given, settings

from pallas_kernel.plan.reference.oracle import (
    EQ,
    GT,
    LT,
    OracleBudget,
    OracleTooDeep,
    PlanCrash,
    PlanLoop,
    compare,
    evaluate,
    pin_hash,
    plan_hash,
    serialize,
)
from pallas_kernel.plan.tree import App, Law, Pin, Tree, apps, equal, nat_text, row, spine, text_nat

from helpers.plan_programs import ADD, CONST, IDENTITY, IF, TIMES, programs
from helpers import DATA



# --------------------------------------------------------------------------
# Helpers: a tiny notation reader and a base58 encoder
# --------------------------------------------------------------------------

_TOKEN = re.compile(r'\s*(?:(\d+)|"([^"]*)"|([A-Za-z_][A-Za-z0-9_]*)|(.))')


def read(text: str, names: dict[str, Tree] | None = None) -> Tree:
    """Read the notation of hashes.tsv: nats, "text", <x>, {n a b}, (f x), [row].

    ``<name>`` refers to a pin in ``names``.
    """
    tokens = []
    for num, string, ident, punct in _TOKEN.findall(text.strip()):
        if num:
            tokens.append(int(num))
        elif string or (not ident and not punct):
            tokens.append(text_nat(string))
        elif ident:
            tokens.append(("name", ident))
        else:
            tokens.append(punct)
    tokens.reverse()

    def parse() -> Tree:
        tok = tokens.pop()
        if isinstance(tok, int):
            return tok
        if isinstance(tok, tuple):
            return (names or {})[tok[1]]
        closer = {"(": ")", "{": "}", "[": "]", "<": ">"}[tok]
        items = []
        while tokens[-1] != closer:
            items.append(parse())
        tokens.pop()
        if tok == "(":
            return apps(*items)
        if tok == "{":
            return Law(*items)
        if tok == "[":
            return row(*items)
        (item,) = items
        return item if isinstance(item, Pin) else Pin(item)

    return parse()


_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58(data: bytes) -> str:
    """Base58 with the bitcoin alphabet (leading zero bytes become '1')."""
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = _B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def is_normal(t: Tree) -> bool:
    """True when no application in ``t`` is saturated."""

    def arity(x: Tree) -> int:
        head, args = spine(x)
        if isinstance(head, int):
            base = {0: 3, 1: 5, 2: 3}.get(head, 1)
        elif isinstance(head, Law):
            base = head.arity
        else:
            base = arity(head.item)
        return base - len(args)

    todo = [t]
    while todo:
        x = todo.pop()
        if isinstance(x, Pin):
            todo.append(x.item)
        elif isinstance(x, Law):
            todo.append(x.body)
        elif isinstance(x, App):
            if arity(x) < 1:
                return False
            todo += [x.fun, x.arg]
    return True


def crash_of(tree: Tree) -> PlanCrash:
    """The PlanCrash raised by evaluating ``tree``."""
    with pytest.raises(PlanCrash) as info:
        evaluate(tree)
    return info.value


def same(a: Tree, b: Tree) -> bool:
    return equal(a, b)


# --------------------------------------------------------------------------
# Worked examples (2.3)
# --------------------------------------------------------------------------


def test_example_a_if():
    law = IF.item
    assert same(evaluate(apps(law, 5, 7, 8)), 7)
    assert same(evaluate(apps(law, 0, 7, 8)), 8)
    assert same(evaluate(apps(IF, 1, 7, 8)), 7)
    assert same(evaluate(apps(IF, Law(0, 1, 0), 7, 8)), 8)  # non-nat counts as 0


def test_example_b_let_forward_reference():
    law = Law(0, 1, apps(1, apps(0, apps(2, 0), 3), apps(1, apps(2, 2), apps(0, 1, 2))))
    assert same(evaluate(apps(law, 1)), App(1, App(0, 2)))


def test_example_c_times_and_add():
    assert same(evaluate(apps(TIMES, 3, 0, 5)), 5)
    assert same(evaluate(apps(ADD, 3, 4)), 7)
    assert same(evaluate(apps(ADD, Law(0, 1, 0), 4)), 4)  # toNat of a law is 0
    assert same(evaluate(apps(TIMES.item, 3, 10, 3)), 13)


# --------------------------------------------------------------------------
# Opcode 0: making laws
# --------------------------------------------------------------------------


def test_arity_zero_crashes():
    err = crash_of(apps(0, 5, 0, 0))
    assert (err.op, err.value) == (0, 0)
    err = crash_of(Law(5, 0, 1))
    assert (err.op, err.value) == (0, 0)


def test_arity_checked_before_body():
    err = crash_of(apps(0, 1, 0, apps(7, 8)))
    assert (err.op, err.value) == (0, 0)


def test_name_evaluated_before_arity():
    err = crash_of(apps(0, apps(9, 1), 0, 0))
    assert (err.op, err.value) == (9, 1)


def test_name_zero_and_big_names_allowed():
    assert same(evaluate(apps(0, 0, 2, 1)), Law(0, 2, 1))
    assert same(evaluate(apps(0, 2**80, 1, 0)), Law(2**80, 1, 0))


def test_law_fields_cast_with_nat():
    assert same(evaluate(apps(0, Law(0, 1, 0), apps(3, 1), 9)), Law(0, 2, 9))
    err = crash_of(apps(0, 1, Law(0, 1, 0), 9))  # NAT(law) is 0
    assert err.op == 0


def test_body_is_normalized():
    assert same(evaluate(Law(1, 2, apps(3, 1))), Law(1, 2, 2))
    # ... and the normalized body 2 then means "argument 2".
    assert same(evaluate(apps(Law(1, 2, apps(3, 1)), 5, 6)), 6)


def test_literal_law_is_built_when_forced():
    # A Law in the input is the expression (0 n a b): checked when forced.
    assert same(evaluate(apps(CONST, 5, Law(0, 0, 0))), 5)  # never forced
    err = crash_of(apps(2, 5, 0, Law(0, 0, 0)))  # forced by NAT(x)
    assert (err.op, err.value) == (0, 0)


# --------------------------------------------------------------------------
# Opcodes 1-4 and crashing nats
# --------------------------------------------------------------------------

P, L, A, N = apps(0, 11), apps(1, 22), apps(1, 33), apps(0, 44)


def test_opcode1_pin():
    assert same(evaluate(apps(1, P, L, A, N, Pin(7))), apps(0, 11, 7))


def test_opcode1_law():
    assert same(evaluate(apps(1, P, L, A, N, Law(5, 2, 9))), apps(1, 22, 5, 2, 9))


def test_opcode1_app_splits_last_argument():
    assert same(evaluate(apps(1, P, L, A, N, apps(0, 5, 6))), apps(1, 33, App(0, 5), 6))


def test_opcode1_nat_and_thunk():
    assert same(evaluate(apps(1, P, L, A, N, 9)), apps(0, 44, 9))
    assert same(evaluate(apps(1, P, L, A, N, apps(3, 4))), apps(0, 44, 5))


def test_opcode1_row_is_its_plan_shape():
    result = evaluate(apps(1, P, L, A, N, row(7, 8)))
    assert same(result, apps(1, 33, apps(Law(0, 3, 0), 8), 7))
    assert same(evaluate(apps(1, P, L, A, N, row())), apps(1, 22, 0, 1, 0))


def test_opcode2():
    assert same(evaluate(apps(2, 7, N, 0)), 7)
    assert same(evaluate(apps(2, 7, N, 3)), apps(0, 44, 2))
    assert same(evaluate(apps(2, 7, N, Pin(5))), 7)
    assert same(evaluate(apps(2, 7, N, apps(0, 1))), 7)


def test_opcode2_branches_are_lazy():
    assert same(evaluate(apps(2, 7, apps(9, 9), 0)), 7)
    assert same(evaluate(apps(2, apps(9, 9), N, 1)), apps(0, 44, 0))


def test_opcode3():
    assert same(evaluate(apps(3, 5)), 6)
    assert same(evaluate(apps(3, 2**64 - 1)), 2**64)
    assert same(evaluate(apps(3, apps(0, 1))), 1)
    assert same(evaluate(apps(3, Law(0, 1, 0))), 1)
    assert same(evaluate(apps(3, Pin(4))), 1)


def test_opcode4_normalizes_item():
    assert same(evaluate(apps(4, apps(3, 1))), Pin(2))
    assert same(evaluate(apps(4, apps(1, apps(3, 3)))), Pin(App(1, 4)))


def test_crashing_nat_normalizes_argument():
    err = crash_of(apps(7, apps(3, 4)))
    assert (err.op, err.value) == (7, 5)
    err = crash_of(apps(5, apps(1, apps(3, 0))))
    assert err.op == 5 and same(err.value, App(1, 1))


def test_crash_inside_argument_wins():
    err = crash_of(apps(7, apps(9, 1)))
    assert (err.op, err.value) == (9, 1)
    err = crash_of(apps(7, apps(1, apps(8, 2))))  # deep inside a closure
    assert (err.op, err.value) == (8, 2)


def test_bignat_as_function_crashes():
    err = crash_of(apps(2**70, 1))
    assert (err.op, err.value) == (2**70, 1)


def test_crash_only_when_saturated():
    assert same(evaluate(7), 7)
    assert same(evaluate(apps(CONST, 3, apps(7, 1))), 3)


# --------------------------------------------------------------------------
# Laws, lets, pins, application
# --------------------------------------------------------------------------


def test_self_is_the_law_or_the_pin():
    law = Law(text_nat("me"), 1, 0)
    assert same(evaluate(apps(law, 5)), law)
    assert same(evaluate(apps(Pin(law), 5)), Pin(law))


def test_pinned_law_recursion_through_self():
    # {f 1 (2 0 0 1)}: counts its argument down to 0 by calling self.
    law = Law(1, 1, apps(0, apps(0, apps(0, apps(2, 2), apps(2, 0)), 0), 1))
    assert same(evaluate(apps(law, 5)), 0)
    assert same(evaluate(apps(Pin(law), 5)), 0)


def test_pin_holding_non_law_is_transparent():
    assert same(evaluate(apps(Pin(3), 4)), 5)
    assert same(evaluate(apps(Pin(App(0, 7)), 8, 9)), Law(7, 8, 9))
    err = crash_of(apps(Pin(7), 1))  # (7 1) crashes
    assert (err.op, err.value) == (7, 1)


def test_pin_of_pinned_law_self_is_inner_pin():
    inner = Pin(Law(1, 1, 0))
    assert same(evaluate(apps(Pin(inner), 0)), inner)


def test_pin_arity_is_item_arity():
    assert is_normal(evaluate(apps(Pin(CONST), 1)))
    assert same(evaluate(apps(Pin(App(0, 1)), 2)), apps(Pin(App(0, 1)), 2))


def test_over_application():
    assert same(evaluate(apps(IDENTITY, 3, 4)), 5)
    assert same(evaluate(apps(CONST, IDENTITY, 0, 9)), 9)
    err = crash_of(apps(3, 4, 5))  # (3 4) is 5, then (5 5) crashes
    assert (err.op, err.value) == (5, 5)


def test_partial_application_is_whnf():
    assert same(evaluate(apps(0, 1, 2)), apps(0, 1, 2))
    assert same(evaluate(apps(ADD, apps(3, 2))), App(ADD, 3))


def test_let_self_reference_is_a_loop():
    with pytest.raises(PlanLoop):
        evaluate(apps(Law(0, 1, apps(1, 2, 2)), 0))


def test_let_mutual_reference_is_a_loop():
    law = Law(0, 1, apps(1, 3, apps(1, 2, 2)))
    with pytest.raises(PlanLoop):
        evaluate(apps(law, 0))


def test_let_thunk_forcing_itself_is_a_loop():
    law = Law(0, 1, apps(1, apps(0, 3, 2), 2))  # x = (3 x)
    with pytest.raises(PlanLoop):
        evaluate(apps(law, 0))


def test_unused_let_loop_is_harmless():
    assert same(evaluate(apps(Law(0, 1, apps(1, 2, 1)), 5)), 5)


def test_let_recursion_builds_lazy_cycle():
    # x = (K 9 x): a recursive binding whose value never forces x.
    law = Law(0, 1, apps(1, apps(0, apps(0, CONST, apps(2, 9)), 2), 2))
    assert same(evaluate(apps(law, 0)), 9)


def test_cyclic_value_has_no_normal_form():
    law = Law(0, 1, apps(1, apps(0, apps(0, apps(2, 0), 1), 2), 2))  # x = (0 arg x)
    with pytest.raises(OracleBudget):
        evaluate(apps(law, 5))


def test_let_deeper_in_body_is_literal():
    law = Law(0, 1, apps(0, apps(0, apps(2, 0), 1), apps(1, 2, 3)))
    assert same(evaluate(apps(law, 7)), apps(0, 7, apps(1, 2, 3)))


def test_let_chain_only_with_exactly_two_args():
    # (1 2 3 4) has three arguments: a literal closure, not a let.
    law = Law(0, 1, apps(1, 2, 3, 4))
    assert same(evaluate(apps(law, 7)), apps(1, 2, 3, 4))


def test_code_shaped_constants_need_quotes():
    assert same(evaluate(apps(Law(0, 2, apps(2, 2)), 5, 6)), 2)
    assert same(evaluate(apps(Law(0, 2, 2), 5, 6)), 6)
    assert same(evaluate(apps(Law(0, 2, 7), 5, 6)), 7)
    assert same(evaluate(apps(Law(0, 1, CONST), 5)), CONST)
    quoted_app = Law(0, 1, apps(2, apps(0, 1, 2)))
    assert same(evaluate(apps(quoted_app, 5)), apps(0, 1, 2))
    assert same(evaluate(apps(Law(0, 1, apps(0, 1, 1)), 3)), 4)


def test_quote_with_extra_args_is_literal():
    law = Law(0, 1, apps(2, 0, 1))  # (2 0 1): two args, not a quote
    assert same(evaluate(apps(law, 5)), apps(2, 0, 1))


def test_body_app_is_lazy():
    law = Law(0, 2, apps(0, apps(0, CONST, 1), apps(0, apps(2, 9), 2)))
    assert same(evaluate(apps(law, 4, 0)), 4)  # (9 y) never forced


def test_sharing_evaluates_once():
    # (0 s s) with s = (ADD 2 3): one thunk, shared by both arguments.
    shared = apps(ADD, 2, 3)
    assert same(evaluate(apps(0, shared, shared)), apps(0, 5, 5))


def test_input_not_mutated():
    tree = apps(ADD, 2, 3)
    evaluate(tree)
    assert same(tree, apps(ADD, 2, 3))


def test_budget():
    loop = Pin(Law(1, 1, apps(0, 0, 1)))  # (f x) = (f x)
    with pytest.raises(OracleBudget):
        evaluate(apps(loop, 0), max_steps=1000)


def test_deep_evaluation():
    assert same(evaluate(apps(ADD, 5, 3000), max_steps=10**6), 3005)


def test_data_shapes_evaluate_to_themselves():
    bar, tab = Law(1, 1, 0x0102), apps(Law(1, 2, row(1)), row(9))
    for value in (row(), row(1, 2, 3), bar, Law(1, 2, row(1, 2)), tab):
        assert same(evaluate(value), value)
    assert same(evaluate(apps(row(1, 2), 0)), Law(0, 3, 0))  # body 0 = self


# --------------------------------------------------------------------------
# Ordering (4.2 E)
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "a, b, order",
    [
        # From sire/sire_04_cmp.sire.
        (9, CONST, LT),
        (CONST, CONST, EQ),
        (App(0, 0), CONST, GT),
        (0, 1, LT),
        (apps(0, 0), apps(1, 1), LT),
        (apps(1, 0), apps(1, 1), LT),
        (apps(1, 2), apps(1, 1), GT),
        (apps(2, 0), apps(1, 1), GT),
        (apps(1, 1, 1), apps(1, 1, 1, 1), LT),
        (apps(1, 1, 1), apps(1, 1), GT),
        (apps(2, 2), apps(1, 1, 1, 1), LT),
        (apps(2, 2), apps(1, 1, 1), LT),  # fewer args wins over a bigger head
        (apps(2, 2), apps(1, 1), GT),
        (apps(2, 2), 1, GT),
        (apps(0, 1, 3, 3), apps(0, 2, 2, 2), LT),
        (apps(0, 2, 2, 1), apps(0, 2, 2, 2), LT),
        (apps(0, 3, 1, 1), apps(0, 2, 2, 2), GT),
        # Kinds: Nat < Pin < Law < App.
        (2**100, Pin(0), LT),
        (Pin(CONST), Law(0, 1, 0), LT),
        (Law(9, 9, 9), App(1, 0), LT),
        # Nats numerically, pins by items, laws by name, arity, body.
        (2**64, 2**64 + 1, LT),
        (Pin(3), Pin(2), GT),
        (Pin(App(0, 0)), Pin(Law(0, 1, 0)), GT),
        (Law(1, 5, 0), Law(2, 1, 0), LT),
        (Law(1, 2, 9), Law(1, 3, 0), LT),
        (Law(1, 2, 9), Law(1, 2, App(0, 0)), LT),
        (Law(1, 2, Pin(1)), Law(1, 2, Pin(1)), EQ),
        # Rows compare by length, then from the last element (first arg).
        (row(5, 5), row(1, 1, 1), LT),
        (row(1, 2), row(2, 1), GT),
        (row(1, 2), row(1, 3), LT),
        (row(), row(0), LT),  # {0 1 0} is a law, [0] an app
    ],
)
def test_compare(a, b, order):
    assert compare(a, b) == order
    assert compare(b, a) == 2 - order


def test_compare_deep_trees_iteratively():
    def chain(n):
        t: Tree = 0
        for _ in range(n):
            t = App(1, t)
        return t

    assert compare(chain(200_000), chain(200_000)) == EQ
    assert compare(chain(200_000), App(1, chain(199_999))) == EQ


# --------------------------------------------------------------------------
# Hashes (5.1, 5.2)
# --------------------------------------------------------------------------


def _vectors():
    for line in (DATA / "hashes.tsv").read_text().splitlines():
        if line and not line.startswith("#"):
            yield line.split("\t")


def test_hash_vectors():
    names: dict[str, Tree] = {}
    checked = 0
    for kind, value, expected in _vectors():
        if kind == "pin":
            pin = read(value, names)
            assert base58(pin_hash(pin.item)) == expected, value
            assert same(evaluate(pin), pin)
            names[nat_text(pin.item.name)] = pin
        elif kind == "planhash":
            assert plan_hash(read(value, names)).hex() == expected
        elif kind == "blake3":
            assert blake3.blake3(value.encode()).hexdigest() == expected
        else:
            continue  # seedpin rows need the seed loader
        checked += 1
    assert checked == 8


def test_base58_helper():
    assert base58(b"\0\0\x01") == "112"
    assert base58(bytes([0x61])) == "2g"


def test_plan_hash_of_pin_wraps_item_hash():
    item = Law(1, 1, 0)
    digest = blake3.blake3(b"\x00" + pin_hash(item)).digest()
    assert plan_hash(Pin(item)) == digest


def _nat(n: int) -> bytes:
    limbs = (n.bit_length() + 63) // 64
    return limbs.to_bytes(8, "little") + n.to_bytes(8 * limbs, "little")


def _u64(n: int) -> bytes:
    return n.to_bytes(8, "little")


def test_serialize_plain_kinds():
    assert serialize(0) == b"\x03" + _u64(0)
    assert serialize(2**64) == b"\x03" + _u64(2) + _u64(0) + _u64(1)
    assert serialize(Law(7, 2, 3)) == b"\x01" + _nat(7) + _nat(2) + b"\x03" + _nat(3)
    nats = b"".join(b"\x03" + _nat(n) for n in (1, 2, 3))
    assert serialize(apps(1, 2, 3)) == b"\x02" + _u64(2) + nats
    assert serialize(Pin(5)) == b"\x00" + blake3.blake3(b"\x03" + _nat(5)).digest()


def test_serialize_data_jets():
    assert serialize(row()) == b"\x06" + _u64(0)
    assert serialize(row(3, 4)) == b"\x06" + _u64(2) + b"\x03" + _nat(3) + b"\x03" + _nat(4)
    assert serialize(Law(0, 3, 0)) == b"\x05" + _nat(2)
    assert serialize(Law(1, 1, 1)) == b"\x04" + _u64(0)
    assert serialize(Law(1, 1, 0x01_6261)) == b"\x04" + _u64(2) + b"ab"
    keys = row(1, 2)
    assert serialize(Law(1, 2, keys)) == b"\x07" + _u64(2) + serialize(1) + serialize(2)
    tab = App(Law(1, 2, keys), row(8, 9))
    assert serialize(tab) == b"\x08" + _u64(2) + b"".join(serialize(x) for x in (1, 2, 8, 9))


def test_serialize_near_misses_are_not_data_jets():
    # A cow with too few args is an app of a cow; a bar needs 8k+1 bits.
    cow_app = b"\x02" + _u64(1) + b"\x05" + _nat(2) + b"\x03" + _nat(7)
    assert serialize(App(Law(0, 3, 0), 7)) == cow_app
    assert serialize(Law(1, 1, 0x02))[:1] == b"\x01"
    assert serialize(Law(1, 1, 0))[:1] == b"\x01"
    # Unsorted or duplicated keys are not a set; the row inside still is a row.
    assert serialize(Law(1, 2, row(2, 1)))[:1] == b"\x01"
    assert serialize(Law(1, 2, row(1, 1)))[:1] == b"\x01"
    # A set applied to a row of another length is a plain app.
    assert serialize(App(Law(1, 2, row(1)), row(8, 9)))[:1] == b"\x02"
    # A pinned cow head does not make a row.
    assert serialize(App(Pin(Law(0, 2, 0)), 7))[:1] == b"\x02"


def test_hash_deep_tree_iteratively():
    t: Tree = 0
    for _ in range(100_000):
        t = App(1, t)
    assert len(plan_hash(Pin(t))) == 32


def test_nested_pins_hash_innermost_first():
    inner = Pin(Law(1, 1, 0))
    outer = Pin(Law(2, 1, App(inner, inner)))
    expected_inner = pin_hash(inner.item)
    body = b"\x02" + _u64(1) + (b"\x00" + expected_inner) * 2
    assert pin_hash(outer.item) == blake3.blake3(b"\x01" + _nat(2) + _nat(1) + body).digest()


# --------------------------------------------------------------------------
# Random programs (smoke test)
# --------------------------------------------------------------------------


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(programs())
def test_random_programs_smoke(program):
    try:
        result = evaluate(program, max_steps=20_000)
    except (PlanCrash, PlanLoop, OracleBudget, OracleTooDeep):
        return
    assert is_normal(result)
    assert same(evaluate(result), result)  # normal forms are fixed points
    assert compare(result, result) == EQ
    assert len(plan_hash(result)) == 32

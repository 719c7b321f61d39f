"""The C core against the spec: worked examples, edge cases, vectors, and a
differential property test against the pure-Python oracle."""

from __future__ import annotations

import signal

import pytest
from hypothesis import HealthCheck, given, settings

from pallas_kernel import _core, plan
from pallas_kernel.plan import base58
from pallas_kernel.plan.reference import oracle
from pallas_kernel.errors import PlanCrash, PlanLoop
from pallas_kernel.plan.notation import read as read_tree
from pallas_kernel.plan.tree import App, equal, text_nat

from helpers.plan_programs import ADD, TIMES, programs
from helpers import DATA

pytestmark = pytest.mark.core  # run again by `make stress`



def run(text: str):
    """Evaluate notation with the core; the normal form as a tree."""
    return plan.read(text).to_tree()


def oracle_run(text: str):
    return oracle.evaluate(read_tree(text))


def same(text: str, expected: str) -> None:
    got = run(text)
    assert equal(got, read_tree(expected)), plan.show(plan.from_tree(got))
    assert equal(oracle_run(text), read_tree(expected))


# --- section 2.3: worked examples --------------------------------------------

IF_LAW = '{"_If" 3 (0 (0 (0 (2 2) 3) (0 {0 2 1} 2)) 1)}'


def test_example_a_if_as_compiled_by_sire():
    same(f"({IF_LAW} 5 7 8)", "7")
    same(f"({IF_LAW} 0 7 8)", "8")
    same(f"(<{IF_LAW}> (0 0) 7 8)", "8")    # a non-nat condition counts as 0


def test_example_b_let_chain_with_forward_reference():
    same("({0 1 (1 (0 (2 0) 3) (1 (2 2) (0 1 2)))} 1)", "(1 (0 2))")


def test_example_c_times_recursion_through_self_pin():
    times = plan.from_tree(TIMES)
    assert times.apply(3, 0, 5).nat == 5
    assert plan.from_tree(ADD).apply(20, 22).nat == 42


# --- sections 1.3-1.6: opcodes and edge cases ----------------------------------

@pytest.mark.parametrize("expr, expected", [
    ("(0 7 2 9)", "{7 2 9}"),                       # op 0 makes a law
    ("(0 0 1 0)", "[]"),                             # name 0 is allowed
    ("(0 (3 6) 1 (3 2))", "{7 1 3}"),                # name and body evaluated
    ("(0 (0 0) 1 5)", "{0 1 5}"),                    # a non-nat name counts as 0
    ("(1 0 0 0 {0 1 (2 5)} 7)", "5"),                  # op 1 on a nat: (n x)
    ("(1 {0 1 (0 (2 3) 1)} 0 0 0 <8>)", "9"),                # op 1 on a pin: (p item)
    ("(1 0 {0 3 (0 (0 (2 {0 3 0}) 2) 1)} 0 0 {5 2 9})", "[5 2]"),  # op 1 on a law: (l n a b)
    ("(1 0 0 {0 2 2} 0 (0 1 2))", "2"),          # op 1 on an app: (a f y), y last
    ("(1 0 0 {0 2 1} 0 (0 1 2))", "(0 1)"),      # ... f is the closure without y
    ("(2 7 3 0)", "7"),
    ("(2 7 3 5)", "5"),                              # (p (k-1)) with p = 3
    ("(2 7 3 (0 0))", "7"),                          # NAT of an app is 0
    ("(3 41)", "42"),
    ("(3 (0 0))", "1"),
    ("(3 18446744073709551615)", "18446744073709551616"),
    ("(3 9223372036854775807)", "9223372036854775808"),
    ("(<3> 4)", "5"),                                # a pin of a non-law is transparent
    ("(<(0 9)> 2 3)", "{9 2 3}"),
    ("({0 1 1} (0 1) 6)", "(0 1 6)"),                      # over-application
    ("({0 2 1} 3)", "({0 2 1} 3)"),                  # partial: a closure
    ("({0 1 (1 (2 4) 2)} 9)", "4"),                  # let
    ("({0 1 (0 (2 (1 4 2)) 1)} 9)", "((1 4 2) 9)"),  # (1 v b) deeper is a literal
    ("({0 1 (2 (0 1 1))} 9)", "(0 1 1)"),            # a quoted app-shaped body
    ("(<{0 1 0}> 5)", "<[]>"),                       # self is the pin
    ("(4 (3 3))", "<4>"),
    ("[1 (3 1) 3]", "[1 2 3]"),
    ("(0 0 3 0 5 6)", "[6 5]"),                      # a cow saturated is a row
])
def test_opcodes(expr, expected):
    same(expr, expected)


def test_arity_zero_law_crashes_with_op_0():
    with pytest.raises(PlanCrash) as e:
        run("(0 1 0 5)")
    assert e.value.op == 0 and e.value.value.nat == 0


def test_arity_checked_before_the_body():
    with pytest.raises(PlanCrash) as e:
        run("(0 1 0 (5 5))")
    assert e.value.op == 0


def test_calling_a_nat_above_4_crashes_with_its_normalized_argument():
    with pytest.raises(PlanCrash) as e:
        run("(9 (3 4))")
    assert e.value.op == 9 and e.value.value.nat == 5


def test_a_crash_inside_the_argument_wins():
    with pytest.raises(PlanCrash) as e:
        run("(9 [(7 1)])")
    assert e.value.op == 7


def test_bignat_head_crashes():
    with pytest.raises(PlanCrash) as e:
        run("(340282366920938463463374607431768211456 1)")
    assert e.value.op == 2 ** 128


def test_self_referencing_let_is_a_loop():
    with pytest.raises(PlanLoop):
        run("({0 1 (1 2 2)} 0)")
    with pytest.raises(PlanLoop):
        run("({0 1 (1 3 (1 2 2))} 0)")   # a = b, b = a


def test_cyclic_value_is_a_loop_when_normalized():
    v = plan.read("({0 1 (1 (0 (2 0) 2) 2)} 5)")  # x = (0 x)
    assert v.kind == "app"                         # WHNF is fine
    with pytest.raises(PlanLoop):
        v.force()


def test_failed_evaluation_leaves_nothing_broken():
    v = plan.read("(3 (9 1))")
    for _ in range(2):
        with pytest.raises(PlanCrash):
            v.force()
    assert plan.read("(3 1)").nat == 2


# --- data jets see their PLAN shapes --------------------------------------------

def test_data_jet_shapes():
    assert plan.read("[1 2]").shape == "row"
    assert plan.read("[]").shape == "row"
    assert plan.read("{0 3 0}").shape == "cow"
    assert plan.read('b#"hi"').shape == "bar"
    assert plan.read("%[1 2]").shape == "set"
    assert plan.read("%[2 1]").shape == ""       # not ascending: a plain law
    assert plan.read("#[1=5 2=6]").shape == "tab"
    assert plan.read("(%[1 2] [5])").shape == ""


def test_opcode_1_sees_the_row_shape():
    # (1 p l a n [4 5]) = (a ({0 3 0} 5) 4)  -- element 0 is the last argument
    same("(1 0 0 {0 2 (0 (0 (2 0) 1) 2)} 0 [4 5])", "(0 ({0 3 0} 5) 4)")


# --- comparison -------------------------------------------------------------------

@pytest.mark.parametrize("a, b, order", [
    ("1", "2", 0), ("2", "2", 1), ("5", "<0>", 0), ("<5>", "<4>", 2),
    ("<0>", "{0 1 0}", 0), ("{1 1 1}", "{0 2 1}", 2), ("{0 1 0}", "(0 1)", 0),
    ("(2 2)", "(1 1 1)", 0), ("(2 2)", "(1 1)", 2), ("[1 2]", "[2 1]", 2),
])
def test_cmp_order(a, b, order):
    assert plan.read(a).cmp(plan.read(b)) == order
    assert oracle.compare(read_tree(a), read_tree(b)) == order


# --- hashes: vectors -----------------------------------------------------------------

def vectors(kind: str):
    rows = []
    defined = {}
    for line in (DATA / "hashes.tsv").read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        k, value, expected = line.split("\t")
        if k == "pin":
            name = value.split('"')[1]
            for ref, text in defined.items():
                value = value.replace(f"<{ref}>", text)
            defined[name] = value
        if k == kind:
            rows.append((value, expected))
    return rows


@pytest.mark.parametrize("value, expected", vectors("pin"))
def test_pin_hash_vectors(value, expected):
    v = plan.read(value)
    assert plan.hash_b58(v) == expected
    assert base58.encode(oracle.pin_hash(read_tree(value).item)) == expected


@pytest.mark.parametrize("value, expected", vectors("planhash"))
def test_plan_hash_vectors(value, expected):
    assert plan.read(value).plan_hash().hex() == expected


@pytest.mark.parametrize("value, expected", vectors("seedpin"))
def test_seed_top_pin_hashes(value, expected):
    v = plan.load_seed((DATA / "seeds" / value).read_bytes())
    assert plan.hash_b58(v) == expected


@pytest.mark.parametrize("expr", [
    "[1 2 3]", "#[1=[2] 3=b#\"x\"]", "%[1 2 {0 1 5}]", "{0 5 0}", "(0 <1> (1 2))",
    "b#\"\"", "x#00ff", "{1 2 [2 1]}", "((%[1 2]) [3])", "[[] <[]>]",
    "340282366920938463463374607431768211456",
])
def test_serialization_matches_the_oracle(expr):
    assert plan.read(expr).serialize() == oracle.serialize(read_tree(expr))


# --- seeds of the reference -------------------------------------------------------------

@pytest.mark.parametrize("name, args, result", [
    ("toNat.seed", (7,), "7"), ("toNat.seed", ("(0 0)",), "0"),
    ("isNat.seed", (0,), "1"), ("isNat.seed", (1,), "1"), ("isNat.seed", ("(0 0)",), "0"),
    ("mul.seed", (3, 4), "12"),
    ("cmp.seed", (0, 1), "0"), ("cmp.seed", (1, 0), "2"), ("cmp.seed", (1, 1), "1"),
    ("cmp.seed", ("(0 0)", 1), "2"), ("cmp.seed", ("(0 0)", "(1 1)"), "0"),
    ("silly.seed", (7,), '({"bigSillyNamedLaw" 3 (0 1 (0 (0 (0 (2 0) 2) 3) '
                         '3247812347124781239471243))} 7)'),
])
def test_reference_seeds_run(name, args, result):
    f = plan.load_seed((DATA / "seeds" / name).read_bytes())
    xs = [plan.read(a) if isinstance(a, str) else a for a in args]
    got = f.apply(*xs).to_tree()
    assert equal(got, read_tree(result))


@pytest.mark.parametrize("name", ["toNat.seed", "isNat.seed", "mul.seed", "cmp.seed", "silly.seed"])
def test_reference_seeds_reencode_byte_for_byte(name):
    data = (DATA / "seeds" / name).read_bytes()
    assert plan.save_seed(plan.load_seed(data)) == data


# --- jets: matched by name and hash, native, equal to the legal code ----------------

JETTED = {"_Force": 1, "_IsNat": 1, "_If": 3, "_ToNat": 1, "_Times": 3, "_Add": 2}


def jet_pins():
    defs = {}
    for value, _ in vectors("pin"):
        v = plan.read(value)
        defs[read_tree(value).item.name] = v
    return {name: defs[text_nat(name)] for name in JETTED}


@pytest.mark.parametrize("name", sorted(JETTED))
def test_the_six_jets_match_and_run_natively(name):
    pins = jet_pins()
    pin = pins[name]
    assert pin.has_jet
    cases = {
        "_Force": [("[(3 1) (3 2)]",)],
        "_IsNat": [(5,), ("(0 0)",), ("<1>",)],
        "_If": [(1, 7, 8), (0, 7, 8), ("(0 0)", 7, 8)],
        "_ToNat": [(9,), ("(0 0)",)],
        "_Times": [("(0 1)", 0, 3), (3, 5, 10)],
        "_Add": [(2, 3), ("(0 0)", 4), (2 ** 64, 3), (2 ** 63 - 2, 5)],
    }[name]
    bare = plan.from_tree(read_tree(plan.show(pin)).item)   # pinItem: the bare law
    for args in cases:
        xs = [plan.read(a) if isinstance(a, str) else a for a in args]
        before = plan.stats()["jet_calls"]
        jetted = pin.apply(*xs).to_tree()
        assert plan.stats()["jet_calls"] > before
        before = plan.stats()["jet_calls"]
        legal = bare.apply(*xs).to_tree()
        with plan.jets_enabled(False):
            unjetted = pin.apply(*xs).to_tree()
        assert equal(jetted, legal) and equal(jetted, unjetted)


def test_a_jet_name_with_another_hash_gets_no_jet():
    before = plan.stats()["jet_mismatches"]
    v = plan.read('<{"_Add" 2 (0 (0 3) 1)}>')
    assert v.kind == "pin" and not v.has_jet
    assert plan.stats()["jet_mismatches"] == before + 1


def test_the_published_table_is_shipped():
    table = dict(plan.reference_jet_table())
    assert len(table) == 197
    assert base58.encode(table["_Add"]) == "QeTTm1EFP1r7mkXJQVnBYUW2QeKUvjNfYA5PiGzFRVj"


# --- depth and size: no C recursion, bounded memory --------------------------------

@pytest.mark.large
def test_bare_add_of_a_million_steps():
    bare_add = plan.from_tree(ADD.item)
    with plan.jets_enabled(False):
        assert bare_add.apply(0, 1_000_000).nat == 1_000_000


def deep_value(n: int) -> plan.Value:
    """(0 (0 (0 ... 0))) nested n deep, built lazily by _Times."""
    return plan.from_tree(TIMES).apply(plan.read("(0 0)"), 0, n)


@pytest.mark.large
def test_million_deep_normalize_hash_compare_tree():
    v = deep_value(1_000_000).force()
    h = v.plan_hash()
    w = deep_value(1_000_000).force()
    assert v.cmp(w) == 1 and w.plan_hash() == h
    assert deep_value(999_999).cmp(v) == 0
    t = v.to_tree()
    depth = 0
    while isinstance(t, App):
        t = t.arg
        depth += 1
    assert depth == 1_000_000


@pytest.mark.large
def test_million_deep_pin_chain_hashes():
    v = plan.from_tree(TIMES).apply(4, 0, 1_000_000).force()   # <<<...<0>...>>>
    assert len(v.pin_hash()) == 32


@pytest.mark.large
def test_memory_is_reclaimed():
    with plan.jets_enabled(False):
        plan.from_tree(ADD).apply(0, 300_000).nat
    _core.collect()
    assert plan.stats()["heap_bytes"] < 8 << 20


# --- interrupts ---------------------------------------------------------------------------

def test_ctrl_c_interrupts_and_leaves_the_runtime_intact():
    loop = plan.read("({0 1 (0 0 1)} 1)")                  # f x = f x, forever
    def interrupt(signum, frame):
        raise KeyboardInterrupt
    old = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        with pytest.raises(KeyboardInterrupt):
            loop.whnf()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert plan.read("(3 (3 1))").nat == 3


# --- differential: the core agrees with the oracle -------------------------------------------

def outcome_of_core(tree):
    try:
        return ("ok", plan.from_tree(tree).to_tree())
    except PlanCrash as e:
        return ("crash", e.op, e.value.to_tree())
    except PlanLoop:
        return ("loop",)


def outcome_of_oracle(tree):
    try:
        return ("ok", oracle.evaluate(tree, max_steps=20_000))
    except oracle.PlanCrash as e:
        return ("crash", e.op, e.value)
    except oracle.PlanLoop:
        return ("loop",)
    except (oracle.OracleBudget, oracle.OracleTooDeep):
        return None


@settings(max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck))
@given(programs())
def test_core_agrees_with_oracle(tree):
    expected = outcome_of_oracle(tree)
    if expected is None:
        return
    got = outcome_of_core(tree)
    assert got[0] == expected[0], (got, expected)
    if got[0] == "ok":
        assert equal(got[1], expected[1])
    elif got[0] == "crash":
        assert got[1] == expected[1] and equal(got[2], expected[2])


@pytest.mark.large
def test_million_deep_value_prints_and_seeds():
    v = deep_value(1_000_000).force()
    text = plan.show(v)
    assert text.startswith("(0 0 (0 0 (0 0") and text.count("(") == 1_000_000
    data = plan.save_seed(v)
    assert plan.load_seed(data).cmp(v) == 1

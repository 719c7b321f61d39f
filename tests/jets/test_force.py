"""Jets asking the evaluator for more: an argument in normal form only on some
paths (PK_JET_NEED_DEEP), or a value inside an argument, such as a row
element or a list cell (PK_JET_FORCE). These run through real evaluation: a
pin named like the jet, whose legal code answers 999, is accepted for that
name, so an answer other than 999 comes from the native code, which asked the
evaluator to force what it needed and was called again."""

import pytest

from pallas_kernel import plan

pytestmark = pytest.mark.core  # run again by `make stress`

ID = '{"I" 1 1}'
CRASH = "(7 7)"
JETS = {"bsearch": 2, "barCat": 1, "padCat": 1, "tabFromPairs": 1, "_SizedListToRow": 2,
        "barElemIndexOff": 3, "tabSwitch": 3, "padFlat": 1}


def dummy(name: str) -> str:
    return f'<{{"{name}" {JETS[name]} (2 999)}}>'


plan.accept_jet_hashes([(n, plan.read(dummy(n)).force().pin_hash()) for n in JETS])


def run(name: str, *args: str) -> plan.Value:
    """(name args..) with the dummy pin, evaluated to normal form."""
    return plan.read(f"({dummy(name)} {' '.join(args)})").force()


def lazy(text: str) -> str:
    return f"({ID} {text})"


def test_the_dummies_carry_the_jets():
    assert all(plan.read(dummy(n)).force().has_jet for n in JETS)
    with plan.jets_enabled(False):
        assert run("bsearch", "1", "[1]").nat == 999


def test_a_key_forced_deep_only_when_the_row_is_not_empty():
    assert run("bsearch", lazy("[3]"), f"[{lazy('[1]')} {lazy('[3]')} [5]]").nat == 3
    assert run("bsearch", CRASH, "[]").nat == 0
    with pytest.raises(plan.PlanCrash) as e:
        run("bsearch", CRASH, "[1]")
    assert e.value.op == 7


def test_row_elements_forced_one_by_one_in_the_legal_order():
    a, b = lazy('b#"a"'), lazy('b#"b"')
    assert plan.show(run("barCat", f"[{a} {b}]")) == 'b#"ab"'
    with pytest.raises(plan.PlanCrash) as e:
        run("barCat", f"[{CRASH} (9 9)]")
    assert e.value.op == 9                  # barCat forces the last element first


def test_pairs_and_keys_forced_in_order():
    text = f"[{lazy('[2 5]')} [{lazy('[1]')} 6] [2 7]]"
    assert plan.show(run("tabFromPairs", text)) == "({1 2 [2 [1]]} [7 6])"


def test_a_lazy_list_spine():
    cells = "0"
    for x in (3, 2, 1):
        cells = lazy(f"[{x} {cells}]")
    assert plan.show(run("_SizedListToRow", "4", cells)) == "[1 2 3 0]"
    # each unevaluated cell costs a walk from the head: after 64 walks the
    # legal code takes over (here the dummy's, answering 999); every cell
    # read from the notation is a thunk until forced

    def spine(n):
        cells = "0"
        for x in range(n, 0, -1):
            cells = f"[{x} {lazy(cells)}]"
        return cells
    expected = plan.read("[" + " ".join(str(x) for x in range(1, 51)) + "]").force()
    assert plan.show(run("_SizedListToRow", "50", spine(50))) == plan.show(expected)
    assert run("_SizedListToRow", "2000", spine(2000)).nat == 999


def test_an_optional_argument_forced_deep():
    assert run("barElemIndexOff", lazy("98"), "0", 'b#"ab"').nat == 1
    assert run("barElemIndexOff", CRASH, "2", 'b#"ab"').nat == 2
    assert run("tabSwitch", lazy("[1]"), "5", "#[[1]=2]").nat == 2
    assert run("tabSwitch", CRASH, "5", "#[]").nat == 5


def test_a_tree_forced_node_by_node():
    assert run("padFlat", f"[5 {lazy('[6 ' + lazy('7') + ']')}]").nat == \
        run("padFlat", "[5 [6 7]]").nat


def test_forcing_many_elements_resumes_where_it_stopped():
    # each call again starts where the last one stopped: a wrong resume point
    # would skip an unevaluated element (a fallback, 999) or reorder them
    n = 5000
    elems = " ".join(lazy(f'b#"{chr(97 + i % 26)}"') for i in range(n))
    expected = "".join(chr(97 + i % 26) for i in range(n))
    assert plan.show(run("barCat", f"[{elems}]")) == f'b#"{expected}"'
    assert run("padCat", f"[{' '.join(lazy('5') for _ in range(n))}]").nat == 2 ** (2 * n) + (2 ** (2 * n) - 1) // 3
    pairs = " ".join(f"[{lazy(str(i % 100))} {i}]" for i in range(n))
    t = run("tabFromPairs", f"[{pairs}]")
    assert plan.show(t) == plan.show(plan.read(
        "#[" + " ".join(f"{k}={n - 100 + k}" for k in range(100)) + "]").force())

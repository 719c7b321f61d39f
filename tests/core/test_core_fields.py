"""The core's one-call readers of data (``_core.con_fields``, ``row_items``,
``tab_items``, runtime/pk_fields.c): they must agree with reading the same
value one layer at a time, leave unevaluated fields unevaluated, and answer
None for every other shape so the general reader can say what is wrong."""

from __future__ import annotations

import pytest

from pallas_kernel import _core, plan
from pallas_kernel.plan import view
from pallas_kernel.plan.tree import App, Law, Pin, apps, row, spine, text_nat
from pallas_kernel.rex import Leaf, Node, from_plan, to_plan
from pallas_kernel.rex.encoding import CONSTRUCTORS


def slow_row(v):
    """A row read layer by layer (the general path)."""
    head, args = spine(view.layer(v))
    head = view.layer(head)
    if isinstance(head, Law) and head.name == 0 and head.arity == len(args) + 1 \
            and view.layer(head.body) == 0:
        return args[::-1]
    return None


def nats(items):
    return [view.nat_of(x) for x in items]


@pytest.mark.parametrize("text", ["[]", "[7]", "[1 [2] 3]", "[0 0 0 0 0 0 0 0 9]"])
def test_row_items_agree_with_layers(text):
    v = plan.read(text).force()
    fast = _core.row_items(v)
    assert fast is not None
    slow = slow_row(v)
    assert len(fast) == len(slow)
    for a, b in zip(fast, slow):
        assert plan.from_tree(a).force() == plan.from_tree(b).force() if not isinstance(a, int) else a == view.nat_of(b)


@pytest.mark.parametrize("text", ["5", "(0 1 2)", "{0 3 1}", "<[1 2]>", "{1 2 0}"])
def test_other_shapes_are_none(text):
    v = plan.read(text).force()
    assert _core.row_items(v) is None and slow_row(v) is None
    assert _core.con_fields(v) is None
    if text != "[]":
        assert _core.tab_items(v) is None


def test_not_values_are_none():
    for x in (3, row(1, 2), "x", None):
        assert _core.row_items(x) is None
        assert _core.con_fields(x) is None
        assert _core.tab_items(x) is None


def test_tab_items():
    v = plan.read("#[1=10 5=50 9=[1]]").force()
    keys, vals = _core.tab_items(v)
    assert keys == (1, 5, 9)
    assert vals[:2] == (10, 50) and _core.row_items(vals[2]) == (1,)
    assert _core.tab_items(plan.read("[]").force()) == ((), ())
    assert view.tab_items(v)[:2] == [(1, 10), (5, 50)]


def test_fields_stay_lazy():
    """An unevaluated item comes back as a lazy Value (reading the row does
    not evaluate it); a tab whose value row is not evaluated yet is left to
    the general path (None), which evaluates it."""
    const = Law(0, 2, 1)                       # {0 2 1}: the first of two arguments
    v = plan.from_tree(row(apps(const, 5, 6), 7)).whnf()
    items = _core.row_items(v)
    assert items is not None and items[1] == 7
    assert isinstance(items[0], plan.Value) and items[0].nat == 5
    lazy = plan.from_tree(App(Law(1, 2, row(1)), apps(const, row(9), 0))).whnf()
    assert _core.tab_items(lazy) is None
    assert [(k, view.nat_of(x)) for k, x in view.tab_items(lazy)] == [(1, 9)]


def test_constructor_fields_and_rex_round_trip():
    word = plan.from_tree(apps(CONSTRUCTORS["WORD"], text_nat("abc"), 0)).force()
    name, fields = _core.con_fields(word)
    assert name == text_nat("##WORD") and fields == (text_nat("abc"), 0)
    # one too many or too few fields: not a constructor application
    over = plan.from_tree(apps(Pin(Law(text_nat("##WORD"), 3, 0)), 1)).force()
    assert _core.con_fields(over) is None
    body = plan.from_tree(apps(Pin(Law(7, 3, 1)), 1, 2)).force()   # body is not 0
    assert _core.con_fields(body) is None
    rex = Node("OPEN", "=", (Leaf("WORD", "x"), Node("NEST", "|", (Leaf("TEXT", "hi"),), Leaf("WORD", "y"))))
    back = from_plan(plan.from_tree(to_plan(rex)).force(), whole=True)
    assert back.rune == "=" and back.sons[0].text == "x"
    assert back.sons[1].sons[0].text == "hi" and back.sons[1].heir.text == "y"


# ----- building: _core.build ------------------------------------------------------


def test_build_rows_applications_and_leaves():
    k = plan.read("{0 3 1}").force()
    v = _core.build((1, (2, 3), (), [k, 5, 6], [k, 5, 6, 7]))
    assert plan.show(v) == "[1 [2 3] [] ({0 3 1} 5 6) 5]"
    assert _core.build([k]) is not None and plan.show(_core.build([k])) == "{0 3 1}"
    assert plan.show(_core.build(2 ** 70)) == str(2 ** 70)


def test_build_shares_a_container_met_twice():
    """A DAG of tuples is built once per tuple: 40 levels of doubling would
    be 2^40 nodes if shared tuples were built again."""
    t = (1, 2)
    for _ in range(40):
        t = (t, t)
    v = _core.build(t).force()
    assert _core.row_items(v) is not None


def test_build_errors_are_clear():
    with pytest.raises(ValueError, match="application needs a function"):
        _core.build([])
    with pytest.raises(TypeError, match="PLAN Value or an int"):
        _core.build((1, "x"))
    with pytest.raises(ValueError):
        _core.build((1, -1))


def test_rex_to_value_is_to_plan():
    """The Rex encoding built by the core equals the tree encoding, hash
    for hash, for every shape."""
    from pallas_kernel.rex import read
    from pallas_kernel.rex.encoding import to_value
    for src in ["= (f x) | add x 1", "(a b)(c)", "x=3", "} line\n} two", '"tx"y', "-x", "a.b.c"]:
        r = read(src)
        a = plan.from_tree(to_plan(r)).force()
        b = to_value(r).force()
        assert a.plan_hash() == b.plan_hash()


def test_same_is_identity_without_evaluation():
    a = plan.read("[1 2]").force()
    assert _core.same(a, a)
    assert not _core.same(a, plan.read("[1 2]").force())   # equal, but another object
    assert _core.same(3, 3) and not _core.same(a, 3) and not _core.same(3, 4)
    lazy = plan.from_tree(apps(Law(0, 2, 1), 5, 6))         # not evaluated by same()
    assert _core.same(lazy, lazy) and not _core.same(lazy, plan.nat(5))

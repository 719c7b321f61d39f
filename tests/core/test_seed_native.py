"""The C seed codec (runtime/pk_seed.c) and the seed jets against the Python
codec (pallas_kernel/seed.py): the same bytes for the same value, round
trips, germs, deep values, and corrupted input (an error or a fallback to the
legal loader, never a crash of the process)."""

from __future__ import annotations

import struct

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pallas_kernel import _core, plan
from pallas_kernel.plan.reference import seed
from pallas_kernel.errors import PlanCrash, SeedError
from pallas_kernel.plan.tree import App, Law, Pin, Tree, row
from helpers import DATA

pytestmark = pytest.mark.core  # run again by `make stress`

SEEDS = sorted((DATA / "seeds").glob("*.seed"))
J = _core.call_jet


def value(tree: Tree) -> plan.Value:
    return plan.from_tree(tree).force()


def same(a: plan.Value, b: plan.Value) -> bool:
    return a.force().cmp(b.force()) == 1


# --- normal values as trees ---------------------------------------------------------

nat_leaves = st.one_of(
    st.integers(0, 6), st.integers(0, 300), st.integers(0, 2 ** 64 + 5),
    st.integers(2 ** 64, 2 ** 200),
    st.integers(0, 3).map(lambda k: 5 * 2 ** 128 + k * 2 ** 64 + 7 - k),   # equal width, top limb
)


def _extend(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        children.map(Pin),
        st.tuples(st.integers(0, 2 ** 70), st.integers(1, 3), children).map(lambda t: Law(*t)),
        st.lists(children, max_size=4).map(lambda xs: row(*xs)),
        st.tuples(children, children).map(lambda t: App(App(0, t[0]), t[1])),   # (0 x y)
        st.tuples(children, children).map(lambda t: App(Law(7, 3, 0), t[0])),    # partial
        children.map(lambda x: row(x, x, Pin(x))),                              # sharing
    )


normal_trees = st.recursive(nat_leaves, _extend, max_leaves=25)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(normal_trees, st.booleans())
def test_c_save_equals_python_save(tree, quirk):
    v = value(tree)
    data = _core.save_seed(v, quirk)
    assert data == seed.save_seed(v.to_tree(), c_quirk=quirk)
    back = _core.load_seed(data)
    assert same(back, v)
    assert plan.save_seed(back.force()) == seed.save_seed(v.to_tree())


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name)
def test_reference_seeds_load_and_save_byte_for_byte(path):
    data = path.read_bytes()
    v = _core.load_seed(data)
    assert same(v, value(seed.load_seed(data)))
    assert _core.save_seed(v) == data
    assert v.has_jet or path.name in ("mul.seed", "cmp.seed", "silly.seed", "isNat.seed")


def test_data_jets_and_quirky_bignats():
    big = [5 * 2 ** 128 + 9, 5 * 2 ** 128 + 1, 5 * 2 ** 128 + 2 ** 64 + 3, 2 ** 200]
    for text in ["#[1=5 2=[3 4]]", "%[1 2 3]", 'b#"hello"', "[x#00 b#\"\"]", "(0 0)", "<3>", "<<3>>"]:
        v = plan.read(text).force()
        assert _core.save_seed(v) == seed.save_seed(v.to_tree())
        assert same(_core.load_seed(_core.save_seed(v)), v)
    v = value(row(*big))
    for quirk in (True, False):
        assert _core.save_seed(v, quirk) == seed.save_seed(v.to_tree(), c_quirk=quirk)
    assert _core.save_seed(v, True) != _core.save_seed(v, False)


def test_shapes_come_back_canonical():
    for text, shape in [("[1 2]", "row"), ("#[1=2]", "tab"), ("%[1]", "set"), ('b#"x"', "bar"), ("{0 3 0}", "cow")]:
        assert _core.load_seed(_core.save_seed(plan.read(text))).shape == shape


def deep(n: int) -> Tree:
    t: Tree = 0
    for _ in range(n):
        t = App(App(0, 0), t)         # (0 0 (0 0 ...))
    return t


@pytest.mark.large
def test_million_deep_value_round_trips():
    v = value(deep(1_000_000))
    data = _core.save_seed(v)
    assert same(_core.load_seed(data), v)
    assert data == plan.save_seed(v)


@pytest.mark.large
def test_long_row_round_trips_large():
    v = value(row(*range(200_000)))
    data = _core.save_seed(v)
    assert data == seed.save_seed(v.to_tree())
    assert same(_core.load_seed(data), v)


# --- germs ---------------------------------------------------------------------------

def pin_key(p: Pin) -> bytes:
    return value(p).pin_hash()


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(normal_trees, min_size=1, max_size=4))
def test_c_germ_equals_python_germ(parts):
    top = Pin(row(*[Pin(p) for p in parts], *parts, Pin(parts[0])))
    v = value(top)
    refs, body = _core.save_germ(v)
    py_refs, py_body = seed.save_germ(v.to_tree(), pin_key)
    assert body == py_body
    assert [r.pin_hash() for r in refs] == [pin_key(p) for p in py_refs]
    item = _core.load_germ(refs, body)
    assert same(item, value(top.item))


def test_germ_jets_round_trip():
    top = plan.read('<[<1> <{"f" 1 1}> <1> 5]>').force()
    pair = J("_SaveGerm", top)
    refs, bar = J("_Idx", 0, pair), J("_Idx", 1, pair)
    assert plan.show(refs) == plan.show(plan.read('[<1> <{"f" 1 1}>]'))
    back = J("_LoadGerm", refs, bar)
    assert back.kind == "pin" and back.pin_hash() == top.pin_hash()
    assert J("_SaveGerm", 5).nat == 0


# --- the jets ---------------------------------------------------------------------------

def test_save_and_load_seed_jets_follow_the_legal_order():
    v = value(row(5 * 2 ** 128 + 9, 5 * 2 ** 128 + 1, 3))
    bar = J("_SaveSeed", v)
    assert bar.shape == "bar"
    assert same(J("_LoadSeed", bar), v)
    # the bar's bytes are the legal (strictly descending) save
    assert bytes_of(bar) == seed.save_seed(v.to_tree(), c_quirk=False)


def bytes_of(bar: plan.Value) -> bytes:
    n = bar.to_tree().body
    size = (n.bit_length() - 1) // 8
    return (n ^ (1 << (8 * size))).to_bytes(size, "little")


def bar_value(data: bytes) -> plan.Value:
    return value(Law(1, 1, int.from_bytes(data + b"\x01", "little")))


def test_load_seed_jet_falls_back_on_bad_bytes_and_non_bars():
    for data in [b"", b"\x00" * 41, b"\x01" + b"\x00" * 39, struct.pack("<5Q", 0, 0, 0, 0, 9)]:
        with pytest.raises(NotImplementedError):
            J("_LoadSeed", bar_value(data))
    with pytest.raises(NotImplementedError):
        J("_LoadSeed", 7)


def test_load_seed_of_a_computation_is_lazy():
    # the seed of (3 4) as cells: the legal loader just applies, so it is 5 when forced
    data = seed.save_seed(App(3, 4))
    assert J("_LoadSeed", bar_value(data)).nat == 5
    crash = seed.save_seed(App(99, 1))
    with pytest.raises(PlanCrash):
        J("_LoadSeed", bar_value(crash))


# --- corrupted input ------------------------------------------------------------------------

def outcome_py(data: bytes):
    try:
        t = seed.load_seed(data)
    except SeedError as e:
        return ("error", "arity 0" in str(e))
    try:
        return ("ok", plan.from_tree(t).to_tree())
    except PlanCrash as e:
        return ("crash", e.op)


def outcome_c(data: bytes):
    try:
        v = _core.load_seed(data)
    except SeedError:
        return ("error", False)
    try:
        return ("ok", v.to_tree())
    except PlanCrash as e:
        return ("crash", e.op)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from([p.read_bytes() for p in SEEDS]), st.lists(st.tuples(st.integers(0, 600), st.integers(0, 255)), max_size=3), st.integers(0, 600))
def test_corrupted_seeds_give_the_python_outcome(data, flips, cut):
    data = bytearray(data)
    for at, byte in flips:
        if at < len(data):
            data[at] = byte
    data = bytes(data[: max(cut, 40)])
    py, c = outcome_py(data), outcome_c(data)
    if py[0] == "error" and py[1]:
        return                         # a law of arity 0: Python refuses, C loads it lazily
    assert py[0] == c[0]
    if py[0] == "ok":
        assert plan.show(plan.from_tree(py[1])) == plan.show(plan.from_tree(c[1]))


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=0, max_size=120))
def test_random_bytes_never_break_the_loader(data):
    try:
        _core.load_seed(data)
    except SeedError:
        pass


def test_germ_of_a_highly_shared_value_is_linear():
    x: Tree = Pin(7)
    for _ in range(200):                       # 2^200 paths, 200 distinct nodes
        x = App(App(0, x), x)
    v = value(Pin(x))
    refs, body = _core.save_germ(v)
    assert len(refs) == 1 and refs[0].pin_hash() == value(Pin(7)).pin_hash()
    back = _core.load_germ(refs, body)
    assert _core.save_seed(back) == _core.save_seed(value(x))   # (comparing would walk 2^200 paths)

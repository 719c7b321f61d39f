"""The scope's PLAN tab (what macros see) is kept up by inserts when a few
bindings change: after any sequence of additions, replacements and removals
it equals the tab built from scratch, and a copy of a state does not share
changes with the original."""

from __future__ import annotations

import random

from hypothesis import given, settings, strategies as st

from pallas_kernel.sire.commands import run_block
from pallas_kernel.sire.state import State, make_tab
from pallas_kernel.sire.noun import bind_pin
from pallas_kernel.plan import from_tree
from pallas_kernel.rex import read_blocks


def loaded_state() -> State:
    """A state with a few bindings defined by running Sire."""
    s = State()
    src = b"(k x y)=x\n\n(twice f x)=(f (f x))\n\na=3\n\nb=(k a 4)\n\nc=(twice (k 5) 0)\n"
    for block in read_blocks(src, "t.sire"):
        s = run_block(s, block.rex)
    return s


def rebuilt(s: State):
    return from_tree(make_tab({k: bind_pin(b, s.known) for k, b in s.scope.items()})).force()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["add", "replace", "remove"]), st.integers(0, 40)),
                max_size=30), st.integers(0, 3))
def test_incremental_scope_tab_equals_a_rebuilt_one(steps, seed):
    s = loaded_state()
    binds = list(s.scope.values())
    rng = random.Random(seed)
    s.scope_plan()
    for op, n in steps:
        key = 1000 + n
        if op == "remove":
            if s.scope:
                del s.scope[rng.choice(sorted(s.scope))]
            s.touch_scope()
        else:
            name = key if op == "add" else rng.choice(sorted(s.scope) or [key])
            s.scope[name] = rng.choice(binds)
            s.touch_scope(name if rng.random() < 0.7 else None)   # as define does, or unknown
        if rng.random() < 0.5:
            assert s.scope_plan() == rebuilt(s)
    s.touch_scope()
    assert s.scope_plan() == rebuilt(s)


def test_a_copy_keeps_its_own_scope_tab():
    s = loaded_state()
    before = s.scope_plan()
    t = s.copy()
    t.scope[999] = next(iter(t.scope.values()))
    t.touch_scope()
    assert t.scope_plan() == rebuilt(t)
    assert s.scope_plan() == before == rebuilt(s)

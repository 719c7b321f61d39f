"""Deeply nested Sire: a block nested 20,000 levels deep reads, compiles,
evaluates and prints with the Python stack kept shallow (the reader runs on
the walk trampoline), both in the bare context and under a macro that
rewrites its node (tests/data/sire/t_deep.sire); and a Sire error points at
the offending symbol with its source line and a caret."""

from __future__ import annotations

import sys
from contextlib import contextmanager

import pytest

from pallas_kernel import plan, rex
from pallas_kernel.sire.commands import run_block
from pallas_kernel.sire.failure import SireFailure, printed
from pallas_kernel.sire.modules import Loader
from pallas_kernel.sire.state import State
from helpers import DATA as TEST_DATA

DATA = TEST_DATA / "sire"
DEEP = 20_000
HEADROOM = 150  # frames above the caller the whole run may use


def _depth() -> int:
    frame, n = sys._getframe(), 0
    while frame is not None:
        frame, n = frame.f_back, n + 1
    return n


@contextmanager
def shallow_stack():
    """Run with the recursion limit just above the current depth, so any
    recursion on the input's depth fails loudly."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(_depth() + HEADROOM)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def run_source(state: State, source: str) -> list:
    """Run every block of ``source`` (shallow stack); what was output."""
    seen: list = []
    blocks = list(rex.read_blocks(source, "deep.sire"))
    with shallow_stack():
        for block in blocks:
            assert not block.errors, block.errors
            state = run_block(state, block.rex, "deep.sire", lambda k, x: seen.append((k, x)))
    return seen


def value_of(state: State, source: str):
    """The value of the last expression of ``source``: an int if it is a
    nat, else its printed form."""
    seen = run_source(state, source)
    assert seen[-1][0] == "value"
    v = seen[-1][1]
    if v.kind == "nat":
        return int(v)
    with shallow_stack():
        return plan.show(v)


@pytest.fixture(scope="module")
def deep_module() -> State:
    return Loader(include=[str(DATA)]).load("t_deep")


# ----- the bare context ----------------------------------------------------------

def test_nested_applications():
    assert value_of(State(), "(3 " * DEEP + "0" + ")" * DEEP + "\n") == DEEP


def test_nested_open_bars_through_heirs():
    # each "| 3" line is the heir of the one above: (3 (3 (3 ... 0)))
    assert value_of(State(), "| 3\n" * DEEP + "0\n") == DEEP


def test_nested_lets():
    src = "(@ x 0 " + "(@ x (3 x) " * DEEP + "x" + ")" * (DEEP + 1) + "\n"
    assert value_of(State(), src) == DEEP


def test_nested_lambdas():
    n = DEEP // 2  # each level is a lambda and an application: 20,000 deep
    body = "a"
    for _ in range(n):
        body = "(3 ((& (a) " + body + ") a))"
    assert value_of(State(), "((& (a) " + body + ") 0)\n") == n


def test_nested_definition_body_and_law():
    src = "(f a)=(" + "(3 " * DEEP + "a" + ")" * DEEP + ")\n\n(f 5)\n"
    assert value_of(State(), src) == DEEP + 5


def test_deep_value_prints():
    # 5,000 nested lambdas: laws within laws print without recursion
    n = 5000
    src = "(& (a) " * n + "a" + ")" * n + "\n"
    assert value_of(State(), src).count("{") == n


# ----- under a macro -------------------------------------------------------------

def test_macro_nested_ten_thousand_deep(deep_module):
    n = 10_000
    src = "(% 3 " * n + "0" + ")" * n + "\n"
    assert value_of(deep_module, src) == n


def test_macro_with_a_hundred_thousand_arguments(deep_module):
    n = 100_000
    src = f"(% 0 0 {n + 1} 0 " + " ".join(str(i) for i in range(n)) + ")\n"
    shown = value_of(deep_module, src)
    assert shown.startswith(f"[{n - 1} {n - 2} ") and shown.endswith(" 1 0]")


def test_macro_node_inside_deep_bare_nesting(deep_module):
    src = "(3 " * DEEP + "(% 3 1)" + ")" * DEEP + "\n"
    assert value_of(deep_module, src) == DEEP + 2


# ----- error places --------------------------------------------------------------

def test_unresolved_name_points_at_itself():
    src = "= x\n  | 3\n  | 0 (0 2 (0 3 (3 nowhere)))\n"
    block = rex.read(src, "e.sire")
    with pytest.raises(SireFailure) as e:
        run_block(State(), block, "e.sire")
    assert (e.value.span.line, e.value.span.column) == (3, 20)
    text = str(e.value)
    head, line, caret = text.split("\n")[:3]
    assert head == "e.sire:3:20: error: Unresolved symbol: nowhere"
    assert line == "      | 0 (0 2 (0 3 (3 nowhere)))"
    assert caret == "    " + " " * 19 + "^" * len("nowhere")


def test_error_deep_in_a_deep_block_names_its_line():
    lines = ["| 3"] * 5000 + ["| 3 (3 missing)", "0"]
    with pytest.raises(SireFailure) as e:
        run_source(State(), "\n".join(lines) + "\n")
    assert (e.value.span.line, e.value.span.column) == (5001, 8)
    assert "deep.sire:5001:8" in str(e.value) and "^^^^^^^" in str(e.value)


def test_error_in_a_long_line_shows_a_window():
    src = "(0 " + "1 " * 50_000 + "gone " + "1 " * 50_000 + ")\n"
    with pytest.raises(SireFailure) as e:
        run_source(State(), src)
    text = str(e.value)
    assert len(text) < 1000 and "gone" in text and "…" in text
    line, caret = text.split("\n")[1:3]
    assert line[caret.index("^"):].startswith("gone")


def test_macro_made_tree_is_printed_and_blamed_on_the_call(deep_module):
    # the macro turns (% 3 zz) into (3 zz): zz has no span of its own
    src = "x=(% 3 zz)\n"
    with pytest.raises(SireFailure) as e:
        run_source(deep_module, src)
    text = str(e.value)
    assert "Unresolved symbol: zz" in text and "deep.sire:1:3" in text
    assert "x=(% 3 zz)" in text and text.rstrip().endswith("zz")


def test_deep_rex_prints_in_messages():
    block = rex.read("(3 " * DEEP + "0" + ")" * DEEP + "\n")
    with shallow_stack():
        text = printed(block)
    assert text.startswith("(3 (3 ") and text.endswith("…")

"""Macro results are Rex values decoded lazily (pallas_kernel.rex.from_plan):
a malformed part met while the result is read, at any depth, fails as an
invalid macro expansion result placed at the form the user wrote, and a
well-formed result is read as before; printers refuse malformed Rex values
quietly (they print them as PLAN)."""

from __future__ import annotations

import pytest

from pallas_kernel import plan, rex
from pallas_kernel.sire.commands import run_block
from pallas_kernel.sire.failure import SireFailure
from pallas_kernel.sire.modules import Loader
from pallas_kernel.sire.show import show_value
from pallas_kernel.sire.state import State
from helpers import DATA

#: Rex constructors and macros whose results are malformed at various depths
SOURCE = """\
= ({##OPEN} r s h z)   .{##OPEN}
= ({##WORD} t h z)     .{##WORD}
= ({?@#} st rex err ok) (ok st 5)
= ({?@?} st rex err ok) (ok st (.{##OPEN} {|} 5 0))
= ({?@!} st rex err ok) (ok st (.{##OPEN} {|} (0 0 2 0 (.{##OPEN} 7 0 0)) 0))
= ({?@%} st rex err ok) (ok st (.{##WORD} {x} 9))
= ({?@&} st rex err ok) (ok st (.{##OPEN} {|} (0 0 4 0 (.{##EMBD} 4) (.{##WORD} {3} 0) (.{##WORD} {k} 0)) 0))
"""


def run(state: State, source: str) -> State:
    for block in rex.read_blocks(source, "m.sire"):
        assert not block.errors, block.errors
        state = run_block(state, block.rex, "m.sire")
    return state


@pytest.fixture(scope="module")
def macros() -> State:
    return run(Loader(include=[str(DATA / "sire")]).load("t_next"), SOURCE)


@pytest.mark.parametrize("source,column,reason", [
    ("(?@#)\n", 1, "not a Rex constructor applied to its fields"),
    ("x=(?@?)\n", 3, "the sons of a node are not a row"),
    ("y=(?@!)\n", 3, "the sons of a node are not a row"),
    ("(?@!)\n", 1, "the sons of a node are not a row"),
    ("z=(?@%)\n", 3, "not a Rex constructor applied to its fields"),
])
def test_malformed_results_fail_at_the_users_form(macros, source, column, reason):
    with pytest.raises(SireFailure) as e:
        run(macros, source)
    failure = e.value
    assert failure.kind == "macro"
    assert failure.reason == f"Invalid macro expansion result: malformed rex: {reason}"
    assert (failure.span.file, failure.span.line, failure.span.column) == ("m.sire", 1, column)


def test_well_formed_result_is_read(macros):
    """``| k 3 4`` with the 4 embedded: the constant function gives 3."""
    seen: list = []
    for block in rex.read_blocks("(?@&)\n", "m.sire"):
        run_block(macros, block.rex, "m.sire", lambda k, x: seen.append((k, x)))
    assert [(k, int(x)) for k, x in seen] == [("value", 3)]


def test_printers_fall_back_to_plan_for_malformed_rex():
    word = plan.read('(<{"##WORD" 3 0}> "x" 0)').force()
    assert show_value(word) == "x"
    bad = plan.read('(<{"##OPEN" 4 0}> "|" 5 0)').force()   # sons 5: not a row
    assert show_value(bad) == "((4 (0 {##OPEN} 4 0)) 124 5 0)"     # printed as data

"""Running cells on a session (pallas_kernel/kernel/cells.py), without Jupyter:
blocks in order, the first failure ends the cell and earlier blocks keep
their effect, Ctrl-C puts the state back as before the cell, and the outcome
describes the cell for a recorder."""

from __future__ import annotations

import pytest

from pallas_kernel.kernel.cells import CellRunner, cell_chunks, failure_report
from pallas_kernel.kernel.kernel import start_session


class Sink:
    """Collects a cell's output in order."""

    def __init__(self, interrupt_on: str = ""):
        self.items: list[tuple[str, str]] = []
        self.interrupt_on = interrupt_on
        self.session = None

    def text(self, text: str, stream: str) -> None:
        self.items.append((stream, text))
        if self.interrupt_on and self.interrupt_on in text:
            raise KeyboardInterrupt

    def value(self, value) -> None:
        self.items.append(("value", self.session.show(value)))


@pytest.fixture(scope="module")
def runner():
    session, problem = start_session()
    assert problem == ""
    return CellRunner(session)


def run(runner: CellRunner, text: str, file: str = "In[1]", **kw):
    sink = Sink(**kw)
    sink.session = runner.session
    return runner.run(text, file, sink), sink.items


def test_chunks_follow_the_blocks():
    text = "; a comment\nx=1\n\n= (f a)\n| add a 1\n\n(f x)"
    assert cell_chunks(text, "c") == [(2, "x=1\n"), (4, "= (f a)\n| add a 1\n"), (7, "(f x)")]
    assert cell_chunks("", "c") == []


def test_outputs_in_order_and_the_outcome(runner):
    out, items = run(runner, "a1=5\n(trk {hi there} (add a1 1))\n(add a1 2)")
    assert out.status == "ok" and out.blocks == 3
    assert items == [("stdout", "a1=5"), ("stdout", "{hi there}"), ("value", "6"), ("value", "7")]
    assert out.outputs == ["a1=5", "{hi there}", "6", "7"]
    assert out.defined == {"a1": 1}
    assert out.source.startswith("a1=5") and out.file == "In[1]"


def test_first_failure_ends_the_cell_and_earlier_blocks_stay(runner):
    out, items = run(runner, "b1=1\n(nope 2)\nb2=2", "In[7]")
    assert out.status == "error"
    assert ("stdout", "b1=1") in items and ("stdout", "b2=2") not in items
    assert runner.session.binding("b1") is not None
    assert runner.session.binding("b2") is None
    ename, evalue, tb = failure_report(out.failures)
    assert ename == "parse" and "nope" in evalue
    assert tb[0].startswith("In[7]:2:1: ")
    assert tb[1].strip() == "(nope 2)" and tb[2].strip() == "^"
    assert not any("Traceback" in line for line in tb)


def test_syntax_error_is_reported_with_its_place(runner):
    out, _ = run(runner, "c1=1\n(add 1", "In[8]")
    assert out.status == "error"
    _, _, tb = failure_report(out.failures)
    assert tb[0].startswith("In[8]:2:")
    assert runner.session.binding("c1") is not None


def test_interrupt_restores_the_state_before_the_cell(runner):
    run(runner, "d0=0")
    out, items = run(runner, "d1=1\n(trk {stop here} 0)\nd2=2", interrupt_on="stop here")
    assert out.status == "interrupted"
    assert out.defined == {}
    assert runner.session.binding("d0") is not None
    assert runner.session.binding("d1") is None and runner.session.binding("d2") is None
    _, _, tb = failure_report(out.failures)
    assert "interrupted" in tb[0] and "before the cell" in tb[0]
    again, _ = run(runner, "(add d0 1)")
    assert again.ok and again.outputs == ["1"]


def test_comment_only_cell_does_nothing(runner):
    out, items = run(runner, "; nothing here\n")
    assert out.ok and out.blocks == 0 and items == []

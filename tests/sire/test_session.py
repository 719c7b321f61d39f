"""The Sire session: typed events, all-or-nothing blocks, interrupts, two
sessions side by side, saving and restoring, names and descriptions."""

from __future__ import annotations

import signal

import pytest

from pallas_kernel import plan
from pallas_kernel.sire.session import Evaluated, Failed, Session, Traced

from helpers import DATA as TEST_DATA

DATA = TEST_DATA / "sire"


def session(*modules: str) -> Session:
    s = Session(include=[str(DATA)])
    for m in modules:
        assert s.load(m).ok
    return s


def kinds(result) -> list[str]:
    return [type(e).__name__ for e in result.events]


def test_run_reports_typed_events_in_order():
    s = session("t_last")
    r = s.run("x=(k 7 0)\n\n(k x 1)\n\n=?= 7 x\n")
    assert r.ok and r.blocks == 3
    assert kinds(r) == ["Defined", "Evaluated", "Asserted"]
    d, e, a = r.events
    assert d.name == "x" and int(d.binding.value) == 7
    assert int(e.value) == 7
    assert a.text == "=?= 7 x"


def test_failure_names_the_place_and_shows_the_code():
    s = session("t_last")
    r = s.run("x=1\n\ny=(k x nothere)\n", file="cell", first_line=10)
    assert not r.ok and r.failed == 1 and r.blocks == 2
    f = r.failures()[0]
    assert (f.kind, f.file, f.line) == ("parse", "cell", 12)
    assert f.code == "y=(k x nothere)"
    msg = f.message()
    assert msg.startswith("cell:12:") and "Unresolved symbol: nothere" in msg
    assert "    y=(k x nothere)" in msg


def test_syntax_errors_are_failures_with_lines_of_the_whole_text():
    s = session()
    r = s.run("x=3\n\n(a\n", first_line=5)
    f = r.failures()[0]
    assert f.kind == "syntax" and f.line == 7 and f.code == "(a"


def test_a_block_is_all_or_nothing_and_reports_nothing_when_it_fails():
    s = session("t_last")
    r = s.run("* (z=1) (w=nothere)\n")
    assert [type(e) for e in r.events] == [Failed]   # no Defined for z: it was rolled back
    assert s.binding("z") is None
    assert "Unresolved symbol: z" in s.run("z\n").failures()[0].reason


def test_crash_is_a_failure_and_the_state_stays():
    s = session("t_last")
    s.run("x=5\n")
    r = s.run("y=(0 0 0 0)\n\n(x 1)\n\ny=(x)\n")
    assert [e.kind for e in r.failures()][:1] == ["crash"]
    assert int(s.run("x\n").events[0].value) == 5


def test_trace_output_streams_through_on_event():
    s = session("t_base")
    seen = []
    r0 = s.run("(_Trace x y)=y\n")
    h = r0.events[0].binding.value.pin_hash()
    s2 = Session(s.state, include=[str(DATA)], jets=[("_Trace", h)])
    s2.run("(_Trace x y)=y\n")
    r = s2.run("(_Trace 9 3)\n", on_event=seen.append)
    assert [type(e) for e in seen] == [Traced, Evaluated]
    assert int(seen[0].value) == 9 and int(seen[1].value) == 3
    assert r.events == seen
    # the jet table is as it was outside the session's run
    assert ("_Trace", h) not in [(n, x) for n, x in plan.jet_table()]


def test_two_sessions_do_not_disturb_each_other():
    a, b = session("t_last"), session("t_last")
    a.run("x=1\n")
    b.run("x=2\n")
    assert int(a.run("x\n").events[0].value) == 1
    assert int(b.run("x\n").events[0].value) == 2
    assert a.binding("x").key != 0 and b.binding("x") is not a.binding("x")


def _spin_session() -> Session:
    s = session("t_last")
    assert s.run("keep=42\n\n(spin n)=(spin n)\n").ok
    return s


def test_keyboard_interrupt_aborts_the_block_only():
    s = _spin_session()
    old = signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        r = s.run("lost=(spin 1)\n\nnever=3\n")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert [e.kind for e in r.failures()] == ["interrupted"]
    assert r.blocks == 1                     # the text's later blocks did not run
    assert s.binding("lost") is None and s.binding("never") is None
    assert int(s.run("keep\n").events[0].value) == 42


def test_save_and_restore_as_one_pin():
    s = session("t_last")
    s.run("x=(k 7 0)\n\n(f a)=(k a x)\n")
    pin = s.save()
    assert pin.kind == "pin"
    back = Session.restore(plan.load_seed(plan.save_seed(pin)), include=[str(DATA)])
    assert back.names() == s.names()
    assert int(back.run("(f 3)\n").events[0].value) == 3
    r = back.run("y=4\n")
    assert r.events[0].binding.key == s.run("y=4\n").events[0].binding.key  # same key counter
    assert back.save().pin_hash() != pin.pin_hash()


def test_restore_refuses_what_is_not_a_saved_state():
    with pytest.raises(Exception, match="pin"):
        Session.restore(plan.nat(3))


def test_names_and_describe():
    s = session("t_last")
    s.run("x=(k 7 0)\n\n(g a b c)=a\n\nh=(g 1)\n")
    names = s.names()
    assert {"k", "x", "g", "h", "main", "three"} <= set(names) and names == sorted(names)
    k = s.describe("k")
    assert (k.kind, k.arity, k.module) == ("pin", 2, "t_base")
    assert k.pin_hash == plan.hash_b58(k.value) and k.jet is False
    assert k.file.endswith("t_base.sire") and k.line == 12
    h = s.describe("h")
    assert (h.kind, h.arity, h.module) == ("app", 2, "REPL")
    assert s.describe("x").kind == "nat" and s.describe("x").arity == 0
    assert s.describe("nothere") is None
    iff = session("t_base").describe("_If")
    assert iff.jet is True and "jet name" in iff.doc


def test_load_failures_are_events():
    s = Session(include=[str(DATA)])
    r = s.load("no_such_module")
    assert not r.ok and r.failures()[0].kind == "module"
    r = s.load("t_badassert")
    f = r.failures()[0]
    assert f.kind == "assert" and f.file.endswith("t_badassert.sire") and f.code
    assert s.names() == []                    # nothing of the failed chain is in scope


def test_a_module_whose_header_names_another_module(tmp_path):
    (tmp_path / "mine.sire").write_text("#### other\n\nx=3\n")
    s = Session(include=[str(tmp_path)])
    f = s.load("mine").failures()[0]
    assert "declares module other" in f.reason and f.line == 1 and f.code == "#### other"
    (tmp_path / "mine.sire").write_text("#### mine <- nowhere\n")
    f = s.load("mine").failures()[0]
    assert "module nowhere not found" in f.reason and f.file.endswith("mine.sire")


def test_a_failure_on_a_long_line_shows_a_window_around_the_place():
    s = session()
    line = "x=(0 " + "1 " * 100_000 + " nothere 5)"
    f = s.run(line).failures()[0]
    assert f.column == line.index("nothere") + 1 and f.code == line
    msg = f.message()
    assert len(msg) < 400
    code, caret = msg.splitlines()[1:3]
    assert code.lstrip().startswith("…") and "nothere 5)" in code
    assert caret.index("^") == code.index("nothere") and caret.count("^") == len("nothere")


def test_out_of_memory_is_a_failure_and_the_state_stays():
    s = session("t_last")
    s.run("keep=42\n")
    with plan.memory_limit(64 << 20):   # a loop that holds ever more rows
        grow = s.run("(grow n)=(grow (0 0 3 0 n n))\n\nlost=(grow 1)\n")
    f = grow.failures()[-1]
    assert f.kind == "memory" and f.line == 3
    assert f.message().splitlines()[0] == f"<input>:3:1: out of memory: {f.reason}"
    assert int(s.run("keep\n").events[0].value) == 42
    assert s.binding("grow") is not None and s.binding("lost") is None

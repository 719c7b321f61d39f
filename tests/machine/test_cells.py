"""Cell events (a notebook's machine): each records what the cell was and
the Sire session state it left, as two pins; a reopened machine has the
session of the last cell back without compiling anything, loaded only when
asked for; cell and cog events share one log."""

from __future__ import annotations

import pytest

from pallas_kernel import plan
from pallas_kernel.errors import MachineError
from pallas_kernel.machine.runtime import Machine, describe_event, read_cell
from pallas_kernel.sire.session import Session


def info(n: int) -> plan.Value:
    return plan.read(f"[{n} 7]").force()


def session_with(text: str) -> Session:
    s = Session()
    assert s.run(text).ok
    return s


def test_the_last_cells_session_comes_back(tmp_path):
    path = tmp_path / "nb"
    Machine.boot(path, None)
    with Machine.open(path) as m:
        assert m.cogs == {} and m.session is None
        s = session_with("x=3")
        assert m.record_cell(info(1), s.save()) == 1
        assert s.run("y=x").ok
        assert m.record_cell(info(2), s.save()) == 2
        live = m.state_hash()
    with Machine.open(path) as m:
        assert m._session is None                  # not loaded until asked for
        back = Session.restore(m.session)
        assert plan.show(back.binding("y").value) == "3"
        assert m.state_hash() == live
        line = describe_event(m.store, 2, m.store.event(2))
        assert line.startswith("2 cell [2 7] session ")
        assert plan.show(read_cell(m.store, 1, m.store.event(1))[0]) == "[1 7]"


def test_a_snapshot_holds_the_session(tmp_path):
    path = tmp_path / "nb"
    Machine.boot(path, None)
    with Machine.open(path) as m:
        m.record_cell(info(1), session_with("z=5").save())
        m.snapshot()
    with Machine.open(path) as m:
        assert plan.show(Session.restore(m.session).binding("z").value) == "5"


def test_a_cell_session_must_be_a_pin(tmp_path):
    path = tmp_path / "nb"
    Machine.boot(path, None)
    with Machine.open(path) as m:
        with pytest.raises(MachineError, match="must be a pin"):
            m.record_cell(info(1), plan.nat(3))
        assert m.last_event() == 0


def test_the_owner_spins_and_stops_cogs_as_events(tmp_path):
    from pallas_kernel.sire.library import library_dir
    s = Session(include=[str(library_dir())])
    assert s.load("demo_counter").ok
    path = tmp_path / "nb"
    Machine.boot(path, None)
    with Machine.open(path) as m:
        first = m.spin(s.binding("main").value)
        second = m.spin(s.binding("main").value)
        assert (first, second) == (0, 1)
        m.deliver(first, {0: 100})
        m.stop(second)
        with pytest.raises(MachineError, match="no cog 7"):
            m.stop(7)
        live = m.state_hash()
        lines = [describe_event(m.store, n, r) for n, r in m.store.events()]
    assert lines[0] == "1 spin cog 0" and lines[3] == "4 stop cog 1"
    with Machine.open(path) as m:
        assert sorted(m.cogs) == [0] and m.state_hash() == live

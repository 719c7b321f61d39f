"""The machine's runtime core (pallas_kernel.machine.runtime): boot a cog
into a store, answer its requests by hand, and check that every step is
logged so that reopening the store (from any snapshot) gives the same state
and the cog goes on from where it stopped; crashing and runaway steps stop
their cog, are logged too, and the machine goes on."""

from __future__ import annotations

import functools

import pytest

from pallas_kernel import plan
from pallas_kernel.errors import MachineError
from pallas_kernel.machine.runtime import Machine, read_event
from pallas_kernel.sire.library import library_dir
from pallas_kernel.sire.session import Session

CRASHERS = """
= (spin n) | spin (inc n)

= (crashOn k) | syscall TIME_WHEN (now & die now)

= (spinOn k) | syscall TIME_WHEN (now & spin now)

crashCog=(runCog crashOn)

spinCog=(runCog spinOn)
"""


@functools.lru_cache(maxsize=None)
def session() -> Session:
    """demo_counter loaded (once per run), with two misbehaving cogs."""
    s = Session(include=[str(library_dir())])
    assert s.load("demo_counter").ok
    r = s.run(CRASHERS)
    assert r.ok, [f.message() for f in r.failures()]
    return s


def value(name: str) -> plan.Value:
    return session().binding(name).value


def shown(values) -> list[str]:
    return [plan.show(v) for v in values]


WHEN = ['["time" 0 "when"]']


def wait(t: int) -> list[str]:
    return [f'["time" 0 "wait" {t}]']


def count_rounds(m: Machine, start: int, rounds: int) -> list[str]:
    """Answer the counter's time requests for ``rounds`` seconds from
    ``start``; the counts it printed."""
    out: list[str] = []
    m.on_trace = lambda v: out.append(plan.show(v))
    for i in range(rounds):
        now = start + i
        assert shown(m.requests(0)) == WHEN
        assert m.deliver(0, {0: now}) == "ok"
        assert shown(m.requests(0)) == wait(now + 1)
        assert m.deliver(0, {0: 0}) == "ok"
    return out


@pytest.fixture
def booted(tmp_path):
    path = tmp_path / "store"
    Machine.boot(path, value("main"))
    return path


def test_boot_writes_snapshot_zero_and_no_events(booted):
    with Machine.open(booted) as m:
        assert m.last_event() == 0
        assert m.store.snapshots() == [0]
        assert m.status(0) == "live"
        assert shown(m.requests(0)) == WHEN
        assert m.cog(0).serialize() == value("main").force().serialize()


def test_the_counter_goes_on_after_reopening(booted):
    with Machine.open(booted) as m:
        assert count_rounds(m, 100, 3) == ['["count" 1]', '["count" 2]', '["count" 3]']
        assert m.last_event() == 6
        before = m.state_hash()
        state = m.state()
    with Machine.open(booted) as m:        # replayed from snapshot 0
        assert m.state_hash() == before
        assert m.state().serialize() == state.serialize()
        assert count_rounds(m, 200, 2) == ['["count" 4]', '["count" 5]']


def test_every_step_is_in_the_log(booted):
    with Machine.open(booted) as m:
        count_rounds(m, 100, 2)
        events = [read_event(m.store, n, r) for n, r in m.store.events()]
    assert [(c, plan.show(t), o) for c, t, o, _, _ in events] == [
        (0, "#[0=[1 100]]", "ok"), (0, "#[0=[1 0]]", "ok"), (0, "#[0=[1 101]]", "ok"), (0, "#[0=[1 0]]", "ok")]


def test_replay_from_any_snapshot_gives_the_same_state(booted):
    with Machine.open(booted) as m:
        count_rounds(m, 100, 2)
        assert m.snapshot() == 4
        count_rounds(m, 102, 1)
        m.deliver(0, {0: 103})
        final = m.state_hash()
    with Machine.open(booted) as m:
        assert m.state_hash() == final
    with Machine.open(booted, snapshot_at_most=0) as m:
        assert m.state_hash() == final
        assert shown(m.requests(0)) == wait(104)


def test_a_snapshot_of_the_last_event_needs_no_replay(booted):
    with Machine.open(booted) as m:
        count_rounds(m, 100, 1)
        m.snapshot()
        h = m.state_hash()
    with Machine.open(booted) as m:
        assert m.store.latest_snapshot()[0] == m.last_event() == 2
        assert m.state_hash() == h


def test_a_crashing_cog_is_recorded_and_the_machine_goes_on(tmp_path):
    path = tmp_path / "store"
    Machine.boot(path, value("crashCog"))
    with Machine.open(path) as m:
        assert shown(m.requests(0)) == WHEN
        before = m.cog(0)
        assert m.deliver(0, {0: 5}) == "crash"
        assert m.status(0) == "crashed"
        assert m.requests(0) == []
        assert m.cog(0).serialize() == before.serialize()
        assert m.last_event() == 1
        with pytest.raises(MachineError, match="cog 0 is not running"):
            m.deliver(0, {0: 6})
        assert m.last_event() == 1
        h = m.state_hash()
    with Machine.open(path) as m:
        assert m.status(0) == "crashed"
        assert m.state_hash() == h


def test_a_runaway_step_times_out_and_is_recorded(tmp_path):
    path = tmp_path / "store"
    Machine.boot(path, value("spinCog"))
    with Machine.open(path, time_limit=0.3) as m:
        assert m.deliver(0, {0: 5}) == "timeout"
        assert m.status(0) == "timeout"
        assert m.requests(0) == []
        h = m.state_hash()
    with Machine.open(path, time_limit=0.3) as m:   # not run again on replay
        assert m.status(0) == "timeout"
        assert m.state_hash() == h


def test_answers_for_a_missing_cog_are_refused(booted):
    with Machine.open(booted) as m:
        with pytest.raises(MachineError, match="no cog 7"):
            m.deliver(7, {0: 1})
        assert m.last_event() == 0


def test_a_store_that_was_never_booted_is_refused(tmp_path):
    from pallas_kernel.machine.store import Store
    Store.create(tmp_path / "s").close()
    with pytest.raises(MachineError, match="no snapshot"):
        Machine.open(tmp_path / "s")


def test_bad_answers_are_refused_before_anything_is_logged(booted):
    with Machine.open(booted) as m:
        with pytest.raises(MachineError, match="slot must be a nat"):
            m.deliver(0, {-1: 5})
        with pytest.raises(MachineError, match="answer for slot 0 is not a PLAN value"):
            m.deliver(0, {0: "now"})
        assert m.last_event() == 0
        assert shown(m.requests(0)) == WHEN


def test_an_interrupted_step_is_not_logged_and_changes_nothing(booted):
    """Ctrl-C (here raised from the trk hook, inside the evaluation) aborts
    the step: no event, same state, and the cog can still be answered."""
    with Machine.open(booted) as m:
        m.deliver(0, {0: 100})
        before = m.state_hash()

        def interrupt(_):
            raise KeyboardInterrupt

        m.on_trace = interrupt
        with pytest.raises(KeyboardInterrupt):
            m.deliver(0, {0: 0})
        assert m.last_event() == 1
        assert m.state_hash() == before
        m.on_trace = None
        assert m.deliver(0, {0: 0}) == "ok"
        assert m.last_event() == 2

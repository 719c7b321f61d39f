"""The machine running live (pallas_kernel.machine.loop and service): cogs
written in Sire ask the real devices, the loop answers them as logged
events, prints their trk output after each commit, and stops when no cog
has anything left to ask. Replaying the log gives the state the live run
ended with."""

from __future__ import annotations

import functools
import io
import re
import threading

import pytest

from pallas_kernel import plan
from pallas_kernel.machine.runtime import Machine
from pallas_kernel.machine.service import start
from pallas_kernel.sire.library import library_dir
from pallas_kernel.sire.session import Session

PROGRAMS = """
= (countTo n i k)
| trk [%count i]
| if (gte i n) (k 0)
: now < syscall TIME_WHEN
| countTo n (inc i) k

countFive=(runCog (countTo 5 0))

= (child k)
: _ < syscall TIME_WHEN
| k 0

= (spinReap k)
: id < syscall (COG_SPIN (runCog child))
| trk [%spun id]
: st < syscall (COG_REAP id)
| trk [%reaped (idx 0 (idx 0 st))]
| k 0

spinReapCog=(runCog spinReap)

= (teller k)
: r < syscall (COG_TELL %ch (asker msg & [(add msg 1) [%heard asker msg]]))
| trk r
| k 0

= (askOf dst k)
: r < syscall (COG_ASK dst %ch 41)
| trk [%got r]
| k 0

= (askTell k)
: t < syscall (COG_SPIN (runCog teller))
: _ < syscall (COG_SPIN (runCog (askOf t)))
| k 0

askTellCog=(runCog askTell)

= (sleeper k)
: _ < syscall (TIME_WAIT 99999999999)
| k 0

= (stopper k)
: id < syscall (COG_SPIN (runCog sleeper))
: me < syscall COG_WHO
| trk [%me me]
: st < syscall (COG_STOP id)
| trk [%stopped (idx 0 (idx 0 st))]
: w < syscall (COG_WAIT id)
| trk [%waited w]
| k 0

stopperCog=(runCog stopper)

= (oddities k)
: b < syscall (RAND_BYTE 16)
| trk [%rand (barLen b)]
: r < syscall [%nope 1 2]
| trk [%nope r]
: r < syscall [%time 0 %sometime]
| trk [%bad r]
: s < syscall (WHAT %[])
| trk [%what s]
| k 0

odditiesCog=(runCog oddities)
"""


@functools.lru_cache(maxsize=None)
def session() -> Session:
    s = Session(include=[str(library_dir())])
    assert s.load("demo_counter").ok
    r = s.run(PROGRAMS)
    assert r.ok, [f.message() for f in r.failures()]
    return s


def traces(out: str) -> list[str]:
    """The trk messages printed, without their timestamp lines."""
    return [line[3:] for line in out.splitlines()
            if line.startswith("++ ") and not line.startswith("++ [%trk ")]


def run(tmp_path, name: str, **kwargs) -> tuple[str, str, object]:
    """Boot the cog bound to ``name`` and start it until it is idle: the
    reason, the output, and the store's path."""
    path = tmp_path / name
    Machine.boot(path, session().binding(name).value)
    out = io.StringIO()
    reason = start(path, out=out, time_limit=5.0, **kwargs)
    return reason, out.getvalue(), path


def test_a_cog_that_finishes_shuts_the_machine_down(tmp_path):
    reason, out, path = run(tmp_path, "countFive")
    assert reason == "idle"
    assert traces(out) == [f"[%count {i}]" for i in range(1, 6)]
    assert out.rstrip().endswith("Shutting down...")
    # count 0 was printed when the cog was made; 5 answers of `when`
    with Machine.open(path) as m:
        assert m.last_event() == 5
        assert m.requests(0) == [plan.nat(0)] or all(plan.show(r) == "0" for r in m.requests(0))
        # the exit snapshot is of the last event
        assert m.store.latest_snapshot()[0] == 5


def test_trk_output_has_the_reference_layout(tmp_path):
    _, out, _ = run(tmp_path, "countFive")
    first = out.splitlines()[:3]
    assert re.fullmatch(r"\+\+ \[%trk \{\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z\}\]", first[0])
    assert first[1:] == ["++ [%count 1]", ""]


def test_spin_then_reap(tmp_path):
    reason, out, path = run(tmp_path, "spinReapCog")
    assert reason == "idle"
    assert traces(out) == ["[%spun 1]", "[%reaped %live]"]
    with Machine.open(path) as m:
        assert sorted(m.cogs) == [0]           # the child was removed


def test_ask_meets_tell(tmp_path):
    reason, out, path = run(tmp_path, "askTellCog")
    assert reason == "idle"
    assert sorted(traces(out)) == ["[%got (0 42)]", "[%heard 2 41]"]


def test_stop_who_and_wait(tmp_path):
    reason, out, path = run(tmp_path, "stopperCog")
    assert reason == "idle"
    assert traces(out) == ["[%me 0]", "[%stopped %live]", "[%waited 0]"]


def test_unknown_and_malformed_requests_get_zero_and_a_warning(tmp_path):
    reason, out, _ = run(tmp_path, "odditiesCog")
    assert reason == "idle"
    got = traces(out)
    assert got[:3] == ["[%rand 16]", "[%nope 0]", "[%bad 0]"]
    assert re.fullmatch(r"\[%what %\[.*cog.*rand.*time.*what.*\]\]", got[3]) or "cog" in got[3]
    assert "no such device: 'nope'" in out
    assert "a time request is" in out


@pytest.mark.parametrize("name", ["countFive", "spinReapCog", "askTellCog", "stopperCog"])
def test_replaying_the_log_gives_the_live_state(tmp_path, name):
    _, _, path = run(tmp_path, name)
    with Machine.open(path) as m:
        live = m.state_hash()
    with Machine.open(path, snapshot_at_most=0) as m:
        assert m.state_hash() == live


def test_stop_finishes_the_round_commits_and_snapshots(tmp_path):
    path = tmp_path / "counter"
    Machine.boot(path, session().binding("main").value)
    out = io.StringIO()

    def stop_soon(runner):
        threading.Timer(1.5, runner.stop).start()

    assert start(path, out=out, on_ready=stop_soon) == "stopped"
    with Machine.open(path) as m:
        assert m.last_event() >= 2
        assert m.store.latest_snapshot()[0] == m.last_event()
        counted = traces(out.getvalue())
    # a second run goes on counting where the first stopped
    out2 = io.StringIO()
    assert start(path, out=out2, on_ready=stop_soon) == "stopped"
    assert traces(out2.getvalue())[0] == f"[%count {len(counted) + 1}]"


def test_a_second_start_on_the_same_store_is_refused(tmp_path):
    from pallas_kernel.errors import StoreError
    path = tmp_path / "counter"
    Machine.boot(path, session().binding("main").value)
    errors = []

    def try_second(runner):
        try:
            start(path, out=io.StringIO())
        except StoreError as e:
            errors.append(str(e))
        runner.stop()

    start(path, out=io.StringIO(), on_ready=try_second)
    assert errors and "already open in this process" in errors[0]


class BrokenDevice:
    """A device whose answer cannot be built (a bug in a device)."""

    name = "broken"

    def __init__(self, hub):
        self.hub = hub

    def parse(self, key, args):
        return None

    def issue(self, key, request):
        from pallas_kernel.errors import SeedError

        def make():
            raise SeedError("not a seed")
        self.hub.answer(key, make)

    def cancel(self, key):
        pass

    def recompute(self, args):
        return None

    def close(self):
        pass


def test_a_device_whose_answer_fails_gives_zero_and_a_warning(tmp_path):
    from pallas_kernel.machine.service import standard_devices
    s = session()
    r = s.run("= (askBroken k)\n: r < syscall [%broken 1]\n| trk [%broken r]\n| k 0\n\n"
              "brokenCog=(runCog askBroken)")
    assert r.ok, [f.message() for f in r.failures()]
    reason, out, _ = run(tmp_path, "brokenCog", devices=standard_devices() + [BrokenDevice])
    assert reason == "idle"
    assert traces(out) == ["[%broken 0]"]
    assert "the broken device's answer failed (not a seed); answered 0" in out

"""The eval device (pallas_kernel.machine.devices.eval): jobs run in worker
processes under a time limit and come back through a hub; answers
``[result]``, ``[op arg]``, ``[]``; recomputed on replay; executors local
and dask."""

from __future__ import annotations

import dataclasses
import os
import queue
import threading
import time

import pytest

from helpers import hand_laws as h
from pallas_kernel import plan
from pallas_kernel.errors import MachineError
from pallas_kernel.machine.device import BadRequest, RequestKey
from pallas_kernel.machine.devices import eval as ev
from pallas_kernel.machine.devices import eval_worker

DIE = '{0 1 (0 (2 "die") 1)}'            # crashes with op "die" and its argument
SPIN = '<{"spin" 1 (0 0 1)}>'             # calls itself forever
HOLE = '<{"hole" 1 (1 2 2)}>'             # let x = x in x: a black hole
# deep n = if n then 1 + deep (n - 1) else 0: a stack n calls deep
DEEP = f'<{{"deep" 1 (0 (0 (0 {h.IF} 1) (0 ({h.ADD} 1) (0 0 (0 {h.DEC} 1)))) 0)}}>'


def v(text: str) -> plan.Value:
    return plan.read(text).force()


def name(text: str) -> int:
    return int.from_bytes(text.encode(), "little")


class FakeHub:
    """A hub whose answers wait in a queue until the test (the machine
    thread) takes them and runs their ``make``."""

    store_dir = ""

    def __init__(self) -> None:
        self.answers: queue.Queue = queue.Queue()
        self.threads: list[str] = []
        self.warnings: list[str] = []

    def answer(self, key, make, recomputable=False) -> None:
        self.threads.append(threading.current_thread().name)
        self.answers.put((key, make, recomputable))

    def call_soon(self, fn) -> None:
        self.answers.put((None, fn, False))

    def warn(self, text: str) -> None:
        self.warnings.append(text)

    def take(self, timeout: float = 60.0) -> tuple[RequestKey, str, bool]:
        """The next answer: its key, its value shown, and whether it is recomputable."""
        key, make, recomputable = self.answers.get(timeout=timeout)
        return key, plan.show(make()), recomputable

    def quiet_for(self, seconds: float) -> bool:
        try:
            self.answers.get(timeout=seconds)
        except queue.Empty:
            return True
        return False


class Run:
    """A device on a fake hub, with request keys numbered in order."""

    def __init__(self, executor: ev.ExecutorSpec = "local:2") -> None:
        self.hub = FakeHub()
        self.device = ev.EvalDevice(self.hub, executor)
        self.serial = 0

    def issue(self, secs, f: str, *args: str) -> RequestKey:
        self.serial += 1
        key = RequestKey(cog=0, slot=self.serial, serial=self.serial)
        request = [plan.nat(secs) if isinstance(secs, int) else v(secs), v(f)] + [v(a) for a in args]
        self.device.issue(key, self.device.parse(key, request))
        return key

    def warm(self) -> list[int]:
        """Start every worker of the local pool; their pids."""
        pool = self.device.executor()
        futures = [pool.submit(eval_worker.warm) for _ in range(pool._max_workers)]
        return [f.result() for f in futures]


@pytest.fixture
def run():
    r = Run()
    yield r
    r.device.close()


def test_a_job_answers_its_result_recomputably(run):
    key = run.issue(10, h.ADD, "20", "22")
    assert run.hub.take() == (key, "[42]", True)
    assert not any(t == threading.main_thread().name for t in run.hub.threads)


def test_a_job_of_the_function_alone(run):
    key = run.issue(10, f"({h.ADD} 1 2)")
    assert run.hub.take() == (key, "[3]", True)


def test_a_crash_answers_op_and_argument(run):
    key = run.issue(10, DIE, '[3 "hi"]')
    got = run.hub.take()
    assert got == (key, plan.show(ev._row([name("die"), v('[3 "hi"]')])), False)
    assert got[1] == '["die" [3 "hi"]]'


def test_calling_a_nat_crashes(run):
    key = run.issue(10, "7", "5")      # the nat 7 called with 5: crash op 7
    assert run.hub.take() == (key, "[7 5]", False)


def test_a_loop_answers_empty_after_the_time_limit(run):
    run.warm()
    start = time.monotonic()
    key = run.issue(1, SPIN, "0")
    assert run.hub.take() == (key, "[]", False)
    assert 0.9 < time.monotonic() - start < 10


def test_zero_seconds_times_out_at_once(run):
    key = run.issue(0, h.ADD, "1", "2")
    assert run.hub.take(timeout=1) == (key, "[]", False)


def test_failures_that_are_not_crashes_answer_with_a_clear_op(run):
    key = run.issue(10, HOLE, "0")
    k, shown, recomputable = run.hub.take()
    assert (k, recomputable) == (key, False)
    op, message = [plan.to_str(x) for x in _items(v(shown))]
    assert op == "loop" and "loop" in message


def _items(row: plan.Value) -> list:
    from pallas_kernel.plan.view import row_items
    return row_items(row)


def test_the_memory_limit_goes_with_the_job(run, monkeypatch):
    # the job takes the limit of when it was asked for: 1 MiB, so its stack
    # gets half of a MiB (this process's limit stays: its heap may be bigger)
    with monkeypatch.context() as m:
        m.setattr(plan, "get_memory_limit", lambda: 1 << 20)
        key = run.issue(30, DEEP, "3000000")
    k, shown, _ = run.hub.take()
    op, message = [plan.to_str(x) for x in _items(v(shown))]
    assert (k, op) == (key, "stack") and "stack" in message
    key = run.issue(30, DEEP, "1000")       # under the default limit it is fine
    assert run.hub.take() == (key, "[1000]", True)


def test_accepted_jets_go_with_the_job(run):
    # _Sub's legal code takes seconds for this; its jet, microseconds
    run.warm()
    sub = ("_Sub", v(h.SUB).pin_hash())
    args = [plan.nat(1), v(h.SUB), plan.nat(30000000), plan.nat(30000001)]
    with plan.accepting_jets([sub]):
        job = run.device.parse(RequestKey(0, 1, 1), args)
    assert sub in job.jets
    run.device.issue(RequestKey(0, 1, 1), job)
    assert run.hub.take() == (RequestKey(0, 1, 1), "[0]", True)
    # the same job with no jets shipped (the worker's own tables lack _Sub)
    bare = dataclasses.replace(job, jets=tuple(p for p in job.jets if p[0] != "_Sub"))
    run.device.issue(RequestKey(0, 2, 2), bare)
    assert run.hub.take() == (RequestKey(0, 2, 2), "[]", False)


def test_jobs_run_in_parallel(run):
    run.warm()                              # both workers started
    start = time.monotonic()
    keys = {run.issue(1, SPIN, "0"), run.issue(1, SPIN, "1")}
    got = {run.hub.take(), run.hub.take()}
    elapsed = time.monotonic() - start
    assert got == {(k, "[]", False) for k in keys}
    # each runs 1 s of wall-clock time; one after the other would take 2
    assert elapsed < 1.8, elapsed


def test_recompute_equals_the_live_answer(run):
    args = [plan.nat(10), v(h.NFIB), plan.nat(15)]
    key = RequestKey(0, 1, 1)
    run.device.issue(key, run.device.parse(key, args))
    live = run.hub.take()
    assert live == (key, f"[{h.py_nfib(15)}]", True)
    assert plan.show(run.device.recompute(args)) == live[1]


def test_recompute_of_a_crash_is_a_machine_error(run):
    with pytest.raises(MachineError, match='replaying a job that finished live failed: PLAN crash "die"'):
        run.device.recompute([plan.nat(1), v(DIE), plan.nat(3)])


@pytest.mark.parametrize("args, message", [
    ([], "got 1 item"),
    ([plan.nat(5)], "got 2 item"),
    ([v("[1]"), v(h.ADD)], "time limit .* must be a nat of seconds, not an app"),
    ([v(h.ADD), v(h.ADD)], "must be a nat of seconds, not a pin"),
])
def test_bad_requests_are_refused_clearly(run, args, message):
    with pytest.raises(BadRequest, match=message) as caught:
        run.device.parse(RequestKey(0, 1, 1), args)
    assert str(caught.value).startswith("eval: ")


def test_cancelled_jobs_are_not_answered():
    r = Run("local:1")
    try:
        r.warm()
        running = r.issue(1, SPIN, "0")       # takes the only worker for 1 s
        queued = r.issue(10, h.ADD, "1", "2")
        time.sleep(0.2)
        r.device.cancel(queued)               # not started: cancelled
        r.device.cancel(running)              # running: goes on, its answer dropped
        assert r.hub.quiet_for(2.0)
        again = r.issue(10, h.ADD, "1", "2")  # the worker is free again
        assert r.hub.take() == (again, "[3]", True)
    finally:
        r.device.close()


def test_a_dead_worker_answers_worker_and_the_pool_is_replaced():
    r = Run("local:1")
    try:
        [pid] = r.warm()
        key = r.issue(30, SPIN, "0")
        time.sleep(0.3)
        os.kill(pid, 9)
        k, shown, recomputable = r.hub.take()
        op, message = [plan.to_str(x) for x in _items(v(shown))]
        assert (k, op, recomputable) == (key, "worker", False)
        assert "BrokenProcessPool" in message
        again = r.issue(10, h.ADD, "2", "3")
        assert r.hub.take() == (again, "[5]", True)
    finally:
        r.device.close()


def test_close_leaves_no_worker_running():
    r = Run("local:2")
    pids = r.warm()
    r.issue(100, SPIN, "0")
    r.issue(100, SPIN, "1")
    time.sleep(0.3)
    start = time.monotonic()
    r.device.close()
    assert time.monotonic() - start < 5
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    assert r.hub.quiet_for(0.5)
    with pytest.raises(MachineError, match="eval: the device is closed"):
        r.issue(1, h.ADD, "1", "2")
    r.device.close()                        # twice is fine


def test_executor_specs():
    with pytest.raises(MachineError, match="expected local, local:N, dask:local"):
        ev.make_executor("cluster")
    pool = ev.make_executor("local:1")
    try:
        assert pool._max_workers == 1
    finally:
        ev.stop_executor(pool)


def test_a_trivial_job_round_trip_is_short():
    pool = ev.make_executor("local:1")
    try:
        assert ev.round_trip(pool, 20) < 0.5     # about half a millisecond measured
    finally:
        ev.stop_executor(pool)


def test_dask_local_cluster():
    pytest.importorskip("distributed")
    r = Run("dask:local")
    try:
        ok = r.issue(10, h.ADD, "20", "22")
        assert r.hub.take(timeout=120) == (ok, "[42]", True)
        # dask runs jobs off the main thread: the limit holds through a child process
        spin = r.issue(1, SPIN, "0")
        crash = r.issue(10, DIE, "9")
        got = {r.hub.take(timeout=120), r.hub.take(timeout=120)}
        assert got == {(spin, "[]", False), (crash, '["die" 9]', False)}
        r.issue(100, SPIN, "1")
        time.sleep(0.5)
        children = _job_children()
        assert children, "jobs run in children of the dask workers"
    finally:
        r.device.close()
    deadline = time.monotonic() + 10
    while any(_running(p) for p in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_running(p) for p in children), "a job's child process outlived the cluster"


def _running(proc) -> bool:
    import psutil
    try:
        return proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _job_children() -> list:
    """Live descendants of this process serving eval jobs (dask's path)."""
    import psutil
    found = []
    for p in psutil.Process().children(recursive=True):
        try:
            if "eval_worker" in " ".join(p.cmdline()) and p.status() != psutil.STATUS_ZOMBIE:
                found.append(p)
        except psutil.NoSuchProcess:
            pass
    return found


# --------------------------------------------------------------------------
# The demo, on a machine driven by hand the way the runtime loop will be


def _drive(machine, device: ev.EvalDevice, hub: FakeHub, cog: int = 0) -> list[tuple[str, str, bool]]:
    """Play the runtime: issue each new ``%eval`` request of the cog, deliver
    each answer as its own event, cancel requests that left the row, until
    the cog asks nothing. The answers, as (request, answer, recomputable)."""
    open_: dict[int, tuple[RequestKey, str, list]] = {}
    serial, seen = 0, []
    while True:
        rows = machine.requests(cog)
        current = {i: plan.show(q) for i, q in enumerate(rows) if q != 0}
        for slot in [s for s in open_ if current.get(s) != open_[s][1]]:
            device.cancel(open_.pop(slot)[0])
        for slot, shown in current.items():
            if slot not in open_:
                serial += 1
                key = RequestKey(cog, slot, serial)
                items = _items(rows[slot])
                assert plan.to_str(items[0]) == "eval", shown
                device.issue(key, device.parse(key, items[1:]))
                open_[slot] = (key, shown, items[1:])
        if not open_:
            return seen
        key, make, recomputable = hub.answers.get(timeout=60)
        if open_.get(key.slot, (None,))[0] != key:
            continue                                  # stale: dropped, as the hub does
        _, shown, args = open_.pop(key.slot)
        answer = make()
        if recomputable:
            assert plan.show(device.recompute(args)) == plan.show(answer)
        seen.append((shown, plan.show(answer), recomputable))
        assert machine.deliver(cog, {key.slot: answer}) == "ok"


def test_the_pmap_demo_prints_its_rows(tmp_path):
    from pallas_kernel.cli import run_save
    from pallas_kernel.machine import Machine
    from pallas_kernel.sire.library import library_dir

    seed = tmp_path / "demo.seed"
    assert run_save(str(seed), str(library_dir() / "demo_pmap.sire"), []) == 0
    store = str(tmp_path / "store")
    Machine.boot(store, plan.load_seed(seed.read_bytes()))
    r = Run("local:2")
    traces: list[str] = []
    try:
        with Machine.open(store) as m:
            m.on_trace = lambda msg: traces.append(plan.show(msg))
            seen = _drive(m, r.device, r.hub)
            assert all(q == 0 for q in m.requests(0))
    finally:
        r.device.close()
    fibs = [6765, 10946, 17711, 28657, 46368, 75025]
    squares = [n * n for n in range(1, 9)]
    assert traces == [plan.show(ev._row([name(label), ev._row(row)]))
                      for label, row in (("squares", squares), ("fibs", fibs))]
    assert traces[0] == '["squares" [1 4 9 16 25 36 49 64]]'
    assert len(seen) == 14 and all(recomputable for _, _, recomputable in seen)

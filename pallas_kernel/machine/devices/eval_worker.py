"""The eval device's jobs as a worker process runs them.

Everything here crosses a process boundary, so it is plain data: a job is
``(seed, seconds, jets, memory)`` (the seed of the row ``[f a...]``, the
time limit or None, extra accepted jet pairs, the memory limit in bytes)
and its outcome one of

- ``("ok", seed)``: the seed of ``foldl apply f [a...]`` in normal form;
- ``("crash", op, seed)``: a PLAN crash (``op`` the nat that was called,
  the seed of its argument), or another failure of the evaluation, named
  by an op of :data:`FAILURE_OPS` with its message as a nat;
- ``("timeout",)``: the time limit passed first.

The limit is a SIGALRM in the process's main thread (only it gets
signals, and the core polls for them while it evaluates). A
``ProcessPoolExecutor`` runs jobs in its workers' main threads; a
``dask.distributed`` worker runs them in threads, so there :func:`run_job`
hands the job to a child process of its own (one per thread, kept for the
next job; ``python -m pallas_kernel.machine.devices.eval_worker`` serves
jobs on its stdin and stdout).
"""

from __future__ import annotations

import ctypes
import os
import pickle
import signal
import subprocess
import sys
import threading
from typing import Optional, Union

from ... import plan
from ...errors import PlanCrash, PlanLoop, PlanMemory, PlanStackLimit
from ...plan.view import row_items
from ..runtime import TimeUp, time_limit

OK, CRASH, TIMEOUT = "ok", "crash", "timeout"

#: ops of the failures that are not PLAN crashes but end a job like one;
#: the answer is ``[op message]`` (``message`` a nat of UTF-8 text)
FAILURE_OPS = {PlanLoop: "loop", PlanStackLimit: "stack", PlanMemory: "memory"}

#: the op of a job whose worker process died or could not run it
WORKER_OP = "worker"

Job = tuple[bytes, Optional[float], tuple[tuple[str, bytes], ...], int]
Outcome = tuple


def _value(x: Union[plan.Value, int]) -> plan.Value:
    """A row item or crash argument as a value (nats come out as ints)."""
    return plan.nat(x) if isinstance(x, int) else x


def _prepare(memory: int) -> None:
    """Give this process the main process's memory limit."""
    if plan.get_memory_limit() != memory:
        plan.set_memory_limit(memory)


def apply_job(row: plan.Value) -> plan.Value:
    """``foldl apply f args`` of the row ``[f args...]``, in normal form."""
    items = row_items(row) or []
    if not items:
        raise ValueError("an eval job is a row [f args...] of at least one item")
    value = _value(items[0])
    for arg in items[1:]:
        value = value.apply(arg)
    return value.force()


def evaluate_job(seed: bytes, seconds: Optional[float], jets: tuple[tuple[str, bytes], ...] = (),
                 memory: int = 0) -> Outcome:
    """Run one job in this process (its main thread, for the time limit)
    and say how it ended. ``trk`` output of the job is dropped."""
    _prepare(memory or plan.get_memory_limit())
    try:
        # the package's jet tables were accepted when plan was imported;
        # ``jets`` are the pairs the main process accepted since
        with plan.tracing(None), plan.accepting_jets(list(jets)), time_limit(seconds):
            value = apply_job(plan.load_seed(seed))
    except TimeUp:
        return (TIMEOUT,)
    except PlanCrash as e:
        return (CRASH, int(e.op), plan.save_seed(_value(e.value)))
    except tuple(FAILURE_OPS) as e:
        op = next(name for cls, name in FAILURE_OPS.items() if isinstance(e, cls))
        return (CRASH, int.from_bytes(op.encode(), "little"), plan.save_seed(plan.from_str(str(e))))
    return (OK, plan.save_seed(value))


def ignore_interrupts() -> None:
    """Worker initializer: Ctrl-C at the terminal reaches the whole process
    group; the machine handles it and stops its workers itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def warm() -> int:
    """A no-op job (the worker has imported the core): its pid."""
    return os.getpid()


def run_job(seed: bytes, seconds: Optional[float], jets: tuple[tuple[str, bytes], ...] = (),
            memory: int = 0) -> Outcome:
    """The function the eval device submits to its executor: run the job
    here when this is a main thread, else in this thread's child process."""
    if threading.current_thread() is threading.main_thread():
        return evaluate_job(seed, seconds, jets, memory)
    return _Child.of_thread().run((seed, seconds, jets, memory))


class _Child:
    """A child process serving jobs over pipes, for executors whose jobs
    run off the main thread (a dask worker's threads)."""

    _local = threading.local()
    #: every child this process started, so :func:`stop_children` finds them
    started: list[subprocess.Popen] = []

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        _Child.started = [p for p in _Child.started if p.poll() is None] + [self.proc]

    @classmethod
    def of_thread(cls) -> "_Child":
        """This thread's child, started on first use or after it died."""
        child = getattr(cls._local, "child", None)
        if child is None or child.proc.poll() is not None:
            child = cls._local.child = cls()
        return child

    def run(self, job: Job) -> Outcome:
        """Send one job and wait for its outcome."""
        try:
            pickle.dump(job, self.proc.stdin)
            self.proc.stdin.flush()
            return pickle.load(self.proc.stdout)
        except (EOFError, OSError, pickle.UnpicklingError) as e:
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError(f"the eval worker's child process died (exit {self.proc.returncode})") from e


def stop_children() -> int:
    """Kill this process's job children (their jobs answer as ``worker``
    failures): run on each worker of a local dask cluster before it closes,
    so it need not wait for jobs it cannot interrupt. How many were alive."""
    alive = [p for p in _Child.started if p.poll() is None]
    for proc in alive:
        proc.kill()
    for proc in alive:
        proc.wait()
    return len(alive)


def serve(inp, out) -> None:
    """The child's loop: read pickled jobs from ``inp`` until it closes,
    write each outcome to ``out``."""
    while True:
        try:
            job = pickle.load(inp)
        except EOFError:
            return
        pickle.dump(evaluate_job(*job), out)
        out.flush()


def _die_with_parent() -> None:
    """Exit when the parent goes (a dask worker stopped while this child was
    running a job): Linux kills this process then (PR_SET_PDEATHSIG), as a
    thread watching for it could not run while the core holds the GIL. A
    parent already gone is noticed at once."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)   # 1: PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent or parent == 1:
        os._exit(1)


def _child_main() -> None:
    """Serve on the stdin and stdout this process started with; anything
    else written to stdout goes to stderr, so it cannot garble an outcome."""
    ignore_interrupts()
    _die_with_parent()
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    serve(sys.stdin.buffer, out)


if __name__ == "__main__":
    _child_main()

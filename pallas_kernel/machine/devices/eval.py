"""The ``eval`` device: pure jobs with a time limit, run in parallel outside
the machine's process (pallas-machine.md, sections 3.2 and 5).

Request ``[%eval secs f a...]`` (kern.sire's ``EVAL secs [f a...]``,
``EVAL1`` to ``EVAL4``, and ``pmap`` over them): evaluate
``foldl apply f [a...]`` to normal form within ``secs`` seconds. Answers:

- ``[result]`` when it finishes;
- ``[op arg]`` when it crashes: a PLAN crash (``op`` the nat that was
  called, ``arg`` its argument), or a failure that is not one, named by
  ``op`` with its message (a nat of UTF-8 text) as ``arg``: ``%loop`` (a
  black hole), ``%stack`` (past the stack limit), ``%memory`` (past the
  memory limit), ``%worker`` (the worker process died, or the executor
  could not run the job);
- ``[]`` (the empty row) when the time limit passed first. ``secs`` 0
  answers ``[]`` at once, as the legacy runtime's zero timer did; a limit
  of :data:`NO_LIMIT` seconds or more means none.

Replay: only ``[result]`` answers are *recomputable* (the log records that
the job finished and :meth:`EvalDevice.recompute` evaluates it again, in
process and without a limit); crashes and timeouts depend on limits and
are logged as values.

Threads and processes: :meth:`EvalDevice.parse` ships the job row
``[f a...]`` as a seed (plain bytes); workers load it, evaluate it (module
:mod:`.eval_worker`) and send back a seed. The executor's done-callback
only hands plain data to the hub; the answer's value is built by the
``make`` the hub runs on the machine thread.

The executor is any ``concurrent.futures.Executor`` whose workers can
import ``pallas_kernel``: by default a local ``ProcessPoolExecutor`` (one
worker per core, started with ``spawn``: forking a process that holds an
LMDB environment and threads is unsafe, and measured start-up is the same
as ``forkserver``'s, about 0.1 s for two workers, without leaving a fork
server behind), or a ``dask.distributed`` cluster (the optional ``dask``
extra; :func:`make_executor`). As with any spawned worker, the program that
runs the machine must guard its entry point (``if __name__ == "__main__"``).

Cancelling: a job not yet started is dropped; one already running goes on
until it finishes or its time limit passes (a worker process cannot be
stopped alone without breaking the pool), and its answer is dropped (the
device forgets the key; the hub drops answers to keys no longer open).
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import BrokenExecutor, Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Optional, Union

from ... import plan
from ...errors import MachineError, PlanError
from ...plan import Value
from ...plan.view import layer
from ..device import BadRequest, Hub, RequestKey
from . import eval_worker
from .eval_worker import CRASH, OK, TIMEOUT, WORKER_OP

#: the outcome of a job the executor could not run: ``("lost", message)``
LOST = "lost"

#: a time limit of this many seconds or more is no limit (SIGALRM's timer
#: cannot count that far)
NO_LIMIT = 1 << 31

ExecutorSpec = Union[None, str, Executor]


@dataclass(frozen=True)
class EvalJob:
    """A parsed request: plain data a worker process can take."""

    seconds: int
    seed: bytes                               #: seed of the row [f a...]
    jets: tuple[tuple[str, bytes], ...]       #: jet pairs accepted beyond the tables
    memory: int                               #: the memory limit, bytes


# --------------------------------------------------------------------------
# Values (machine thread only)


def _row(items: list) -> Value:
    """The row of ``items`` (values or nats), in normal form."""
    head = plan.read("{0 %d 0}" % (len(items) + 1))
    for item in reversed(items):
        head = head.apply(item)
    return head.force()


def _nat_name(text: str) -> int:
    return int.from_bytes(text.encode("utf-8"), "little")


def answer_value(outcome: tuple) -> Value:
    """The answer row of a job's outcome (see the module docstring)."""
    kind = outcome[0]
    if kind == OK:
        return _row([plan.load_seed(outcome[1])])
    if kind == CRASH:
        return _row([outcome[1], plan.load_seed(outcome[2])])
    if kind == TIMEOUT:
        return _row([])
    if kind == LOST:
        return _row([_nat_name(WORKER_OP), plan.from_str(outcome[1])])
    raise MachineError(f"eval: unknown job outcome {kind!r}")


def _job_args(args: list[Value]) -> tuple[int, list]:
    """``(secs, [f a...])`` of the arguments of ``[%eval secs f a...]``."""
    if len(args) < 2:
        raise BadRequest(f"eval: the request is [%eval secs f args...]; got {len(args) + 1} item(s),"
                         " with no function to run")
    secs = layer(args[0])
    if not isinstance(secs, int):
        raise BadRequest("eval: the time limit (item 1 of [%eval secs f args...]) must be a nat"
                         f" of seconds, not a{'n' if type(secs).__name__ == 'App' else ''}"
                         f" {type(secs).__name__.lower()}")
    return secs, list(args[1:])


# --------------------------------------------------------------------------
# Executors


def recompute_job(args: list[Value]) -> Value:
    """On replay: the ``[result]`` a job that finished live answered,
    evaluated again in this process, silently and without a time limit
    (``args``: the request's items after ``%eval``)."""
    _, job = _job_args(args)
    try:
        with plan.tracing(None):
            return _row([eval_worker.apply_job(_row(job))])
    except PlanError as e:
        raise MachineError(f"eval: replaying a job that finished live failed: {e}") from None


def local_executor(workers: Optional[int] = None) -> ProcessPoolExecutor:
    """A process pool of ``workers`` (default: one per core) started with
    ``spawn``; its workers ignore Ctrl-C (the machine stops them)."""
    return ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1,
                               mp_context=multiprocessing.get_context("spawn"),
                               initializer=eval_worker.ignore_interrupts)


class DaskExecutor(Executor):
    """A ``dask.distributed`` client's executor that, shut down, also closes
    the client (and the local cluster, when it made one). Jobs are submitted
    with ``pure=False``: two equal jobs are two tasks, so cancelling one
    leaves the other."""

    def __init__(self, client: Any, cluster: Any = None) -> None:
        self.client = client
        self.cluster = cluster
        self._inner = client.get_executor(pure=False)

    def submit(self, fn: Callable, /, *args: Any, **kwargs: Any) -> Future:
        return self._inner.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Cancel the jobs and close the client. A local cluster of our own
        is closed too, its workers' running jobs killed first (a worker
        cannot interrupt a job thread and would otherwise wait 4 s before
        its nanny kills it); a shared cluster's running jobs go on until
        their time limits."""
        self._inner.shutdown(wait=wait)
        if self.cluster is not None and not wait:
            try:
                self.client.run(eval_worker.stop_children)
            except Exception:       # a worker already gone: the cluster closes anyway
                pass
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def _dask() -> Any:
    try:
        import distributed
    except ImportError:
        raise MachineError("the eval device's dask executor needs the dask extra:"
                           " pip install 'pallas-kernel[dask]'") from None
    return distributed


def make_executor(spec: ExecutorSpec = None) -> Executor:
    """The executor a spec names: ``None`` or ``"local"`` (a process pool,
    :func:`local_executor`), ``"local:N"`` (N workers), ``"dask:local"``
    (a dask LocalCluster on this machine: one single-threaded worker
    process per core), ``"dask:tcp://host:port"`` (the dask scheduler
    there; its workers must have pallas_kernel installed), or an executor
    (returned as is)."""
    if isinstance(spec, Executor):
        return spec
    if spec is None or spec == "local":
        return local_executor()
    if spec.startswith("local:") and spec[6:].isdigit() and int(spec[6:]) > 0:
        return local_executor(int(spec[6:]))
    if spec == "dask:local":
        distributed = _dask()
        cluster = distributed.LocalCluster(n_workers=os.cpu_count() or 1, threads_per_worker=1,
                                           processes=True, dashboard_address=None,
                                           silence_logs=logging.ERROR)
        return DaskExecutor(distributed.Client(cluster), cluster)
    if spec.startswith("dask:") and "://" in spec:
        return DaskExecutor(_dask().Client(spec[5:]))
    raise MachineError(f"eval executor {spec!r}: expected local, local:N, dask:local"
                       " or dask:tcp://host:port")


# --------------------------------------------------------------------------
# The device


class EvalDevice:
    """The ``eval`` device (see the module docstring). ``executor``: an
    executor spec for :func:`make_executor`, made on the first job; an
    executor given is the device's from then on (:meth:`close` shuts it
    down)."""

    name = "eval"

    def __init__(self, hub: Hub, executor: ExecutorSpec = None) -> None:
        self.hub = hub
        self._spec = executor
        self._executor: Optional[Executor] = executor if isinstance(executor, Executor) else None
        self._futures: dict[RequestKey, Future] = {}
        self._lock = threading.Lock()     # _futures is shared with done-callbacks
        self._closed = False
        self._base_jets = set(plan.jet_table())

    # ---- the contract

    def parse(self, key: RequestKey, args: list[Value]) -> EvalJob:
        """Check ``[%eval secs f a...]`` and ship ``[f a...]`` as a seed."""
        secs, job = _job_args(args)
        extra = tuple(p for p in plan.accepted_jets() if p not in self._base_jets)
        return EvalJob(secs, plan.save_seed(_row(job)), extra, plan.get_memory_limit())

    def issue(self, key: RequestKey, job: EvalJob) -> None:
        """Submit the job; its outcome comes back through :meth:`_done`."""
        if self._closed:
            raise MachineError("eval: the device is closed")
        if job.seconds == 0:
            self.hub.answer(key, functools.partial(answer_value, (TIMEOUT,)))
            return
        seconds = None if job.seconds >= NO_LIMIT else float(job.seconds)
        future = self._submit(job.seed, seconds, job.jets, job.memory)
        with self._lock:
            self._futures[key] = future
        future.add_done_callback(functools.partial(self._done, key))

    def cancel(self, key: RequestKey) -> None:
        """Forget the job and cancel it if it has not started."""
        with self._lock:
            future = self._futures.pop(key, None)
        if future is not None:
            future.cancel()

    def recompute(self, args: list[Value]) -> Value:
        return recompute_job(args)

    def close(self) -> None:
        """Cancel every job and stop the executor without waiting; no worker
        process of the local pool is left running."""
        with self._lock:
            self._closed = True
            futures = list(self._futures.values())
            self._futures.clear()
        for future in futures:
            future.cancel()
        if self._executor is not None:
            stop_executor(self._executor)
            self._executor = None

    # ---- internals

    def executor(self) -> Executor:
        """The executor, made on first use."""
        if self._executor is None:
            self._executor = make_executor(self._spec)
        return self._executor

    def _submit(self, *job: Any) -> Future:
        """Submit a job; a local pool broken by a worker's death is replaced
        (once) by a new one."""
        try:
            return self.executor().submit(eval_worker.run_job, *job)
        except BrokenExecutor:
            if isinstance(self._spec, Executor):
                raise
            stop_executor(self._executor)
            self._executor = None
            return self.executor().submit(eval_worker.run_job, *job)

    def _done(self, key: RequestKey, future: Future) -> None:
        """Executor thread: pass the outcome on as plain data. A job that was
        cancelled, or whose device closed, is not answered."""
        with self._lock:
            if self._closed or self._futures.pop(key, None) is None:
                return
        if future.cancelled():
            return
        error = future.exception()
        outcome = future.result() if error is None else (LOST, f"{type(error).__name__}: {error}")
        self.hub.answer(key, functools.partial(answer_value, outcome), recomputable=outcome[0] == OK)


def stop_executor(executor: Executor) -> None:
    """Shut an executor down without waiting for running jobs; a local
    process pool's workers are terminated, so none is left behind."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    try:
        executor.shutdown(wait=False, cancel_futures=True)
    except TypeError:                     # executors older than Python 3.9's signature
        executor.shutdown(wait=False)
    for proc in processes:
        if proc.is_alive():
            proc.terminate()
    for proc in processes:
        proc.join(5)
        if proc.is_alive():
            proc.kill()
            proc.join()


def round_trip(executor: Executor, jobs: int = 100) -> float:
    """Seconds one trivial job takes from submission to outcome, on average
    over ``jobs`` jobs run one after another (the executor warmed first):
    the eval device's fixed cost per job (a benchmark helper)."""
    seed = plan.save_seed(_row([plan.read('<{"_ToNat" 1 (0 (2 0 3) 1)}>').force(), 7]))
    executor.submit(eval_worker.run_job, seed, 10.0).result()
    start = time.perf_counter()
    for _ in range(jobs):
        outcome = executor.submit(eval_worker.run_job, seed, 10.0).result()
        assert outcome[0] == OK
    return (time.perf_counter() - start) / jobs

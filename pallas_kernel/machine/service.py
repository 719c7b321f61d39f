"""``pallas start``: open a machine with the standard devices and run it
until it is told to stop or has nothing left to do.

SIGINT and SIGTERM do not interrupt an event: the runner finishes the round
in flight, commits it, writes a snapshot and returns, and the process exits
0. Nothing is signalled but this process.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from typing import Callable, Iterator, Optional, TextIO, Union

from .device import Device, Hub
from ..errors import MachineError
from ..plan import Value
from .devices.eval import EvalDevice, recompute_job
from .devices.http import HttpDevice
from .devices.rand import RandDevice
from .devices.time import TimeDevice
from .loop import Inbox, Runner, recompute_with
from .runtime import DEFAULT_TIME_LIMIT, Machine

DeviceMaker = Callable[[Hub], Device]


def standard_devices(executor: Optional[str] = None) -> list[DeviceMaker]:
    """The devices every machine has; ``executor`` says where eval jobs run
    (``local``, ``local:N``, ``dask:local``, ``dask:tcp://host:port``)."""
    return [TimeDevice, RandDevice, HttpDevice, lambda hub: EvalDevice(hub, executor)]


def start(store: Union[str, os.PathLike], out: TextIO = sys.stderr, replay_all: bool = False,
          time_limit: Optional[float] = DEFAULT_TIME_LIMIT, snapshot_events: int = 10000,
          snapshot_seconds: float = 60.0, devices: Optional[list[DeviceMaker]] = None,
          on_ready: Optional[Callable[[Runner], None]] = None, executor: Optional[str] = None) -> str:
    """Run the machine in ``store``: replay (from the first snapshot with
    ``replay_all``), then answer its cogs until stopped or idle; the reason
    (``stopped`` or ``idle``). ``on_ready`` sees the runner before it runs
    (tests use it to stop it). ``executor``: see :func:`standard_devices`."""
    inbox = Inbox(os.fspath(store), out)
    made: list[Device] = []
    try:
        for make in devices if devices is not None else standard_devices(executor):
            made.append(make(inbox))
        with Machine.open(store, time_limit=time_limit, snapshot_at_most=0 if replay_all else None,
                          recompute=recompute_with(made)) as machine:
            runner = Runner(machine, inbox, made, snapshot_events, snapshot_seconds)
            made = []                   # the runner closes them from here on
            if on_ready is not None:
                on_ready(runner)
            with _stopping_on_signals(runner):
                return runner.run()
    finally:
        for device in made:
            device.close()


@contextlib.contextmanager
def _stopping_on_signals(runner: Runner) -> Iterator[None]:
    """SIGINT and SIGTERM ask the runner to stop (main thread only)."""
    def on_signal(signum: int, frame: object) -> None:
        runner.stop()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def recompute_here(name: str, args: list[Value]) -> Value:
    """Answers logged as recomputable, computed again in this process, for
    a machine opened without its devices (inspection, a notebook's replay):
    eval results."""
    if name != "eval":
        raise MachineError(f"no device {name!r} recomputes answers")
    return recompute_job(args)

"""A machine running live: its cogs' requests issued to devices, the answers
fed back as events, every event durable before its effects leave.

One round of the loop:

1. take what the devices sent (answers, work for the machine thread);
2. settle the requests the machine answers itself (``cog``, ``what``:
   :mod:`.cog_requests`);
3. for every cog with answers, take one step (all its answers at once);
4. commit the round's steps in one transaction (group commit), and only
   then print their ``trk`` output and diff each stepped cog's request row
   against the open requests: an entry that left or changed is cancelled,
   a new one issued.

The loop runs on the main thread (PLAN values never leave it; see
:mod:`.device`) until it is told to stop (:meth:`Runner.stop`, SIGINT or
SIGTERM: the step in flight finishes, is committed, and a snapshot is
written) or no cog has a request open (``Shutting down...``).
"""

from __future__ import annotations

import datetime
import itertools
import queue
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, TextIO

from .. import plan
from ..errors import MachineError, PallasError
from ..plan import Value
from ..plan.view import nat_of
from ..sire.show import show_value
from . import cog_requests
from .device import BadRequest, Device, RequestKey
from .runtime import Machine, logged, request_parts, same

#: names of the requests the loop answers itself
INTERNAL = ("cog", "what")


@dataclass
class OpenRequest:
    """A request issued and not yet answered or cancelled."""

    key: RequestKey
    request: Value
    device: str
    parsed: Any = None


class Inbox:
    """The :class:`~.device.Hub` devices answer through: a thread-safe queue
    the runner empties on the machine thread. Made before the machine is
    opened, so devices exist to recompute answers while it replays."""

    def __init__(self, store_dir: str, out: TextIO = sys.stderr) -> None:
        self.store_dir = store_dir
        self.out = out
        self.queue: "queue.SimpleQueue[tuple]" = queue.SimpleQueue()

    def answer(self, key: RequestKey, make: Callable[[], Value], recomputable: bool = False) -> None:
        self.queue.put(("answer", key, make, recomputable))

    def call_soon(self, fn: Callable[[], None]) -> None:
        self.queue.put(("call", fn))

    def warn(self, text: str) -> None:
        print(f"pallas: {text}", file=self.out, flush=True)


class Runner:
    """Runs a machine with its devices (made with ``inbox`` as their hub)."""

    def __init__(self, machine: Machine, inbox: Inbox, devices: Iterable[Device],
                 snapshot_events: int = 10000, snapshot_seconds: float = 60.0) -> None:
        self.machine = machine
        self.inbox = inbox
        self.out = inbox.out
        self.devices: dict[str, Device] = {d.name: d for d in devices}
        self.snapshot_events = snapshot_events
        self.snapshot_seconds = snapshot_seconds
        machine.recompute = recompute_with(self.devices.values())
        #: (cog, slot) -> the request open there
        self.open: dict[tuple[int, int], OpenRequest] = {}
        #: cog -> slot -> (answer, receipt): answers for the cog's next step
        self.ready: dict[int, dict[int, tuple[Value, Value]]] = {}
        self._serial = itertools.count(1)
        self._stopping = False
        self._last_snapshot = (machine.last_event(), time.monotonic())
        #: the id the next spun cog gets (never reused within a run)
        self.next_cog_id = machine.next_cog_id()
        #: events logged by this run
        self.events = 0
        #: where a committed step's ``trk`` messages go: (cog id, message)
        self.on_trace: Callable[[int, Value], None] = self.print_trace

    def warn(self, text: str) -> None:
        self.inbox.warn(text)

    def stop(self) -> None:
        """Stop after the round in flight (safe from a signal handler)."""
        self._stopping = True

    # ---- running

    def run(self, idle_wait: float = 0.2) -> str:
        """Run until stopped (``stopped``) or until no cog has a request
        open (``idle``). On the way out: commit, snapshot, close devices."""
        try:
            self.begin()
            while not self._stopping:
                self._take_inbox(block=not self.ready, timeout=idle_wait)
                cog_requests.settle(self)
                if self.ready:
                    self._round()
                elif not self.open and self.inbox.queue.empty():
                    print("Shutting down...", file=self.out, flush=True)
                    return "idle"
                self._maybe_snapshot()
            return "stopped"
        finally:
            self.finish()

    def begin(self) -> None:
        """Issue the requests of every cog (a machine just opened has none
        open: a past ``wait`` answers at once)."""
        for cog_id in sorted(self.machine.cogs):
            self._reconcile(cog_id)

    def poll(self) -> bool:
        """One turn of the loop without waiting, for a host that runs its
        own event loop (the notebook kernel): whether anything was stepped."""
        self._take_inbox(block=False, timeout=0)
        cog_requests.settle(self)
        stepped = bool(self.ready)
        if stepped:
            self._round()
        self._maybe_snapshot()
        return stepped

    def adopt(self, cog_id: int) -> None:
        """A cog was added or removed outside the loop (by the machine's
        owner): issue or cancel its requests."""
        self._reconcile(cog_id)
        if cog_id not in self.machine.cogs:
            self._cog_gone(cog_id)

    def finish(self) -> None:
        """Commit, snapshot if anything happened since the last one, close
        every device."""
        self.machine.commit()
        if self.machine.last_event() != self._last_snapshot[0]:
            self.machine.snapshot()
        for device in self.devices.values():
            try:
                device.close()
            except Exception as e:          # a device that fails to close must not lose the rest
                self.warn(f"device {device.name} failed to close: {e}")

    def _take_inbox(self, block: bool, timeout: float) -> None:
        """Take everything the devices sent; wait up to ``timeout`` for the
        first one if ``block``."""
        inbox = self.inbox.queue
        try:
            item = inbox.get(timeout=timeout) if block else inbox.get_nowait()
        except queue.Empty:
            return
        while True:
            try:
                if item[0] == "answer":
                    self._take_answer(*item[1:])
                else:
                    item[1]()
            except (PallasError, BadRequest, ValueError, TypeError) as e:   # a device bug must not stop the machine
                self.warn(f"a device's answer failed: {e}")
            try:
                item = inbox.get_nowait()
            except queue.Empty:
                return

    def _take_answer(self, key: RequestKey, make: Callable[[], Value], recomputable: bool) -> None:
        """An answer arrived: keep it for the cog's next step, unless the
        request is no longer open (cancelled: a stale answer)."""
        where = (key.cog, key.slot)
        req = self.open.get(where)
        if req is None or req.key != key:
            return
        del self.open[where]
        try:
            value = make()
        except (PallasError, ValueError, TypeError) as e:     # a device's bug: the cog gets 0
            self.warn(f"cog {key.cog} slot {key.slot}: the {req.device} device's answer failed"
                      f" ({e}); answered 0")
            self.put_ready(key.cog, key.slot, plan.nat(0), logged(0))
            return
        self.put_ready(key.cog, key.slot, value, plan.nat(0) if recomputable else logged(value))

    def put_ready(self, cog_id: int, slot: int, answer: Value, receipt: Value) -> None:
        """An answer for the cog's next step."""
        self.ready.setdefault(cog_id, {})[slot] = (answer, receipt)

    def _round(self) -> None:
        """Step every cog that has answers, commit, then release effects.
        If the host interrupts a step (KeyboardInterrupt), the steps taken
        before it are committed and released, the interrupted cog keeps its
        answers for the next round, and the interrupt goes on up."""
        ready, self.ready = self.ready, {}
        before = set(self.machine.cogs)
        steps = []
        try:
            for cog_id in sorted(ready):
                if self.machine.cogs.get(cog_id) is None or self.machine.status(cog_id) != "live":
                    continue                    # stopped or removed earlier this round
                answers = ready[cog_id]
                receipts = {slot: receipt for slot, (_, receipt) in answers.items()}
                known = {slot: answer for slot, (answer, _) in answers.items()}
                steps.append(self.machine.step(cog_id, receipts, known))
        except KeyboardInterrupt:
            done = {s.cog_id for s in steps}
            for cog_id, answers in ready.items():
                if cog_id not in done:
                    self.ready.setdefault(cog_id, {}).update(answers)
            raise
        finally:
            self._release(steps, before)

    def _release(self, steps: list, before: set[int]) -> None:
        """Commit the steps, then their effects: output, requests, devices."""
        self.machine.commit()
        self.events += len(steps)
        for step in steps:
            for message in step.traces:
                self.on_trace(step.cog_id, message)
            if step.outcome != "ok":
                self.warn(f"cog {step.cog_id} stopped: {step.outcome}")
        touched = {s.cog_id for s in steps} | (before ^ set(self.machine.cogs))
        for cog_id in sorted(touched):
            self._reconcile(cog_id)
        for cog_id in sorted(before - set(self.machine.cogs)):
            self._cog_gone(cog_id)

    def _cog_gone(self, cog_id: int) -> None:
        for device in self.devices.values():
            gone = getattr(device, "cog_gone", None)    # devices holding per-cog resources
            if gone is not None:
                gone(cog_id)

    def print_trace(self, cog_id: int, message: Value) -> None:
        """``trk`` output as the reference prints it at run time (the
        default :attr:`on_trace`)."""
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        print(f"++ [%trk {{{stamp}}}]\n++ {show_value(message)}\n", file=self.out, flush=True)

    # ---- requests

    def _reconcile(self, cog_id: int) -> None:
        """Make the open requests of a cog match its request row."""
        row = self.machine.requests(cog_id)
        for (c, slot), req in list(self.open.items()):
            if c == cog_id and (slot >= len(row) or not same(row[slot], req.request)):
                self._cancel(req)
        for slot, request in enumerate(row):
            if nat_of(request) != 0 and (cog_id, slot) not in self.open:
                self._issue(cog_id, slot, request)

    def _issue(self, cog_id: int, slot: int, request: Value) -> None:
        key = RequestKey(cog_id, slot, next(self._serial))
        parts = request_parts(request)
        if parts is None:
            return self._refuse(key, "a request is a row [%device args...]")
        name, args = parts
        if name in INTERNAL:
            self.open[(cog_id, slot)] = OpenRequest(key, request, name, args)
            return
        device = self.devices.get(name)
        if device is None:
            return self._refuse(key, f"no such device: {name!r}")
        try:
            parsed = device.parse(key, args)
        except BadRequest as e:
            return self._refuse(key, str(e))
        self.open[(cog_id, slot)] = OpenRequest(key, request, name, parsed)
        device.issue(key, parsed)

    def _refuse(self, key: RequestKey, why: str) -> None:
        """Answer 0 to a request nobody can carry out, and say why."""
        self.warn(f"cog {key.cog} slot {key.slot}: {why}; answered 0")
        self.put_ready(key.cog, key.slot, plan.nat(0), logged(0))

    def _cancel(self, req: OpenRequest) -> None:
        del self.open[(req.key.cog, req.key.slot)]
        if req.device not in INTERNAL:
            self.devices[req.device].cancel(req.key)

    # ---- snapshots

    def _maybe_snapshot(self) -> None:
        number, when = self._last_snapshot
        last = self.machine.last_event()
        if last > number and (last - number >= self.snapshot_events
                              or time.monotonic() - when >= self.snapshot_seconds):
            self.machine.snapshot()
            self._last_snapshot = (last, time.monotonic())



def recompute_with(devices: Iterable[Device]) -> Callable[[str, list[Value]], Value]:
    """A ``recompute`` for :class:`Machine` (replay): the device named by
    the request computes its answer again."""
    by_name = {d.name: d for d in devices}

    def recompute(name: str, args: list[Value]) -> Value:
        device = by_name.get(name)
        value = device.recompute(args) if device is not None else None
        if value is None:
            raise MachineError(f"no device {name!r} recomputes answers")
        return value

    return recompute

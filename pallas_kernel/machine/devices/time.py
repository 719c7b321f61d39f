"""The ``time`` device: ``[%time flag %when]`` answers the time in whole
Unix seconds; ``[%time flag %wait t]`` answers 0 once the time is ``t`` or
later (never early; a time already past answers at once, so a machine
restarted after a long pause goes on without waiting)."""

from __future__ import annotations

import heapq
import threading
import time as _time
from typing import Callable

from ... import plan
from ...plan import Value
from ...plan.view import nat_of
from ..device import BadRequest, Hub, RequestKey


class TimeDevice:
    """Answers ``when`` at once and ``wait`` from one timer thread that
    sleeps until the earliest deadline (a heap; cancelled waits are skipped
    when they come up)."""

    name = "time"

    def __init__(self, hub: Hub, clock: Callable[[], float] = _time.time) -> None:
        self.hub = hub
        self.clock = clock
        self._heap: list[tuple[float, int, RequestKey]] = []
        self._live: set[RequestKey] = set()
        self._wake = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="pallas-time", daemon=True)
        self._thread.start()

    def parse(self, key: RequestKey, args: list[Value]) -> tuple[str, int]:
        """``("when", 0)`` or ``("wait", t)``."""
        if len(args) < 2 or nat_of(args[0]) not in (0, 1):
            raise BadRequest("a time request is [%time 0 %when] or [%time 0 %wait t]")
        what = nat_of(args[1])
        if what == nat_of(plan.from_str("when")) and len(args) == 2:
            return "when", 0
        if what == nat_of(plan.from_str("wait")) and len(args) == 3 and nat_of(args[2]) is not None:
            return "wait", nat_of(args[2])
        raise BadRequest("a time request is [%time 0 %when] or [%time 0 %wait t] (t a nat)")

    def issue(self, key: RequestKey, request: tuple[str, int]) -> None:
        what, t = request
        if what == "when":
            now = int(self.clock())
            self.hub.answer(key, lambda: plan.nat(now))
            return
        if t <= self.clock():
            self.hub.answer(key, lambda: plan.nat(0))
            return
        with self._wake:
            self._live.add(key)
            heapq.heappush(self._heap, (float(t), key.serial, key))
            self._wake.notify()

    def cancel(self, key: RequestKey) -> None:
        with self._wake:
            self._live.discard(key)

    def recompute(self, args: list[Value]) -> None:
        return None

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify()
        self._thread.join()

    def _run(self) -> None:
        """The timer thread: answer each wait whose time has come."""
        with self._wake:
            while not self._closed:
                if not self._heap:
                    self._wake.wait()
                    continue
                t, _, key = self._heap[0]
                delay = t - self.clock()
                if delay > 0:
                    self._wake.wait(min(delay, 3600.0))
                    continue
                heapq.heappop(self._heap)
                if key in self._live:
                    self._live.discard(key)
                    self.hub.answer(key, lambda: plan.nat(0))

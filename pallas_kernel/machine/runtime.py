"""The machine's runtime core: cogs whose state is a snapshot plus the events
logged after it (pallas-machine.md, section 7 and Appendix A).

A *cog* is a paused PLAN value ``(cogKernel free killed slots reqs)``: its
last argument is its request row. The machine answers some of the requests
with a tab ``{slot: answer}``; the cog applied to that tab is the next paused
cog. Every such step is an *event*, written to the store before anything it
caused is released, so replaying the events from a snapshot gives the same
state again.

Formats (version :data:`RUNTIME_FORMAT`):

state
    a tab ``{cog id: [status cog]}``; ``status`` is the nat spelling
    ``live``, ``crashed`` or ``timeout``. Snapshot ``n`` is the state after
    event ``n`` (snapshot 0: the booted state).
event record
    ``b"PKE"``, one version byte, then the 32-byte hash of the stored pin
    ``<[cog answers outcome]>``: the cog id, the tab of answers, and what
    happened (``ok``, ``crash`` or ``timeout``). The outcome is recorded,
    not recomputed: a step that crashed or ran out of time is not run again
    on replay (a time limit is not deterministic), one that finished is.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from typing import Callable, Iterator, Optional, Union

from .. import plan
from ..errors import MachineError, PlanCrash, PlanLoop, PlanMemory, PlanStackLimit
from ..plan import Value
from ..plan.tree import spine
from ..plan.view import layer, nat_of, row_items, tab_items
from .store import Store

#: the version of the state and event formats below
RUNTIME_FORMAT = 1

_EVENT_TAG = b"PKE" + bytes([RUNTIME_FORMAT])
_HASH = 32

LIVE, CRASHED, TIMEOUT = "live", "crashed", "timeout"
_STATUSES = (LIVE, CRASHED, TIMEOUT)
OK, CRASH = "ok", "crash"
_OUTCOMES = {OK: LIVE, CRASH: CRASHED, TIMEOUT: TIMEOUT}

#: seconds one step of a cog may take before it is stopped as timed out
DEFAULT_TIME_LIMIT = 10.0

#: the failures of an evaluation that make a cog crash (a PLAN crash, a loop,
#: too deep, too big); a KeyboardInterrupt is not one: the step did not happen
_CRASHES = (PlanCrash, PlanLoop, PlanStackLimit, PlanMemory)

Answer = Union[Value, int]


class _TimeUp(Exception):
    """Raised by the SIGALRM handler inside an evaluation that ran too long."""


# --------------------------------------------------------------------------
# PLAN values of the state and events


def _name(text: str) -> Value:
    return plan.from_str(text)


def _text(value: object, what: str) -> str:
    """The text a nat spells, or MachineError naming ``what``."""
    n = nat_of(value, what, MachineError)
    try:
        return plan.to_str(n)
    except UnicodeDecodeError:
        raise MachineError(f"{what} is not a name ({n})") from None


def _row(*items: Answer) -> Value:
    """The row ``[items...]`` as a value."""
    head = plan.read("{0 %d 0}" % (len(items) + 1))
    for item in reversed(items):
        head = head.apply(item)
    return head.force()


def _tab(pairs: dict[int, Answer]) -> Value:
    """The tab of ``pairs`` (keys are nats)."""
    for key, answer in pairs.items():
        if not isinstance(key, int) or key < 0:
            raise MachineError(f"an answer's slot must be a nat, not {key!r}")
        if not isinstance(answer, (Value, int)) or isinstance(answer, int) and answer < 0:
            raise MachineError(f"the answer for slot {key} is not a PLAN value: {answer!r}")
    tab = plan.read("#[]").force()
    for key in sorted(pairs):
        tab = plan.tab_insert(tab, key, pairs[key])
    return tab


def request_row(cog: Value) -> list[Value]:
    """The request row of a paused cog (its last argument), item 0 first; a
    value that is not a paused cog (no row there) asks nothing: ``[]``."""
    _, args = spine(layer(cog))
    if not args:
        return []
    return list(row_items(args[-1]) or [])


# --------------------------------------------------------------------------
# Time limits


@contextlib.contextmanager
def time_limit(seconds: Optional[float]) -> Iterator[None]:
    """Run a block that raises :class:`_TimeUp` after ``seconds`` of real
    time: SIGALRM's handler raises it, and the core polls for signals while
    it evaluates. No limit for ``None`` or off the main thread (only it gets
    signals)."""
    if seconds is None or threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_alarm(signum: int, frame: object) -> None:
        raise _TimeUp()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 1e-6))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --------------------------------------------------------------------------
# The machine


class Machine:
    """A machine opened on its store: the cogs' state, kept in step with the
    event log. Make one with :meth:`open` (after :meth:`boot`), close it to
    release the store."""

    def __init__(self, store: Store, cogs: dict[int, tuple[str, Value]], time_limit: Optional[float]) -> None:
        """Use :meth:`open`; this takes over an open store and its state."""
        self.store = store
        self.cogs = cogs
        self.time_limit = time_limit
        #: receives each ``trk`` message of a live step (replay is silent)
        self.on_trace: Optional[Callable[[Value], None]] = None

    # ---- boot, open, close

    @staticmethod
    def boot(store_path: Union[str, os.PathLike], cog: Value) -> bytes:
        """Create a store in ``store_path`` whose only cog, 0, is ``cog``
        (evaluated to normal form), write it as snapshot 0 and close the
        store. The hash of the snapshot's state pin."""
        with Store.create(store_path) as store:
            return store.put_snapshot(0, state_value({0: (LIVE, cog.force())}))

    @classmethod
    def open(cls, store_path: Union[str, os.PathLike], time_limit: Optional[float] = DEFAULT_TIME_LIMIT,
             snapshot_at_most: Optional[int] = None) -> "Machine":
        """The machine in ``store_path``: the newest snapshot (with
        ``snapshot_at_most``: the newest taken at or before that event), then
        every later event replayed on it."""
        store = Store.open(store_path)
        try:
            found = store.latest_snapshot(snapshot_at_most)
            if found is None:
                raise MachineError(f"store {store.path} has no snapshot (was it booted?)")
            number, state = found
            machine = cls(store, read_state(state), time_limit)
            machine._replay(number + 1)
        except BaseException:
            store.close()
            raise
        return machine

    def close(self) -> None:
        """Close the store (idempotent)."""
        self.store.close()

    def __enter__(self) -> "Machine":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- reading the state

    def status(self, cog_id: int) -> str:
        """``live``, ``crashed`` or ``timeout``."""
        return self._cog(cog_id)[0]

    def cog(self, cog_id: int) -> Value:
        """The cog's value: the paused cog, or for a stopped one the last
        paused cog before the step that failed."""
        return self._cog(cog_id)[1]

    def requests(self, cog_id: int) -> list[Value]:
        """The cog's request row (entry 0 first; 0 for an empty slot). A cog
        that crashed or timed out asks nothing."""
        status, cog = self._cog(cog_id)
        return request_row(cog) if status == LIVE else []

    def state(self) -> Value:
        """The whole state as one PLAN value (the format of snapshots)."""
        return state_value(self.cogs)

    def state_hash(self) -> bytes:
        """The hash of the pin ``<state>``: equal states, equal hashes."""
        return plan.pin(self.state()).pin_hash()

    def last_event(self) -> int:
        return self.store.last_event()

    # ---- steps

    def deliver(self, cog_id: int, answers: dict[int, Answer]) -> str:
        """Answer some of the cog's requests: run ``(cog answers)`` within
        the time limit, log the event durably, then take the new state. The
        outcome: ``ok``, ``crash`` or ``timeout`` (then the cog is stopped
        and keeps the value it had). A KeyboardInterrupt aborts the step:
        nothing is logged and the state is as before."""
        status, cog = self._cog(cog_id)
        if status != LIVE:
            raise MachineError(f"cog {cog_id} is not running (it is {status})")
        tab = _tab(answers)
        outcome, after = self._run(cog, tab)
        self._log(cog_id, tab, outcome)
        self.cogs[cog_id] = (_OUTCOMES[outcome], after if outcome == OK else cog)
        return outcome

    def snapshot(self) -> int:
        """Write the state as the snapshot at the last event; its number."""
        number = self.store.last_event()
        self.store.put_snapshot(number, self.state())
        return number

    # ---- internals

    def _cog(self, cog_id: int) -> tuple[str, Value]:
        try:
            return self.cogs[cog_id]
        except KeyError:
            raise MachineError(f"no cog {cog_id} (cogs: {sorted(self.cogs)})") from None

    def _run(self, cog: Value, tab: Value) -> tuple[str, Value]:
        """``(outcome, next cog)`` of one step under the time limit, with
        ``trk`` output to :attr:`on_trace`."""
        try:
            with plan.tracing(self.on_trace), time_limit(self.time_limit):
                return OK, cog.apply(tab).force()
        except _TimeUp:
            return TIMEOUT, cog
        except _CRASHES:
            return CRASH, cog

    def _log(self, cog_id: int, tab: Value, outcome: str) -> None:
        """Write the event (its pin, then its record): durable on return."""
        h = self.store.put_pin(_row(cog_id, tab, _name(outcome)))
        self.store.append_events([_EVENT_TAG + h])

    def _replay(self, first: int) -> None:
        """Apply every event from ``first`` on to the state, silently and
        without a time limit (each one finished when it was logged)."""
        for number, record in self.store.events(first):
            cog_id, tab, outcome = read_event(self.store, number, record)
            status, cog = self.cogs.get(cog_id, (None, None))
            if status != LIVE:
                raise MachineError(f"event {number} answers cog {cog_id}, which is"
                                   f" {'missing' if status is None else status}")
            if outcome == OK:
                with plan.tracing(None):
                    cog = cog.apply(tab).force()
            self.cogs[cog_id] = (_OUTCOMES[outcome], cog)


# --------------------------------------------------------------------------
# Reading and writing the formats


def state_value(cogs: dict[int, tuple[str, Value]]) -> Value:
    """The state tab ``{id: [status cog]}`` of the cogs."""
    return _tab({i: _row(_name(status), cog) for i, (status, cog) in cogs.items()})


def read_state(state: Value) -> dict[int, tuple[str, Value]]:
    """The cogs of a state tab; MachineError if it has another shape."""
    cogs: dict[int, tuple[str, Value]] = {}
    for cog_id, entry in tab_items(state, "the snapshot's state", MachineError):
        items = row_items(entry, f"the state of cog {cog_id}", MachineError)
        if len(items) != 2:
            raise MachineError(f"the state of cog {cog_id} is not [status cog]")
        status = _text(items[0], f"the status of cog {cog_id}")
        if status not in _STATUSES:
            raise MachineError(f"cog {cog_id} has an unknown status {status!r}")
        cogs[cog_id] = (status, items[1])
    return cogs


def read_event(store: Store, number: int, record: bytes) -> tuple[int, Value, str]:
    """``(cog id, answers tab, outcome)`` of an event record."""
    if len(record) != len(_EVENT_TAG) + _HASH or record[:3] != _EVENT_TAG[:3]:
        raise MachineError(f"event {number} is not a runtime event record")
    if record[3] != RUNTIME_FORMAT:
        raise MachineError(f"event {number} has runtime format {record[3]};"
                           f" this pallas-kernel knows only {RUNTIME_FORMAT}")
    body = plan.pin_item(store.get_pin(record[len(_EVENT_TAG):]))
    items = row_items(body, f"event {number}", MachineError)
    if len(items) != 3:
        raise MachineError(f"event {number} is not [cog answers outcome]")
    cog_id = nat_of(items[0], f"the cog of event {number}", MachineError)
    outcome = _text(items[2], f"the outcome of event {number}")
    if outcome not in _OUTCOMES:
        raise MachineError(f"event {number} has an unknown outcome {outcome!r}")
    return cog_id, items[1], outcome


def describe_event(store: Store, number: int, record: bytes) -> str:
    """One line for an event: number, cog, outcome and the answers."""
    cog_id, tab, outcome = read_event(store, number, record)
    return f"{number} cog {cog_id} {outcome} {plan.show(tab)}"

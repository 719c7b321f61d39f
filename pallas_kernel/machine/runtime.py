"""The machine's state and its events: cogs whose state is a snapshot plus the
events logged after it (pallas-machine.md, section 7 and Appendix A).

A *cog* is a paused PLAN value ``(cogKernel free killed slots reqs)``: its
last argument is its request row. The machine answers some of the requests
with a tab ``{slot: answer}``; the cog applied to that tab is the next paused
cog. Every such step is an *event*, written to the store before anything it
caused is released, so replaying the events from a snapshot gives the same
state again. This module is the state and the log; :mod:`.loop` runs a
machine live, with devices.

Formats (version :data:`RUNTIME_FORMAT`):

state
    ``[cogs session]``: ``cogs`` is a tab ``{cog id: entry}``, the entry
    ``[%live cog]``, ``[%timeout cog]`` or ``[%crashed cog op arg]`` (a
    stopped cog keeps the value it had before the step that failed);
    ``session`` is the pin of the Sire session state of the last cell
    event (a notebook's machine), or 0. Snapshot ``n`` is the state after
    event ``n`` (snapshot 0: the booted state).
cell event record
    ``b"PKC"``, the version byte, the hash of the pin ``<info>`` and the
    hash of the pin ``session``: a notebook cell ran (``info`` says which,
    for people and for the history; see :mod:`pallas_kernel.kernel`) and
    left the Sire session state ``session``. Replay only notes the hash;
    the session of the last cell is loaded once, when it is asked for, and
    nothing is compiled again.
owner event record
    ``b"PKA"``, the version byte, then the hash of the pin ``<[%spin id
    cog]>`` or ``<[%stop id]>``: the machine's owner (a notebook) added a
    cog, or removed one, outside any cog's request.
cog event record
    ``b"PKE"``, one version byte, then the 32-byte hash of the stored pin
    ``<[cog receipts outcome]>``. ``receipts`` is a tab ``{slot: receipt}``
    saying how to rebuild each answer:

    - ``[1 v]``: the answer is ``v``, as logged;
    - ``0``: the answer is recomputed from the request (an ``eval`` job that
      finished: results are never stored);
    - ``[2 id]``: the request spun a new cog: the answer is ``id`` and the
      cog ``id`` is the request's argument;
    - ``[3 id]``: the request reaped or stopped cog ``id``: the answer is
      ``(0 entry)``, the cog's state entry, and the cog is removed.

    ``outcome`` is ``%ok``, ``%timeout`` or ``[%crash op arg]``. It is
    recorded, not recomputed: a step that crashed or ran out of time is not
    run again on replay (a time limit is not deterministic); one that
    finished is.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from dataclasses import dataclass
from typing import Callable, Iterator, Optional, Union

from .. import plan
from ..errors import MachineError, PlanCrash, PlanLoop, PlanMemory, PlanStackLimit
from ..plan import Value, base58
from ..plan.tree import Pin, spine
from ..plan.view import layer, nat_of, row_items, tab_items
from .store import Store

#: the version of the state and event formats below
RUNTIME_FORMAT = 2

_EVENT_TAG = b"PKE" + bytes([RUNTIME_FORMAT])
_CELL_TAG = b"PKC" + bytes([RUNTIME_FORMAT])
_OWNER_TAG = b"PKA" + bytes([RUNTIME_FORMAT])
_HASH = 32

LIVE, CRASHED, TIMEOUT = "live", "crashed", "timeout"
_STATUSES = (LIVE, CRASHED, TIMEOUT)
OK, CRASH = "ok", "crash"
_OUTCOMES = {OK: LIVE, CRASH: CRASHED, TIMEOUT: TIMEOUT}

#: receipt tags (see the module docstring)
LOGGED, SPUN, REMOVED = 1, 2, 3

#: seconds one step of a cog may take before it is stopped as timed out
DEFAULT_TIME_LIMIT = 10.0

#: the failures of an evaluation that make a cog crash (a PLAN crash, a loop,
#: too deep, too big); a KeyboardInterrupt is not one: the step did not happen
CRASHES = (PlanCrash, PlanLoop, PlanStackLimit, PlanMemory)

Answer = Union[Value, int]

#: how an answer is recomputed on replay: device name -> f(request args)
Recompute = Callable[[str, list[Value]], Value]


class TimeUp(Exception):
    """Raised by the SIGALRM handler inside an evaluation that ran too long."""


@dataclass(frozen=True)
class Cog:
    """One cog's entry in the state."""

    status: str
    value: Value
    #: for a crashed cog: the crash's op and argument
    op: int = 0
    arg: Answer = 0


@dataclass
class Step:
    """A step taken but not yet logged: the event's body (to store) and the
    ``trk`` messages it printed (released once the event is durable)."""

    cog_id: int
    body: Value
    outcome: str
    traces: list[Value]


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


_ROW_HEADS: dict[int, Value] = {}
_EMPTY_TAB: list[Value] = []


def row(*items: Answer) -> Value:
    """The row ``[items...]`` as a value."""
    head = _ROW_HEADS.get(len(items))
    if head is None:                    # the law {0 n+1 0}, read once per length
        head = _ROW_HEADS[len(items)] = plan.read("{0 %d 0}" % (len(items) + 1)).force()
    for item in reversed(items):
        head = head.apply(item)
    return head.force()


def some(value: Answer) -> Value:
    """``(0 value)``: the Maybe that holds ``value``."""
    return plan.nat(0).apply(value).force()


def _check_answers(pairs: dict[int, Answer]) -> None:
    for key, answer in pairs.items():
        if not isinstance(key, int) or key < 0:
            raise MachineError(f"an answer's slot must be a nat, not {key!r}")
        if not isinstance(answer, (Value, int)) or isinstance(answer, int) and answer < 0:
            raise MachineError(f"the answer for slot {key} is not a PLAN value: {answer!r}")


def tab(pairs: dict[int, Answer]) -> Value:
    """The tab of ``pairs`` (keys are nats)."""
    _check_answers(pairs)
    if not _EMPTY_TAB:
        _EMPTY_TAB.append(plan.read("#[]").force())
    result = _EMPTY_TAB[0]
    for key in sorted(pairs):
        result = plan.tab_insert(result, key, pairs[key])
    return result


def logged(value: Answer) -> Value:
    """The receipt of an answer logged as it is."""
    return row(LOGGED, value)


def same(a: Answer, b: Answer) -> bool:
    """Structural equality of two values (nats may be Python ints)."""
    a = a if isinstance(a, Value) else plan.nat(a)
    b = b if isinstance(b, Value) else plan.nat(b)
    return a.cmp(b) == 1


def request_row(cog: Value) -> list[Value]:
    """The request row of a paused cog (its last argument), item 0 first; a
    value that is not a paused cog (no row there) asks nothing: ``[]``."""
    _, args = spine(layer(cog))
    if not args:
        return []
    return list(row_items(args[-1]) or [])


def request_parts(request: Value) -> Optional[tuple[str, list[Value]]]:
    """``(device name, args)`` of a request ``[%dev args...]``, or None when
    it is not a row that starts with a name."""
    items = row_items(request)
    if not items:
        return None
    n = nat_of(items[0])
    if n is None or n == 0:
        return None
    try:
        return plan.to_str(n), list(items[1:])
    except UnicodeDecodeError:
        return None


# --------------------------------------------------------------------------
# Time limits


@contextlib.contextmanager
def time_limit(seconds: Optional[float]) -> Iterator[None]:
    """Run a block that raises :class:`TimeUp` after ``seconds`` of real
    time: SIGALRM's handler raises it, and the core polls for signals while
    it evaluates. No limit for ``None`` or off the main thread (only it gets
    signals)."""
    if seconds is None or threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_alarm(signum: int, frame: object) -> None:
        raise TimeUp()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 1e-6))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def evaluate(value: Value, seconds: Optional[float]) -> tuple[str, Value, int, Answer]:
    """``(outcome, normal form, op, arg)`` of ``value`` under a time limit:
    ``ok`` with the result, ``timeout``, or ``crash`` with the crash's op and
    argument (a loop, a stack or memory limit: op 0 and the error's name)."""
    try:
        with time_limit(seconds):
            return OK, value.force(), 0, 0
    except TimeUp:
        return TIMEOUT, value, 0, 0
    except PlanCrash as e:
        arg = e.value if isinstance(e.value, (Value, int)) else 0
        return CRASH, value, e.op, arg
    except CRASHES as e:
        return CRASH, value, 0, _name(type(e).__name__)


# --------------------------------------------------------------------------
# The machine


class Machine:
    """A machine opened on its store: the cogs' state, kept in step with the
    event log. Make one with :meth:`open` (after :meth:`boot`), close it to
    release the store."""

    def __init__(self, store: Store, cogs: dict[int, Cog], time_limit: Optional[float],
                 recompute: Optional[Recompute] = None) -> None:
        """Use :meth:`open`; this takes over an open store and its state."""
        self.store = store
        self.cogs = cogs
        self.time_limit = time_limit
        self.recompute = recompute
        #: receives each ``trk`` message of a step as it is made (replay is
        #: silent); :class:`Step` keeps them too
        self.on_trace: Optional[Callable[[Value], None]] = None
        #: the hash of the Sire session state of the last cell event
        self._session_hash: Optional[bytes] = None
        self._session: Optional[Value] = None
        #: events taken but not yet logged (tag, pins): the state is ahead
        #: of the log until :meth:`commit`
        self._unlogged: list[tuple[bytes, list[Value]]] = []

    # ---- boot, open, close

    @staticmethod
    def boot(store_path: Union[str, os.PathLike], cog: Optional[Value]) -> bytes:
        """Create a store in ``store_path`` whose only cog, 0, is ``cog``
        (evaluated to normal form; None: a machine with no cog yet, as a
        notebook's starts), write it as snapshot 0 and close the store. The
        hash of the snapshot's state pin."""
        cogs = {} if cog is None else {0: Cog(LIVE, cog.force())}
        with Store.create(store_path) as store:
            return store.put_snapshot(0, state_value(cogs, None))

    @classmethod
    def open(cls, store_path: Union[str, os.PathLike], time_limit: Optional[float] = DEFAULT_TIME_LIMIT,
             snapshot_at_most: Optional[int] = None, recompute: Optional[Recompute] = None,
             until: Optional[int] = None) -> "Machine":
        """The machine in ``store_path``: the newest snapshot (with
        ``snapshot_at_most``: the newest taken at or before that event), then
        every later event replayed on it (with ``until``: up to that event:
        the state as it was then). ``recompute`` rebuilds answers logged as
        recomputable (eval results)."""
        store = Store.open(store_path)
        try:
            if until is not None:
                snapshot_at_most = until if snapshot_at_most is None else min(until, snapshot_at_most)
            found = store.latest_snapshot(snapshot_at_most)
            if found is None:
                raise MachineError(f"store {store.path} has no snapshot (was it booted?)")
            number, state = found
            cogs, session = read_state(state)
            machine = cls(store, cogs, time_limit, recompute)
            if session is not None:
                machine._session, machine._session_hash = session, session.pin_hash()
            machine._replay(number + 1, until)
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
        return self._cog(cog_id).status

    def cog(self, cog_id: int) -> Value:
        """The cog's value: the paused cog, or for a stopped one the last
        paused cog before the step that failed."""
        return self._cog(cog_id).value

    def requests(self, cog_id: int) -> list[Value]:
        """The cog's request row (entry 0 first; 0 for an empty slot). A cog
        that crashed or timed out, or that is gone, asks nothing."""
        c = self.cogs.get(cog_id)
        return request_row(c.value) if c is not None and c.status == LIVE else []

    def finished(self, cog_id: int) -> bool:
        """Whether the cog will take no more steps: stopped, or live with no
        request left (a cog that is gone counts as finished)."""
        return not any(nat_of(r) != 0 for r in self.requests(cog_id))

    @property
    def session(self) -> Optional[Value]:
        """The Sire session state (a pin) the last cell left, or None."""
        if self._session is None and self._session_hash is not None:
            self._session = self.store.get_pin(self._session_hash)
        return self._session

    def state(self) -> Value:
        """The whole state as one PLAN value (the format of snapshots)."""
        return state_value(self.cogs, self.session)

    def state_hash(self) -> bytes:
        """The hash of the pin ``<state>``: equal states, equal hashes."""
        return plan.pin(self.state()).pin_hash()

    def last_event(self) -> int:
        return self.store.last_event()

    def next_cog_id(self) -> int:
        """The id a newly spun cog gets: one more than the largest in use."""
        return max(self.cogs, default=-1) + 1

    # ---- steps

    def deliver(self, cog_id: int, answers: dict[int, Answer]) -> str:
        """Answer some of the cog's requests with values, as one event logged
        durably before this returns; the outcome (``ok``, ``crash``,
        ``timeout``). A KeyboardInterrupt aborts the step: nothing is logged
        and the state is as before."""
        _check_answers(answers)
        step = self.step(cog_id, {slot: logged(v) for slot, v in answers.items()})
        self.commit()
        return step.outcome

    def step(self, cog_id: int, receipts: dict[int, Value],
             answers: Optional[dict[int, Value]] = None) -> Step:
        """Take one step of a live cog and change the state, without logging
        it: the caller commits (:meth:`commit`) before releasing any of the
        step's effects; until then :meth:`commit` is owed. ``answers`` gives
        the recomputable answers already known (computed live), so they are
        not computed again. A KeyboardInterrupt leaves everything as it
        was."""
        c = self._cog(cog_id)
        if c.status != LIVE:
            raise MachineError(f"cog {cog_id} is not running (it is {c.status})")
        given, effects = self._answers(cog_id, receipts, answers or {})
        traces: list[Value] = []

        def trace(message: Value) -> None:
            traces.append(message)
            if self.on_trace is not None:
                self.on_trace(message)

        with plan.tracing(trace):
            outcome, after, op, arg = evaluate(c.value.apply(tab(given)), self.time_limit)
        body = row(cog_id, tab(receipts), _outcome_value(outcome, op, arg))
        self._apply(cog_id, outcome, after if outcome == OK else c.value, op, arg, effects)
        step = Step(cog_id, body, outcome, traces)
        self._unlogged.append((_EVENT_TAG, [plan.pin(body)]))
        return step

    def record_cell(self, info: Value, session: Value) -> int:
        """Log that a notebook cell ran (``info``) and left the Sire session
        state ``session`` (a pin), together with any steps taken before it:
        durable on return. The cell's event number."""
        if not isinstance(layer(session), Pin):
            raise MachineError("a cell event's session state must be a pin")
        self._unlogged.append((_CELL_TAG, [plan.pin(info), session]))
        self._session, self._session_hash = session, session.pin_hash()
        return self.commit()

    def spin(self, cog: Value) -> int:
        """Add the cog ``cog`` (already evaluated: a paused cog) as an owner
        event, durable on return; its id."""
        cog_id = self.next_cog_id()
        value = cog.force()
        self._unlogged.append((_OWNER_TAG, [plan.pin(row(_name("spin"), cog_id, value))]))
        self.cogs[cog_id] = Cog(LIVE, value)
        self.commit()
        return cog_id

    def stop(self, cog_id: int) -> None:
        """Remove cog ``cog_id`` as an owner event, durable on return."""
        self._cog(cog_id)
        self._unlogged.append((_OWNER_TAG, [plan.pin(row(_name("stop"), cog_id))]))
        del self.cogs[cog_id]
        self.commit()

    def commit(self) -> int:
        """Log every step taken since the last commit, in one transaction
        (group commit); durable on return. The number of the last event."""
        events, self._unlogged = self._unlogged, []
        if events:
            self.store.append_pinned_events(events)
        return self.store.last_event()

    def snapshot(self) -> int:
        """Write the state as the snapshot at the last event; its number."""
        if self._unlogged:
            raise MachineError("a snapshot must follow a commit of every step taken")
        number = self.store.last_event()
        self.store.put_snapshot(number, self.state())
        return number

    # ---- internals

    def _cog(self, cog_id: int) -> Cog:
        try:
            return self.cogs[cog_id]
        except KeyError:
            raise MachineError(f"no cog {cog_id} (cogs: {sorted(self.cogs)})") from None

    def _answers(self, cog_id: int, receipts: dict[int, Value],
                 known: dict[int, Value]) -> tuple[dict[int, Answer], list[tuple[int, int, Optional[Value]]]]:
        """The answers the receipts stand for, and the cogs to add or remove
        (``(slot, id, value or None)``), as of the state before the step."""
        requests = request_row(self._cog(cog_id).value)
        answers: dict[int, Answer] = {}
        effects: list[tuple[int, int, Optional[Value]]] = []
        for slot, receipt in sorted(receipts.items()):
            items = row_items(receipt)
            if nat_of(receipt) == 0:
                answers[slot] = known[slot] if slot in known else self._recomputed(cog_id, slot, requests)
            elif items and len(items) == 2 and nat_of(items[0]) in (LOGGED, SPUN, REMOVED):
                tag = nat_of(items[0])
                if tag == LOGGED:
                    answers[slot] = items[1]
                    continue
                other = nat_of(items[1], f"the cog of a receipt of cog {cog_id}", MachineError)
                if tag == SPUN:
                    answers[slot] = other
                    effects.append((slot, other, self._spun_value(cog_id, slot, requests)))
                else:
                    gone = self.cogs.get(other)
                    answers[slot] = some(entry_value(gone)) if gone is not None else 0
                    effects.append((slot, other, None))
            else:
                raise MachineError(f"a receipt for slot {slot} of cog {cog_id} has an unknown form")
        return answers, effects

    def _recomputed(self, cog_id: int, slot: int, requests: list[Value]) -> Value:
        parts = request_parts(requests[slot]) if slot < len(requests) else None
        if parts is None or self.recompute is None:
            raise MachineError(f"cannot recompute the answer to slot {slot} of cog {cog_id}")
        return self.recompute(*parts)

    def _spun_value(self, cog_id: int, slot: int, requests: list[Value]) -> Value:
        parts = request_parts(requests[slot]) if slot < len(requests) else None
        if parts is None or parts[0] != "cog" or len(parts[1]) != 2:
            raise MachineError(f"slot {slot} of cog {cog_id} did not ask to spin a cog")
        return parts[1][1].force()

    def _apply(self, cog_id: int, outcome: str, value: Value, op: int, arg: Answer,
               effects: list[tuple[int, int, Optional[Value]]]) -> None:
        for _, other, spun in effects:
            if spun is None:
                self.cogs.pop(other, None)
            else:
                self.cogs[other] = Cog(LIVE, spun)
        if cog_id not in {other for _, other, spun in effects if spun is None}:
            self.cogs[cog_id] = Cog(_OUTCOMES[outcome], value, op, arg)

    def _apply_owner(self, owner: tuple[str, int, Optional[Value]]) -> None:
        verb, cog_id, value = owner
        if verb == "spin":
            self.cogs[cog_id] = Cog(LIVE, value)
        else:
            self.cogs.pop(cog_id, None)

    def _replay(self, first: int, until: Optional[int] = None) -> None:
        """Apply every event from ``first`` on (to ``until``) to the state,
        silently and without a time limit (each one finished when it was
        logged)."""
        for number, record in self.store.events(first):
            if until is not None and number > until:
                break
            if is_cell_record(record):
                self._session_hash, self._session = cell_session_hash(number, record), None
                continue
            if record[:3] == _OWNER_TAG[:3]:
                self._apply_owner(read_owner(self.store, number, record))
                continue
            cog_id, receipts, outcome, op, arg = read_event(self.store, number, record)
            c = self.cogs.get(cog_id)
            if c is None or c.status != LIVE:
                raise MachineError(f"event {number} answers cog {cog_id}, which is"
                                   f" {'missing' if c is None else c.status}")
            answers, effects = self._answers(cog_id, dict(tab_items(receipts) or []), {})
            value = c.value
            if outcome == OK:
                with plan.tracing(None):
                    value = c.value.apply(tab(answers)).force()
            self._apply(cog_id, outcome, value, op, arg, effects)


# --------------------------------------------------------------------------
# Reading and writing the formats


def _outcome_value(outcome: str, op: int, arg: Answer) -> Value:
    return row(_name(CRASH), op, arg) if outcome == CRASH else _name(outcome)


def entry_value(c: Cog) -> Value:
    """A cog's entry in the state tab."""
    if c.status == CRASHED:
        return row(_name(CRASHED), c.value, c.op, c.arg)
    return row(_name(c.status), c.value)


def state_value(cogs: dict[int, Cog], session: Optional[Value]) -> Value:
    """The state ``[cogs session]``: the tab ``{id: entry}`` of the cogs and
    the session pin (0 for none)."""
    return row(tab({i: entry_value(c) for i, c in cogs.items()}), 0 if session is None else session)


def read_state(state: Value) -> tuple[dict[int, Cog], Optional[Value]]:
    """The cogs and session of a state; MachineError if it has another
    shape."""
    top = row_items(state, "the snapshot's state", MachineError)
    if len(top) != 2:
        raise MachineError("the snapshot's state is not [cogs session]")
    cogs: dict[int, Cog] = {}
    for cog_id, entry in tab_items(top[0], "the snapshot's cogs", MachineError):
        items = row_items(entry, f"the state of cog {cog_id}", MachineError)
        status = _text(items[0], f"the status of cog {cog_id}") if items else ""
        if status not in _STATUSES or len(items) != (4 if status == CRASHED else 2):
            raise MachineError(f"the state of cog {cog_id} is not [status cog] or [%crashed cog op arg]")
        if status == CRASHED:
            op = nat_of(items[2], f"the crash of cog {cog_id}", MachineError)
            cogs[cog_id] = Cog(status, items[1], op, items[3])
        else:
            cogs[cog_id] = Cog(status, items[1])
    session = None if nat_of(top[1]) == 0 else top[1]
    return cogs, session


def is_cell_record(record: bytes) -> bool:
    return record[:3] == _CELL_TAG[:3]


def _check_record(number: int, record: bytes, tag: bytes, pins: int, what: str) -> None:
    if len(record) != len(tag) + pins * _HASH or record[:3] != tag[:3]:
        raise MachineError(f"event {number} is not a {what} record")
    if record[3] != RUNTIME_FORMAT:
        raise MachineError(f"event {number} has runtime format {record[3]};"
                           f" this pallas-kernel knows only {RUNTIME_FORMAT}")


def cell_session_hash(number: int, record: bytes) -> bytes:
    """The hash of the session pin a cell event record names."""
    _check_record(number, record, _CELL_TAG, 2, "cell event")
    return record[len(_CELL_TAG) + _HASH:]


def read_cell(store: Store, number: int, record: bytes, session: bool = True) -> tuple[Value, Optional[Value]]:
    """``(info, session pin)`` of a cell event record (without ``session``:
    ``(info, None)``, which reads much less)."""
    _check_record(number, record, _CELL_TAG, 2, "cell event")
    start = len(_CELL_TAG)
    info = plan.pin_item(store.get_pin(record[start:start + _HASH]))
    return info, store.get_pin(record[start + _HASH:]) if session else None


def read_owner(store: Store, number: int, record: bytes) -> tuple[str, int, Optional[Value]]:
    """``(verb, cog id, cog or None)`` of an owner event record."""
    _check_record(number, record, _OWNER_TAG, 1, "owner event")
    items = row_items(plan.pin_item(store.get_pin(record[len(_OWNER_TAG):])), f"event {number}",
                      MachineError)
    verb = _text(items[0], f"the verb of event {number}") if items else ""
    if (verb, len(items)) not in (("spin", 3), ("stop", 2)):
        raise MachineError(f"event {number} is not [%spin id cog] or [%stop id]")
    cog_id = nat_of(items[1], f"the cog of event {number}", MachineError)
    return verb, cog_id, items[2] if verb == "spin" else None


def read_event(store: Store, number: int, record: bytes) -> tuple[int, Value, str, int, Answer]:
    """``(cog id, receipts tab, outcome, crash op, crash arg)`` of an event
    record."""
    _check_record(number, record, _EVENT_TAG, 1, "cog event")
    body = plan.pin_item(store.get_pin(record[len(_EVENT_TAG):]))
    items = row_items(body, f"event {number}", MachineError)
    if len(items) != 3:
        raise MachineError(f"event {number} is not [cog receipts outcome]")
    cog_id = nat_of(items[0], f"the cog of event {number}", MachineError)
    tab_items(items[1], f"the receipts of event {number}", MachineError)
    crash = row_items(items[2])
    if crash and len(crash) == 3 and nat_of(crash[0]) == nat_of(_name(CRASH)):
        op = nat_of(crash[1], f"the crash op of event {number}", MachineError)
        return cog_id, items[1], CRASH, op, crash[2]
    outcome = _text(items[2], f"the outcome of event {number}")
    if outcome not in (OK, TIMEOUT):
        raise MachineError(f"event {number} has an unknown outcome {outcome!r}")
    return cog_id, items[1], outcome, 0, 0


def describe_event(store: Store, number: int, record: bytes, show: Callable[[Value], str] = plan.show) -> str:
    """One line for an event: number, cog, outcome, then each answer as
    ``slot=value`` (``slot=(recomputed)`` for an eval result, ``slot=(spun
    N)``, ``slot=(removed N)``)."""
    if record[:3] == _OWNER_TAG[:3]:
        verb, cog_id, _ = read_owner(store, number, record)
        return f"{number} {verb} cog {cog_id}"
    if is_cell_record(record):
        info, _ = read_cell(store, number, record, session=False)
        session = base58.encode(cell_session_hash(number, record))
        return f"{number} cell {show(info)} session {session}"
    cog_id, receipts, outcome, op, arg = read_event(store, number, record)
    if outcome == CRASH:
        outcome = f"crash {op} {show(arg)}"
    parts = [f"{number} cog {cog_id} {outcome}"]
    for slot, receipt in tab_items(receipts) or []:
        items = row_items(receipt) or [0, 0]
        tag = nat_of(items[0])
        if nat_of(receipt) == 0:
            parts.append(f"{slot}=(recomputed)")
        elif tag == LOGGED:
            parts.append(f"{slot}={show(items[1])}")
        else:
            parts.append(f"{slot}=({'spun' if tag == SPUN else 'removed'} {show(items[1])})")
    return " ".join(parts)

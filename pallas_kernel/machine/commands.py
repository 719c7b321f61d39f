"""The machine's command-line commands (``pallas start``, ``log``, ``cogs``,
``show-state``): each takes the store's path and output streams and returns
an exit status. Errors are :class:`~pallas_kernel.errors.PallasError`s, which
``pallas`` prints as one line."""

from __future__ import annotations

import sys
from typing import Callable, Optional, TextIO

from .. import plan
from ..plan import base58
from ..sire.show import show_value
from .runtime import CRASHED, Machine, describe_event
from .service import recompute_here, start
from .store import Store


def _show(value: object, limit: int = 200) -> str:
    return show_value(value, limit=limit)


def run_start(store: str, replay_all: bool = False, time_limit: Optional[float] = None,
              snapshot_events: int = 10000, executor: Optional[str] = None,
              stderr: Optional[TextIO] = None) -> int:
    """``pallas start STORE``: run the machine until Ctrl-C or until no cog
    has a request open; 0 either way."""
    stderr = stderr or sys.stderr
    kwargs = {} if time_limit is None else {"time_limit": time_limit}
    start(store, out=stderr, replay_all=replay_all, snapshot_events=snapshot_events,
          executor=executor, **kwargs)
    return 0


def run_log(store: str, stdout: Optional[TextIO] = None) -> int:
    """``pallas log STORE``: one line per event (number, cog, outcome,
    answers), oldest first, newest last."""
    stdout = stdout or sys.stdout
    with Store.open(store) as st:
        for number, record in st.events():
            print(describe_event(st, number, record, _show), file=stdout)
    return 0


def run_cogs(store: str, stdout: Optional[TextIO] = None) -> int:
    """``pallas cogs STORE``: each cog as of the last event: id, status,
    and what it is waiting for."""
    stdout = stdout or sys.stdout
    with Machine.open(store, recompute=recompute_here) as m:
        for line in cog_lines(m):
            print(line, file=stdout)
    return 0


def run_show_state(store: str, event: Optional[int] = None, values: bool = False,
                   stdout: Optional[TextIO] = None) -> int:
    """``pallas show-state STORE [EVENT]``: the state as of an event (the
    last by default): its hash, then each cog (with ``values``: its whole
    value in Sire notation)."""
    stdout = stdout or sys.stdout
    with Machine.open(store, until=event, recompute=recompute_here) as m:
        last = m.last_event() if event is None else min(event, m.last_event())
        print(f"event {last} state {base58.encode(m.state_hash())}", file=stdout)
        for line in cog_lines(m):
            print(line, file=stdout)
        if values:
            for cog_id in sorted(m.cogs):
                print(f"cog {cog_id} = {show_value(m.cog(cog_id), limit=20000)}", file=stdout)
    return 0


def cog_lines(m: Machine, show: Callable[[object], str] = _show) -> list[str]:
    """One line per cog: ``cog ID STATUS`` and its open requests (a crashed
    cog: the crash)."""
    lines = []
    for cog_id in sorted(m.cogs):
        c = m.cogs[cog_id]
        if c.status == CRASHED:
            lines.append(f"cog {cog_id} crashed {c.op} {show(c.arg)}")
            continue
        asks = [f"{slot}={show(r)}" for slot, r in enumerate(m.requests(cog_id)) if plan.show(r) != "0"]
        state = c.status if c.status != "live" or asks else "finished"
        lines.append(" ".join([f"cog {cog_id} {state}"] + asks))
    return lines


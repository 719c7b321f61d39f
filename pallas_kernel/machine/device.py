"""What a device is to the machine: the contract between the runtime loop
(:mod:`.loop`) and each device (:mod:`.devices`).

A cog asks for effects through its request row: entry ``i`` is 0 (nothing)
or a row ``[%dev args...]``. After every committed event the runtime diffs
the row against the requests it has open: an entry that left or changed is
*cancelled*, a new one is *issued* to the device named by its first item.

Threads. Only the machine's thread (the one running the loop, the main
thread) touches PLAN values: the C core is not reentrant, and a device
thread building or reading a value while a cog is being evaluated would
corrupt its heap. So a device

- *parses* a request on the machine thread into plain Python data
  (:meth:`Device.parse`), raising :class:`BadRequest` when it is malformed
  (the cog then gets 0 and the user a warning, as the reference does);
- does its work on its own threads or processes with that data;
- hands back an answer with :meth:`Hub.answer`, giving a function that
  builds the answer's value; the hub runs it on the machine thread.

Replay. An answer is logged as a value, unless it is *recomputable*: the
device then gives the runtime a way to compute it again from the request
(:meth:`Device.recompute`), and the log records only that it succeeded
(the eval device: a result is recomputed on replay, never stored).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional, Protocol

from ..plan import Value


@dataclass(frozen=True)
class RequestKey:
    """One issued request: the cog, the slot in its request row, and a serial
    number unique within the machine's run, so an answer to a request that
    was cancelled (or cancelled and issued again) is recognised as stale."""

    cog: int
    slot: int
    serial: int


class BadRequest(Exception):
    """A request a device cannot carry out as written (wrong arity, a nat
    where a bar belongs...). The message says what is wrong."""


class Hub(Protocol):
    """What the runtime offers a device. Every method may be called from any
    thread."""

    #: the store's directory (the http device writes its port files there)
    store_dir: str

    def answer(self, key: RequestKey, make: Callable[[], Value], recomputable: bool = False) -> None:
        """Answer request ``key``: ``make()`` (run on the machine thread)
        builds the value. ``recomputable``: the answer will be logged as
        "succeeded" and recomputed on replay with :meth:`Device.recompute`.
        An answer to a request no longer open is dropped."""

    def call_soon(self, fn: Callable[[], None]) -> None:
        """Run ``fn()`` on the machine thread, between events (for work that
        needs PLAN values, such as running an HTTP handler)."""

    def warn(self, text: str) -> None:
        """Tell the user something about a request (stderr)."""


class Device(Protocol):
    """A device: the effects one kind of request stands for."""

    #: the nat the request's first item spells (``time``, ``rand``...)
    name: str

    def parse(self, key: RequestKey, args: list[Value]) -> Any:
        """On the machine thread: the request ``[%name args...]`` as plain
        Python data for :meth:`issue`, or BadRequest."""

    def issue(self, key: RequestKey, request: Any) -> None:
        """On the machine thread: start the request (without blocking); its
        answer comes later through the hub, or never."""

    def cancel(self, key: RequestKey) -> None:
        """On the machine thread: the request left the cog's row; stop it
        if possible. An answer that still arrives is dropped by the hub."""

    def recompute(self, args: list[Value]) -> Optional[Value]:
        """On replay, for an answer logged as recomputable: compute it again
        from the request's arguments (devices that never answer that way
        return None)."""

    def close(self) -> None:
        """Stop every thread and process, release every socket. Called once,
        when the machine stops."""

    # A device that holds resources per cog (the http device's servers)
    # also defines ``cog_gone(cog_id)``: the cog was removed (reaped or
    # stopped); its requests are cancelled already.

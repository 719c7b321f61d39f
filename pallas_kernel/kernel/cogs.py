"""Cogs in a notebook's machine: spun from a cell, run by the kernel between
cells, resumed when the kernel starts again.

The kernel owns the machine: cells and cogs share its log and its one
writer (the kernel's main thread). A :class:`NotebookCogs` keeps a
:class:`~pallas_kernel.machine.loop.Runner` with the standard devices and
turns it one step at a time from the kernel's event loop (:meth:`poll`,
called on a timer), so a cog's events interleave with cells and never run
during one. Each committed step's ``trk`` output goes to the cell that spun
the cog (or, for a cog resumed after a restart, to the last cell run).
"""

from __future__ import annotations

import collections
import threading
from typing import Callable, Optional

from ..errors import MachineError
from ..machine.commands import cog_lines
from ..machine.loop import Inbox, Runner
from ..machine.service import standard_devices
from ..plan import Value
from ..sire.show import show_value
from . import magics
from .magics import MagicCall, MagicError, MagicHost, Output, Text
from .notebook import NotebookMachine

#: (cog id, text, stream): where a cog's output goes
Emit = Callable[[Optional[int], str, str], None]


class _Lines:
    """A text stream for the runner's warnings that device threads may write
    to: lines are kept until the kernel's thread takes them."""

    def __init__(self) -> None:
        self.lines: "collections.deque[str]" = collections.deque()
        self._partial = ""
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        with self._lock:
            self._partial += text
            *done, self._partial = self._partial.split("\n")
            self.lines.extend(line for line in done if line)
        return len(text)

    def flush(self) -> None:
        pass


class NotebookCogs:
    """The cogs of a notebook's machine (see the module text)."""

    def __init__(self, notebook: NotebookMachine, emit: Emit) -> None:
        self.notebook = notebook
        self.emit = emit
        self._warnings = _Lines()
        self.runner: Optional[Runner] = None
        if notebook.machine.cogs:
            self._start()

    @property
    def machine(self):
        return self.notebook.machine

    def _start(self) -> Runner:
        if self.runner is None:
            inbox = Inbox(str(self.notebook.path), self._warnings)
            devices = [make(inbox) for make in standard_devices()]
            self.runner = Runner(self.machine, inbox, devices)
            self.runner.on_trace = lambda cog_id, message: self.emit(cog_id, show_value(message), "stdout")
            self.runner.begin()
        return self.runner

    def spin(self, cog: Value) -> int:
        """Add ``cog`` (a paused cog, e.g. ``runCog act``) to the machine as
        an event and start answering it; its id."""
        runner = self._start()
        cog_id = self.machine.spin(cog)
        runner.adopt(cog_id)
        return cog_id

    def stop(self, cog_id: int) -> None:
        """Remove a cog (an event); its open requests are cancelled."""
        self.machine.stop(cog_id)
        if self.runner is not None:
            self.runner.adopt(cog_id)

    def lines(self) -> list[str]:
        """One line per cog: id, status, what it waits for."""
        return cog_lines(self.machine)

    def poll(self) -> bool:
        """Take the cogs one round further if anything arrived; pass the
        runner's warnings on. Whether a cog stepped."""
        stepped = self.runner.poll() if self.runner is not None else False
        while self._warnings.lines:
            self.emit(None, self._warnings.lines.popleft(), "stderr")
        return stepped

    def close(self) -> None:
        """Commit, snapshot and stop the devices (the cogs go on at the next
        start)."""
        if self.runner is not None:
            self.runner.finish()
            self.runner = None


# ----- magics: )spin )cogs )stop ---------------------------------------------------------


def _cogs_of(host: MagicHost, column: int) -> NotebookCogs:
    cogs = getattr(host, "cogs", None)
    if cogs is None:
        raise MagicError("this kernel runs no cogs (it has no machine)", column)
    return cogs


@magics.register("spin", ")spin EXPR", "start the cog EXPR (e.g. runCog act) in the notebook's machine")
def magic_spin(host: MagicHost, call: MagicCall) -> list[Output]:
    (expr, col), = call.split(1, ")spin EXPR")
    _cogs_of(host, col)
    outputs, values = magics.evaluate(host.sire, expr, call, col)
    try:
        cog_id = host.spin_cog(values[-1])
    except MachineError as e:
        raise MagicError(str(e), col) from None
    return outputs + [Text(f"spun cog {cog_id}: its output appears under this cell; )stop {cog_id} ends it")]


@magics.register("cogs", ")cogs", "the notebook machine's cogs: status and what each waits for")
def magic_cogs(host: MagicHost, call: MagicCall) -> list[Output]:
    lines = _cogs_of(host, call.args_column).lines()
    return [Text("\n".join(lines) if lines else "no cogs")]


@magics.register("stop", ")stop ID", "remove cog ID from the notebook's machine")
def magic_stop(host: MagicHost, call: MagicCall) -> list[Output]:
    (word, col), = call.split(1, ")stop ID")
    cogs = _cogs_of(host, col)
    if not word.isdigit():
        raise MagicError(f"a cog id is a number, not {word!r}", col)
    try:
        cogs.stop(int(word))
    except MachineError as e:
        raise MagicError(str(e), col) from None
    return [Text(f"stopped cog {word}")]

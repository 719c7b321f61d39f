"""Cogs in a notebook's machine: spun from a cell, run by the kernel between
cells, resumed when the kernel starts again.

The kernel owns the machine: cells and cogs share its log and its one
writer (the kernel's main thread). A :class:`NotebookCogs` keeps a
:class:`~pallas_kernel.machine.loop.Runner` with the standard devices and
turns it one step at a time from the kernel's event loop (:meth:`poll`,
called on a timer), so a cog's events interleave with cells and never run
during one. Each committed step's ``trk`` output goes to the cell that spun
the cog (or, for a cog resumed after a restart, to the last cell run).

Magics: ``)spin EXPR``, ``)cogs``, ``)stop ID``; ``)wait [SECONDS]`` runs
the cogs until none is busy (:meth:`NotebookCogs.busy`), their output under
its own cell, which makes cog output deterministic in a saved notebook;
``)http ID PATH`` asks a cog's HTTP server from the kernel.
"""

from __future__ import annotations

import collections
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Callable, Optional

from ..errors import MachineError
from ..machine.commands import cog_lines
from ..machine.devices.http import Hear, Hold, Serv
from ..machine.loop import INTERNAL, Inbox, OpenRequest, Runner
from ..machine.service import standard_devices
from ..plan import Value
from ..sire.show import show_value
from . import magics
from .magics import MagicCall, MagicError, MagicHost, Output, Text
from .notebook import NotebookMachine

#: (cog id, text, stream): where a cog's output goes
Emit = Callable[[Optional[int], str, str], None]
#: seconds ``)wait`` and ``)http`` turn the cogs when not told
WAIT_DEFAULT = 10.0
#: seconds between two turns while waiting
WAIT_STEP = 0.01


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

    def lines(self, show: Optional[Callable[[Value], str]] = None) -> list[str]:
        """One line per cog: id, status, what it waits for (values printed
        by ``show``, e.g. a session's, which names laws in scope)."""
        return cog_lines(self.machine, show) if show is not None else cog_lines(self.machine)

    def poll(self) -> bool:
        """Take the cogs one round further if anything arrived; pass the
        runner's warnings on. Whether a cog stepped."""
        stepped = self.runner.poll() if self.runner is not None else False
        self.flush_warnings()
        return stepped

    def flush_warnings(self) -> None:
        """Send the runner's and devices' warnings so far (e.g. a resumed
        server's port) to the cell running now."""
        while self._warnings.lines:
            self.emit(None, self._warnings.lines.popleft(), "stderr")

    def busy(self, horizon: float) -> bool:
        """Whether a cog will step soon by itself: an answer is waiting to
        be used or in the inbox, or a request is open that the machine
        answers without the outside world (an eval job, random bytes, the
        time, a time ``wait`` due within ``horizon`` seconds, an HTTP echo or
        client call). A cog that only waits for an HTTP request, another
        cog or a later time is not busy."""
        runner = self.runner
        if runner is None:
            return False
        if runner.ready or not runner.inbox.queue.empty() or self._warnings.lines:
            return True
        deadline = time.time() + horizon
        return any(_soon(req, deadline) for req in runner.open.values())

    def wait(self, seconds: float) -> tuple[int, bool]:
        """Turn the cogs until none is :meth:`busy`, for at most ``seconds``:
        how many events they logged meanwhile, and whether they went quiet."""
        runner = self._start() if self.machine.cogs else self.runner
        if runner is None:
            return 0, True
        before = runner.events
        end = time.monotonic() + seconds
        while True:
            self.poll()
            if not self.busy(max(0.0, end - time.monotonic())):
                return runner.events - before, True
            if time.monotonic() >= end:
                return runner.events - before, False
            time.sleep(WAIT_STEP)

    def port(self, cog_id: int) -> Optional[int]:
        """The port of cog ``cog_id``'s HTTP server, if it has one."""
        device = self.runner.devices.get("http") if self.runner is not None else None
        server = device.servers.get(cog_id) if device is not None else None
        return server.port if server is not None else None

    def close(self) -> None:
        """Commit, snapshot and stop the devices (the cogs go on at the next
        start)."""
        if self.runner is not None:
            self.runner.finish()
            self.runner = None


def _soon(req: OpenRequest, deadline: float) -> bool:
    """Whether the machine answers ``req`` by itself soon (see busy)."""
    if req.device in INTERNAL:
        return False
    if req.device == "time":
        what, when = req.parsed
        return what == "when" or when <= deadline
    if req.device == "http":
        return not isinstance(req.parsed, (Serv, Hear, Hold))
    return True


# ----- magics: )spin )cogs )stop )wait )http ---------------------------------------------------------


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
    lines = _cogs_of(host, call.args_column).lines(_shower(host))
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


def _shower(host: MagicHost) -> Callable[[Value], str]:
    """Values as the session prints them (laws in scope by name), cut short."""
    return lambda v: host.sire.show(v, 200)


def _seconds(word: str, column: int) -> float:
    try:
        seconds = float(word)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= 3600:
        raise MagicError(f"seconds are a number from 0 to 3600, not {word!r}", column)
    return seconds


@magics.register("wait", ")wait [SECONDS]",
                 "run the cogs until they wait only on the outside world (at most SECONDS, 10); their output comes here")
def magic_wait(host: MagicHost, call: MagicCall) -> list[Output]:
    words = call.words()
    magics._no_more(call, words, 1, ")wait [SECONDS]")
    seconds = _seconds(*words[0]) if words else WAIT_DEFAULT
    cogs = _cogs_of(host, call.args_column)
    events, quiet = _waiting(host, lambda: cogs.wait(seconds))
    said = f"{events} cog event{'s' if events != 1 else ''}; "
    said += "the cogs are waiting on the outside world" if quiet else f"still busy after {words[0][0] if words else int(WAIT_DEFAULT)} s"
    return [Text("\n".join([said] + (cogs.lines(_shower(host)) or ["no cogs"])))]


def _waiting(host: MagicHost, work: Callable):
    """Run ``work`` with the cogs' output going to the cell running now."""
    here = getattr(host, "cog_output_here", None)
    if here is None:
        return work()
    with here():
        return work()


@magics.register("http", ")http ID PATH",
                 "GET PATH from cog ID's HTTP server (on 127.0.0.1), running the cogs until it answers")
def magic_http(host: MagicHost, call: MagicCall) -> list[Output]:
    usage = ")http ID PATH"
    (word, col), (path, path_col) = call.split(2, usage)
    cogs = _cogs_of(host, col)
    if not word.isdigit():
        raise MagicError(f"a cog id is a number, not {word!r}", col)
    if not path.startswith("/") or any(c.isspace() for c in path):
        raise MagicError(f"a path starts with '/' and has no blanks, not {path!r}", path_col)
    cogs.wait(0.5)                                  # let a new cog open its server
    port = cogs.port(int(word))
    if port is None:
        raise MagicError(f"cog {word} has no HTTP server (it has asked for no HTTP_SERV or HTTP_HEAR)", col)
    answer: list = []

    def fetch() -> None:
        url = f"http://127.0.0.1:{port}{urllib.parse.quote(path, safe='/?=&%')}"
        try:
            with urllib.request.urlopen(url, timeout=WAIT_DEFAULT) as r:
                answer.append((r.status, r.reason, r.read()))
        except urllib.error.HTTPError as e:
            answer.append((e.code, e.reason, e.read()))
        except (OSError, ValueError) as e:
            answer.append(e)

    client = threading.Thread(target=fetch, name="http-magic", daemon=True)
    client.start()

    def turn() -> None:
        end = time.monotonic() + WAIT_DEFAULT + 1
        while client.is_alive() and time.monotonic() < end:
            cogs.poll()
            client.join(WAIT_STEP)
        cogs.wait(0.5)                              # the steps after the answer

    _waiting(host, turn)
    if not answer:
        raise MagicError(f"cog {word} did not answer GET {path} in {int(WAIT_DEFAULT)} s", path_col)
    if isinstance(answer[0], Exception):
        raise MagicError(f"GET {path}: {answer[0]}", path_col)
    status, reason, body = answer[0]
    return [Text(f"GET {path} -> {status} {reason}\n{body.decode('utf-8', 'replace')}".rstrip("\n"))]

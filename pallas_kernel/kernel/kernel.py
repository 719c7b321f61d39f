"""The Jupyter kernel for Sire: an ipykernel wrapper kernel (as bash_kernel is).

The kernel holds one :class:`~pallas_kernel.sire.session.Session`, started
with our prelude imported (as ``pallas sire prelude`` does, from the compile
cache when it is warm). A cell runs through :class:`.cells.CellRunner`:

* ``trk`` output, definitions (``name=value``, or ``(f a b)`` for a law)
  and assertions go out as ``stream`` messages while the cell runs;
* an expression's value is ``display_data`` (``text/plain`` in Sire
  notation and ``text/html``), the cell's last output ``execute_result``
  when it is a value;
* a failure is one ``error`` message (kind, reason, the place with the code
  and a caret; never a Python traceback); the blocks before it keep their
  effect and nothing after it runs;
* Ctrl-C (Jupyter's interrupt, SIGINT) stops the cell: the state is put back
  as it was before the cell and the kernel goes on.

Each executed cell (unless interrupted) is an event in the notebook's
machine (:mod:`.notebook`), committed before the reply; a kernel started on
a machine that has cells takes the session state of the last one back,
compiling nothing. The history comes from that log, across restarts.
"""

from __future__ import annotations

import contextlib
import fnmatch
import shutil
import threading
from typing import Any, Iterator, Optional

from ipykernel.kernelbase import Kernel
from tornado.ioloop import PeriodicCallback

from ..plan import Value
from ..rex import cell_status
from ..sire.cache import Cache
from ..sire.library import LAST_MODULE
from ..sire.library_reference import load_reference
from ..errors import MachineError, PallasError
from ..sire.session import Session
from . import complete as completion
from . import magics
from .cogs import NotebookCogs
from .cells import CellOutcome, CellRunner, cell_chunks, failure_report
from .display import mime_bundle
from .notebook import NotebookMachine, default_machine

VERSION = "0.1.0"
#: seconds to wait for the iopub thread to send a stream message
DELIVERY_TIMEOUT = 2.0
#: how often the notebook's cogs are turned between cells (milliseconds)
COG_POLL_MS = 100


class PallasKernel(Kernel):
    """Sire cells on a persistent session (see the module text)."""

    implementation = "pallas-kernel"
    implementation_version = VERSION
    language = "sire"
    language_version = "0.1"
    language_info = {
        "name": "sire",
        "version": "0.1",
        "mimetype": "text/x-sire",
        "file_extension": ".sire",
        "pygments_lexer": "sire",
        "codemirror_mode": "sire",
    }
    banner = (f"Sire (Pallas) kernel {VERSION}: Sire cells compiled to PLAN and evaluated by the "
              f"C core; the {LAST_MODULE} is imported.")
    help_links = [{"text": "Pallas", "url": "https://github.com/operating-function/pallas"}]

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.notebook, problem = open_machine()
        #: the cell (its request) each cog's output goes to; None: the last cell run
        self.cog_cells: dict[int, dict] = {}
        self.last_cell: Optional[dict] = None
        #: True while a magic waits on the cogs: their output goes to its cell
        self._cogs_here = False
        #: the directory of scratch machines (``)attach scratch:NAME``), once made
        self.scratch = None
        self.cogs = NotebookCogs(self.notebook, self._cog_output) if self.notebook is not None else None
        self.sire, self.startup_failure = start_session(self.notebook)
        self.startup_failure = "\n".join(p for p in (problem, self.startup_failure) if p)
        self.runner = CellRunner(self.sire)
        self.reference = load_reference()
        self.cells: dict[str, completion.CellSource] = {}
        self.last_outcome: Optional[CellOutcome] = None

    def start(self) -> None:
        """Also turn the notebook's cogs, between cells, every tenth of a
        second (on the kernel's own event loop: never during a cell)."""
        super().start()
        self._cog_timer = PeriodicCallback(self._poll_cogs, COG_POLL_MS)
        self._cog_timer.start()

    def _poll_cogs(self) -> None:
        if self.cogs is None:
            return
        try:
            self.cogs.poll()
        except KeyboardInterrupt:       # an interrupt meant for a cell; the round kept its steps
            pass
        except PallasError as e:
            self._cog_output(None, f"the machine stopped running cogs: {e}", "stderr")
            self.cogs = None

    def _cog_output(self, cog_id: Optional[int], text: str, stream: str) -> None:
        """A cog's output, sent as a stream message of the cell that spun it
        (or of the last cell run)."""
        parent = self.cog_cells.get(cog_id, self.last_cell) if cog_id is not None else self.last_cell
        if self._cogs_here:
            parent = self.last_cell
        if parent is None or self.iopub_socket is None:
            return
        self.session.send(self.iopub_socket, "stream", {"name": stream, "text": text + "\n"},
                          parent=parent, ident=self._topic("stream"))

    @contextlib.contextmanager
    def cog_output_here(self) -> Iterator[None]:
        """While a magic waits on the cogs (``)wait``, ``)http``), their
        output goes to its cell, in order with its own."""
        self._cogs_here = True
        try:
            yield
        finally:
            self._cogs_here = False

    def detach_cogs(self) -> None:
        """Before ``)attach`` closes the machine: stop running its cogs."""
        if self.cogs is not None:
            self.cogs.close()
            self.cogs = None

    def attach_cogs(self) -> None:
        """After ``)attach``: run the new machine's cogs."""
        if self.notebook is not None:
            self.cogs = NotebookCogs(self.notebook, self._cog_output)
            self.cogs.flush_warnings()      # under the )attach cell, not a later one

    def spin_cog(self, cog: Value) -> int:
        """Spin ``cog`` into the notebook's machine; its output goes to the
        cell running now."""
        if self.cogs is None:
            raise MachineError("this kernel has no machine to run cogs in")
        cog_id = self.cogs.spin(cog)
        if self.last_cell is not None:
            self.cog_cells[cog_id] = self.last_cell
        return cog_id

    # ----- execute ----------------------------------------------------------------------

    async def do_execute(self, code: str, silent: bool, store_history: bool = True,
                         user_expressions: Optional[dict] = None, allow_stdin: bool = False,
                         **_: Any) -> dict:
        if self.startup_failure and not silent:
            self._stream(self.startup_failure, "stderr")
            self.startup_failure = ""
        self.last_cell = self._parent_message()
        if magics.is_magic_cell(code):         # not Sire, not recorded (see magics)
            return magics.execute(self, code, silent)
        file = f"In[{self.execution_count}]"
        sink = _Publisher(self, silent)
        outcome = self.runner.run(code, file, sink)
        self.last_outcome = outcome
        self._remember_sources(outcome)
        if outcome.status != "interrupted" and self.notebook is not None:
            self.notebook.record(outcome, self.execution_count, self._cell_id(), self.sire.save())
        if not outcome.failures:
            sink.finish()
            return {"status": "ok", "execution_count": self.execution_count, "payload": [],
                    "user_expressions": {}}
        sink.flush()
        ename, evalue, traceback = failure_report(outcome.failures)
        content = {"ename": ename, "evalue": evalue, "traceback": traceback}
        if not silent:
            self.send_response(self.iopub_socket, "error", content)
        return {"status": "error", "execution_count": self.execution_count, **content}

    def _parent_message(self) -> dict:
        """The request being handled."""
        try:
            return self.get_parent("shell")
        except TypeError:                       # ipykernel 6: no channel argument
            return self.get_parent()

    def _cell_id(self) -> str:
        """The notebook's id of the cell being run (JupyterLab sends it in
        the request's metadata), or ""."""
        metadata = (self._parent_message() or {}).get("metadata") or {}
        return str(metadata.get("cellId") or "")

    def _remember_sources(self, outcome: CellOutcome) -> None:
        """Keep the text of the blocks that defined names, for inspection."""
        if not outcome.defined:
            return
        blocks = dict(cell_chunks(outcome.source, outcome.file))
        for name, line in outcome.defined.items():
            self.cells[name] = completion.CellSource(outcome.file, line, blocks.get(line, ""))

    def _stream(self, text: str, name: str) -> None:
        self.send_response(self.iopub_socket, "stream", {"name": name, "text": text + "\n"})
        self._deliver()

    def _deliver(self) -> None:
        """Wait until the iopub thread has sent what is queued. The core
        evaluates without releasing the GIL, so output queued during a long
        evaluation (``trk``) would otherwise reach the notebook only when
        the cell ends; waiting here releases it at once."""
        thread = getattr(self, "iopub_thread", None)
        if thread is None or not thread.thread.is_alive() or thread.thread is threading.current_thread():
            return
        done = threading.Event()
        thread.schedule(done.set)
        done.wait(DELIVERY_TIMEOUT)

    # ----- the other requests -------------------------------------------------------------

    async def do_complete(self, code: str, cursor_pos: Optional[int]) -> dict:
        cursor = len(code) if cursor_pos is None else cursor_pos
        return completion.complete(self.sire, code, cursor)

    async def do_inspect(self, code: str, cursor_pos: Optional[int], detail_level: int = 0,
                         omit_sections: Any = ()) -> dict:
        cursor = len(code) if cursor_pos is None else cursor_pos
        return completion.inspect(self.sire, code, cursor, detail_level, self.reference,
                                  self.cells)

    async def do_is_complete(self, code: str) -> dict:
        st = cell_status(code)
        reply = {"status": st.status}
        if st.status == "incomplete":
            reply["indent"] = st.indent
        return reply

    async def do_history(self, hist_access_type: str, output: bool, raw: bool, session: Any = None,
                         start: Any = None, stop: Any = None, n: Any = None, pattern: Any = None,
                         unique: bool = False, **_: Any) -> dict:
        """The executed cells from the machine's log, across restarts:
        ``(run, execution count, source)``; ``tail`` (the last ``n``),
        ``range`` (of one run, counts ``start`` to ``stop``), ``search``
        (a glob ``pattern``)."""
        cells = self.notebook.cells() if self.notebook is not None else []
        entries = [(c.run, c.count, c.source) for c in cells]
        if hist_access_type == "range":
            run = self.notebook.run if not session else (session if session > 0 else self.notebook.run + session)
            lo, hi = start or 0, stop
            entries = [e for e in entries if e[0] == run and e[1] >= lo and (hi is None or e[1] < hi)]
        elif hist_access_type == "search":
            entries = [e for e in entries if fnmatch.fnmatch(e[2], pattern or "*")]
            if unique:
                seen: set[str] = set()
                entries = [e for e in entries if not (e[2] in seen or seen.add(e[2]))]
        if n is not None and hist_access_type in ("tail", "search"):
            entries = entries[-n:] if n > 0 else []
        history = [(r, c, (src, "")) for r, c, src in entries] if output else entries
        return {"status": "ok", "history": history}

    async def do_shutdown(self, restart: bool) -> dict:
        if self.cogs is not None:
            self.cogs.close()
            self.cogs = None
        if self.notebook is not None:
            self.notebook.close()
            self.notebook = None
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            self.scratch = None
        return {"status": "ok", "restart": restart}


class _Publisher:
    """A cell's sink: streams text at once; holds the latest value back so
    that the cell's last output, when it is a value, is the execute_result
    (earlier values are display_data, in order)."""

    def __init__(self, kernel: PallasKernel, silent: bool):
        self.kernel = kernel
        self.silent = silent
        self.pending: Optional[Value] = None

    def text(self, text: str, stream: str) -> None:
        self.flush()
        if not self.silent:
            self.kernel._stream(text, stream)

    def value(self, value: Value) -> None:
        self.flush()
        self.pending = value

    def flush(self) -> None:
        """Send the held value as display_data."""
        if self.pending is not None:
            value, self.pending = self.pending, None
            self._send("display_data", {"data": self._bundle(value), "metadata": {}})

    def finish(self) -> None:
        """Send the held value as the cell's execute_result."""
        if self.pending is not None:
            value, self.pending = self.pending, None
            self._send("execute_result", {"data": self._bundle(value), "metadata": {},
                                          "execution_count": self.kernel.execution_count})

    def _bundle(self, value: Value) -> dict:
        return mime_bundle(value, self.kernel.sire.scope_names())

    def _send(self, kind: str, content: dict) -> None:
        if not self.silent:
            self.kernel.send_response(self.kernel.iopub_socket, kind, content)


def open_machine() -> tuple[Optional[NotebookMachine], str]:
    """The notebook's machine, or None and why it could not be opened (a
    store in use by another kernel, a damaged one): the kernel then runs
    without recording rather than not at all."""
    try:
        return default_machine(), ""
    except PallasError as e:
        return None, f"the notebook's machine did not open ({e}); cells are not recorded"


def start_session(notebook: Optional[NotebookMachine] = None) -> tuple[Session, str]:
    """The session the last recorded cell left, if there is one (nothing
    compiled again); else one with the prelude imported (through the
    compile cache). Also the message to show if neither worked (the kernel
    then runs on an empty scope rather than not at all)."""
    pin = notebook.session() if notebook is not None else None
    if pin is not None:
        try:
            return Session.restore(pin, cache=Cache.default()), ""
        except PallasError as e:
            saved = f"the saved session did not load ({e}); starting afresh\n"
        else:
            saved = ""
    else:
        saved = ""
    session = Session(cache=Cache.default())
    result = session.load(LAST_MODULE)
    if result.ok:
        return session, saved.rstrip()
    problems = "\n".join(f.message() for f in result.failures())
    return session, f"{saved}the {LAST_MODULE} did not load; the scope is empty:\n{problems}"


__all__ = ["PallasKernel", "open_machine", "start_session"]

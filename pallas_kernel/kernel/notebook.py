"""A notebook's machine: where the kernel keeps its cells, so that a
restarted kernel has every definition back without running anything again.

Which machine (:func:`machine_path`):

- ``$PALLAS_MACHINE``, if set: that directory (made if missing);
- else ``$JPY_SESSION_NAME`` (set by Jupyter Server to the notebook's path):
  ``.pallas/<notebook name>/`` beside the notebook;
- else (a console, a test runner) a fresh machine in a temporary directory,
  removed when the kernel shuts down.

Each executed cell that was not interrupted is one cell event
(:meth:`~pallas_kernel.machine.runtime.Machine.record_cell`), committed
before the kernel replies: the tab ``#[cell source count outputs status
time run]`` (the cell's id from the notebook, its text, its execution count,
its outputs as text, ``ok`` or ``error``, Unix seconds, which kernel run of
this machine) and the session state pin it left. On start the kernel takes
the session pin of the last cell event: no Sire is compiled again.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

from .. import plan
from ..machine.runtime import Machine, is_cell_record, read_cell, tab
from ..machine.service import recompute_here
from ..machine.store import DATA_FILE
from ..plan import Value
from ..plan.view import nat_of, tab_items
from .cells import CellOutcome

#: the directory beside a notebook that holds its machines
MACHINES_DIR = ".pallas"

def machine_path(env: Mapping[str, str], cwd: str) -> tuple[Path, bool]:
    """The machine's directory for a kernel started with ``env`` in ``cwd``,
    and whether it is a temporary one."""
    if env.get("PALLAS_MACHINE"):
        return Path(env["PALLAS_MACHINE"]).expanduser(), False
    name = env.get("JPY_SESSION_NAME")
    if name:
        notebook = Path(name)
        # Jupyter Server starts the kernel in the notebook's directory and
        # gives its path from the server's root: only the name is ours
        where = notebook.parent if notebook.is_absolute() else Path(cwd)
        return where / MACHINES_DIR / notebook.stem, False
    return Path(tempfile.mkdtemp(prefix="pallas-notebook-")) / "machine", True


@dataclass(frozen=True)
class CellRecord:
    """A cell event read back: for the history and the log magic."""

    event: int
    run: int
    count: int
    source: str
    status: str
    time: int
    cell: str


class NotebookMachine:
    """The machine a kernel records its cells in (see the module text)."""

    def __init__(self, machine: Machine, path: Path, temporary: bool) -> None:
        self.machine = machine
        self.path = path
        self.temporary = temporary
        #: how magics name this machine when it is not by its path (``scratch:NAME``)
        self.name = ""
        self.run = 1 + max((r.run for r in self.cells()), default=0)

    @classmethod
    def open(cls, path: Path, temporary: bool = False) -> "NotebookMachine":
        """The machine in ``path``, made (with no cog) if there is none."""
        if not (path / DATA_FILE).exists():
            Machine.boot(path, None)
        return cls(Machine.open(path, recompute=recompute_here), path, temporary)

    def label(self) -> str:
        """How to name the machine to a person: its name, ``a temporary
        machine`` (its path varies from run to run, so it is not shown), or
        its path."""
        if self.name:
            return self.name
        return "a temporary machine" if self.temporary else str(self.path)

    def session(self) -> Optional[Value]:
        """The session state pin the last cell left (None: no cell yet)."""
        return self.machine.session

    def record(self, outcome: CellOutcome, count: int, cell_id: str, session: Value) -> int:
        """Log the cell (see the module text); durable on return. Its event
        number."""
        fields = {
            "cell": plan.from_str(cell_id),
            "source": plan.from_str(outcome.source),
            "count": count,
            "outputs": plan.from_str("\n".join(outcome.outputs)),
            "status": plan.from_str(outcome.status),
            "time": int(time.time()),
            "run": self.run,
        }
        info = tab({nat_of(plan.from_str(k)): v for k, v in fields.items()})
        return self.machine.record_cell(info, session)

    def cells(self) -> list[CellRecord]:
        """Every cell event, oldest first."""
        out = []
        store = self.machine.store
        for number, record in store.events():
            if is_cell_record(record):
                out.append(cell_record(number, read_cell(store, number, record, session=False)[0]))
        return out

    def close(self) -> None:
        """Close the store; a temporary machine is removed."""
        self.machine.close()
        if self.temporary:
            shutil.rmtree(self.path.parent, ignore_errors=True)


def cell_record(number: int, info: Value) -> CellRecord:
    """The cell event ``number`` read back from its ``info`` tab."""
    by_name = {}
    for key, value in tab_items(info) or []:
        try:
            by_name[plan.to_str(key)] = value
        except UnicodeDecodeError:
            continue

    def text(name: str) -> str:
        n = nat_of(by_name.get(name, 0)) or 0
        try:
            return plan.to_str(n) if n else ""
        except UnicodeDecodeError:
            return ""

    def num(name: str) -> int:
        return nat_of(by_name.get(name, 0)) or 0

    return CellRecord(number, num("run"), num("count"), text("source"), text("status"), num("time"),
                      text("cell"))


def default_machine() -> NotebookMachine:
    """The machine for this kernel process (see :func:`machine_path`)."""
    path, temporary = machine_path(os.environ, os.getcwd())
    return NotebookMachine.open(path, temporary)


__all__ = ["CellRecord", "MACHINES_DIR", "cell_record", "NotebookMachine", "default_machine", "machine_path"]

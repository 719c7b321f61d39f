"""Running one notebook cell on a session, independent of the Jupyter protocol.

A cell is read as Rex blocks and each block runs in order through
:meth:`Session.run`. The first failing block ends the cell (as a notebook
user expects: nothing after an error runs) and the blocks before it keep
their effect. Ctrl-C (``KeyboardInterrupt``, wherever it lands while the
cell runs) aborts the cell and puts back the session state from before the
cell, so an interrupted cell leaves no half-made definitions.

What the cell printed reaches a :class:`Sink` as it happens (``trk`` output
while the evaluation is still running), and what the cell did comes back as
a :class:`CellOutcome`: the source, its outputs as text, the failure if any,
how long it took. That value is what a recorder needs to write the cell as
an event in a machine's log (with ``session.save()`` for the resulting
state), so the kernel's execute handler only translates it into messages.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol

from ..errors import PallasError
from ..plan import Value
from ..rex import read_blocks
from ..sire.session import Asserted, Defined, Evaluated, Event, Failed, Session, Traced


class Sink(Protocol):
    """Where a running cell's output goes, in order."""

    def text(self, text: str, stream: str) -> None:
        """A line of text for ``stream`` ("stdout" or "stderr")."""

    def value(self, value: Value) -> None:
        """The value of an expression."""


@dataclass
class CellOutcome:
    """What running a cell did.

    ``status`` is "ok", "error" (a block failed; the blocks before it kept
    their effect) or "interrupted" (Ctrl-C; the state is as before the cell).
    ``outputs`` is every output in order as text (``trk`` lines, definitions,
    values printed as Sire, assertions); ``failures`` the Failed events of
    the failing block (several for a block with several Rex errors);
    ``defined`` the names the cell bound, with the line of their block."""

    source: str
    file: str
    status: str = "ok"
    outputs: list[str] = field(default_factory=list)
    failures: list[Failed] = field(default_factory=list)
    defined: dict[str, int] = field(default_factory=dict)
    blocks: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def cell_chunks(text: str, file: str) -> list[tuple[int, str]]:
    """The cell cut into its blocks: (first line, the block's text up to the
    next block). Comment lines before the first block are left out; a block
    the reader rejects is still a chunk, so running it reports the error."""
    lines = text.split("\n")
    starts = [b.line for b in read_blocks(text, file)]
    chunks = []
    for i, start in enumerate(starts):
        end = starts[i + 1] - 1 if i + 1 < len(starts) else len(lines)
        chunks.append((start, "\n".join(lines[start - 1:end])))
    return chunks


class CellRunner:
    """Runs cells on one session, sending output to a sink."""

    def __init__(self, session: Session):
        self.session = session

    def run(self, text: str, file: str, sink: Sink) -> CellOutcome:
        """Run every block of ``text`` until one fails (see the module text)."""
        outcome = CellOutcome(text, file)
        before = self.session.state
        started = time.perf_counter()
        try:
            for first_line, chunk in cell_chunks(text, file):
                outcome.blocks += 1
                on_event = _Relay(self.session, sink, outcome, first_line).event
                result = self.session.run(chunk, file, first_line, on_event=on_event)
                if not result.ok:
                    break
        except KeyboardInterrupt:
            outcome.failures.append(Failed("interrupted", "interrupted", file))
        if any(f.kind == "interrupted" for f in outcome.failures):
            self.session.state = before
            outcome.status = "interrupted"
            outcome.defined.clear()
        elif outcome.failures:
            outcome.status = "error"
        outcome.seconds = time.perf_counter() - started
        return outcome


class _Relay:
    """Turns one block's session events into sink calls and outcome entries."""

    def __init__(self, session: Session, sink: Sink, outcome: CellOutcome, line: int):
        self.session = session
        self.sink = sink
        self.outcome = outcome
        self.line = line

    def event(self, ev: Event) -> None:
        try:
            self._event(ev)
        except PallasError as e:  # printing met a crash in a lazy part of the value
            self._text(f"(this output could not be shown: {e})", "stderr")

    def _event(self, ev: Event) -> None:
        if isinstance(ev, Failed):
            self.outcome.failures.append(ev)
        elif isinstance(ev, Traced):
            stream = "stdout" if ev.module is None else "stderr"
            self._text(self.session.show(ev.value), stream)
        elif isinstance(ev, Defined):
            self.outcome.defined[ev.name] = self.line
            self._text(self.session.show_definition(ev), "stdout")
        elif isinstance(ev, Asserted):
            self._text(ev.text, "stdout")
        elif isinstance(ev, Evaluated):
            self.outcome.outputs.append(self.session.show(ev.value))
            self.sink.value(ev.value)

    def _text(self, text: str, stream: str) -> None:
        self.outcome.outputs.append(text)
        self.sink.text(text, stream)


def failure_report(failures: list[Failed]) -> tuple[str, str, list[str]]:
    """(ename, evalue, traceback lines) for Jupyter's error message: the kind
    and reason of the first failure, and every failure as a person reads it
    (file:line:column, the code as written, a caret under the place); no
    Python traceback."""
    first = failures[0]
    lines: list[str] = []
    for f in failures:
        if f.kind == "interrupted":
            lines.append(f"{f.where() or f.file}: interrupted: the cell was stopped; "
                         "the state is as it was before the cell")
        else:
            lines.extend(f.message().split("\n"))
    return first.kind, first.reason, lines


__all__ = ["CellOutcome", "CellRunner", "Sink", "cell_chunks", "failure_report"]

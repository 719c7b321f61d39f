"""The Sire REPL: blocks from a stream, run by a :class:`.session.Session`.

Input is cut into chunks at blank lines (a blank line ends a block) and each
chunk runs as soon as it is complete: definitions print ``name=value``,
expressions their value, assertions echo themselves, and ``trk`` prints its
message. A failing block prints its error on the error stream and the REPL
goes on with the state it had before the block. Ctrl-C while a block runs
aborts that block only (``interrupted``); Ctrl-C while input is being typed
clears the input. When the input is a terminal there is a banner and a
prompt. Exit codes are the command line's business (:mod:`pallas_kernel.cli`);
:meth:`Repl.run` reports what failed.
"""

from __future__ import annotations

from typing import BinaryIO, Iterator, Optional, TextIO, Union

from .. import plan
from ..plan.view import name_text
from .library import law_name
from .session import Asserted, Defined, Evaluated, Failed, Result, Session, Traced
from .state import State

BANNER = ("Sire REPL (pallas-kernel). A blank line ends a block; Ctrl-C aborts a running\n"
          "block or clears the input; Ctrl-D ends the session.")
PROMPT, MORE = "sire> ", "  ... "
class Outcome:
    """What a REPL run saw: the kinds of the failures, in order."""

    def __init__(self) -> None:
        self.failures: list[str] = []

    def add(self, result: Result) -> None:
        self.failures.extend(f.kind for f in result.failures())


class Repl:
    """Reads blocks from a stream, runs them, prints what happened.

    ``show`` prints a value (the session's printer by default); module
    ``trk`` output goes to ``err`` unless ``quiet_load``."""

    def __init__(self, session: Session, out: TextIO, err: TextIO,
                 prompt: bool = False, quiet_load: bool = False):
        self.session = session
        self.out = out
        self.err = err
        self.prompt = prompt
        self.quiet_load = quiet_load
        self.outcome = Outcome()

    # ----- printing events ------------------------------------------------------

    def show(self, value: object) -> str:
        return self.session.show(value)

    def event(self, ev: object) -> None:
        """Print one event where it belongs."""
        if isinstance(ev, Defined):
            self._line(self.out, self.session.show_definition(ev))
        elif isinstance(ev, Evaluated):
            self._line(self.out, self.show(ev.value))
        elif isinstance(ev, Asserted):
            self._line(self.out, ev.text)
        elif isinstance(ev, Traced):
            if ev.module is None:
                self._line(self.out, self.show(ev.value))
            elif not self.quiet_load:
                self._line(self.err, self.show(ev.value))
        elif isinstance(ev, Failed):
            self._line(self.err, "interrupted" if ev.kind == "interrupted" else ev.message())

    @staticmethod
    def _line(stream: TextIO, text: str) -> None:
        stream.write(text + "\n")
        stream.flush()

    # ----- the loop --------------------------------------------------------------

    def load(self, module: str) -> Result:
        """Load a module (and import it); its failure is printed."""
        result = self.session.load(module, on_event=self.event)
        self.outcome.add(result)
        return result

    def run(self, stream: Union[TextIO, BinaryIO]) -> Outcome:
        """Read and run chunks until the end of input."""
        if self.prompt:
            self._line(self.err, BANNER)
        lines: list[bytes] = []
        start = seen = 0
        source = _lines(stream, self._prompt_for(lines))
        while True:
            try:
                line = next(source, None)
            except KeyboardInterrupt:  # at the prompt: drop what was typed
                lines.clear()
                self._line(self.err, "")
                source = _lines(stream, self._prompt_for(lines))
                continue
            if line is None:
                break
            seen += 1
            if line.strip():
                if not lines:
                    start = seen
                lines.append(line)
            elif lines:
                self._submit(b"".join(lines), start)
                lines.clear()
        if lines:
            self._submit(b"".join(lines), start)
        return self.outcome

    def _prompt_for(self, lines: list[bytes]):
        if not self.prompt:
            return None
        return lambda: MORE if lines else PROMPT

    def _submit(self, chunk: bytes, first_line: int) -> None:
        try:
            result = self.session.run(chunk, "REPL", first_line, on_event=self.event)
        except KeyboardInterrupt:  # while printing what the block did
            self._line(self.err, "interrupted")
            return
        self.outcome.add(result)


def _lines(stream: Union[TextIO, BinaryIO], prompt) -> Iterator[bytes]:
    """Lines of input as bytes (invalid UTF-8 is kept, for the reader to
    report); from a terminal with ``input()`` and a prompt."""
    if prompt is not None:
        import sys

        while True:
            try:
                text = input(prompt())
            except EOFError:
                sys.stderr.write("\n")
                return
            yield text.encode("utf-8", "surrogateescape") + b"\n"
    raw = getattr(stream, "buffer", None)
    if raw is not None:
        yield from iter(raw.readline, b"")
        return
    for line in stream:
        yield line if isinstance(line, bytes) else line.encode("utf-8", "surrogateescape")


def jet_report(stream: TextIO, state: Optional[State] = None) -> None:
    """Jet names: matched (a pin was made with the table's hash), mismatched
    (made only with other hashes), unmet (table entries never made) and, given
    a state, unknown (bound laws named like jets, ``_Xxx``, that the table
    does not list)."""
    rows = plan.jet_report()
    matched = sorted({name_text(n) for n, _, m, _ in rows if m})
    mismatched = sorted({name_text(n) for n, _, m, x in rows if x} - set(matched))
    # a name may have several rows (the reference's hash and our library's)
    unmet = sorted({name_text(n) for n, _, _, _ in rows} - set(matched) - set(mismatched))
    print(f"jets matched ({len(matched)}): {' '.join(matched)}", file=stream)
    print(f"jets mismatched ({len(mismatched)}): {' '.join(mismatched)}", file=stream)
    print(f"jets unmet ({len(unmet)}): {' '.join(unmet)}", file=stream)
    if state is not None:
        known = {name_text(n) for n, _, _, _ in rows}
        unknown = sorted(_jet_like_names(state) - known)
        print(f"jets unknown ({len(unknown)}): {' '.join(unknown)}", file=stream)


def _jet_like_names(state: State) -> set[str]:
    """Names of pinned laws bound anywhere in the state that look like jet
    names: an underscore and a capital letter."""
    names: set[str] = set()
    for scope in (state.scope, *state.modules.values()):
        for b in scope.values():
            name = law_name(b.value) or ""
            if len(name) > 1 and name[0] == "_" and name[1].isupper():
                names.add(name)
    return names


__all__ = ["Repl", "Outcome", "jet_report", "BANNER"]

"""The one exception hierarchy of pallas-kernel: everything raised on purpose
derives from :class:`PallasError`, so callers (REPL, kernel) can catch it whole.
"""

from __future__ import annotations


#: characters of a long source line shown on each side of the place
WINDOW = 60


def source_window(line: bytes, column: int, width: int = 1) -> tuple[str, str]:
    """A source line split at a byte column (from 1): the text before the
    place and from it on, each cut to about WINDOW characters with a ``…``,
    so an error on a 10 MB line prints as a short one. A NUL ends the line,
    as it does for the Rex reader."""
    col = min(max(column - 1, 0), len(line))
    before = line[:col].decode("utf-8", "replace")
    after = line[col:].split(b"\0", 1)[0].decode("utf-8", "replace")
    if len(before) > WINDOW:
        before = "…" + before[-WINDOW:]
    if len(after) > WINDOW + width:
        after = after[:WINDOW + width] + "…"
    return before, after


def caret_lines(before: str, after: str, width: int = 1, indent: str = "    ") -> str:
    """The one way every error points into source: the line (``before`` the
    place, then ``after``) and under it carets, ``width`` of them, starting
    below the place. Tabs before the place are kept in the caret line so the
    carets line up however tabs are shown. No trailing newline."""
    pad = "".join(c if c == "\t" else " " for c in before)
    return f"{indent}{before}{after}\n{indent}{pad}{'^' * max(width, 1)}"


class PallasError(Exception):
    """Base of every error pallas-kernel raises on purpose."""


class PlanError(PallasError):
    """Evaluating a PLAN value failed."""


class PlanCrash(PlanError):
    """A PLAN crash: a nat >= 5 was called (op = that nat, value = its
    normalized argument), or a law of arity 0 was made (op 0, value 0)."""

    def __init__(self, op: int, value: object):
        super().__init__(op, value)
        self.op = op
        self.value = value

    def __str__(self) -> str:
        from .plan.tree import nat_text

        name = nat_text(self.op) if self.op >= 5 else None
        shown = f'"{name}"' if name and name.isprintable() else str(self.op)
        return f"PLAN crash {shown}: {_show(self.value)}"


class PlanLoop(PlanError):
    """Evaluation entered a black hole: the value depends on itself."""


class PlanStackLimit(PlanError):
    """Evaluation needed more stack than the configured limit."""


class PlanMemory(PlanError, MemoryError):
    """Evaluation needed more memory than the limit allows
    (:func:`pallas_kernel.plan.memory_limit`): a nat, row or buffer too large
    to make, or a heap still over the limit after a collection. The message
    starts with ``out of memory:`` and says what and how much. The runtime
    is intact afterwards, as after any other evaluation error. It is also a
    MemoryError, so code that handles running out of memory catches it."""


class RexError(PallasError):
    """Rex source that cannot be read: ``reason`` at ``file:line:column``
    (column counted in bytes from 1, as the reference does). ``source`` is the
    whole line and ``width`` the number of bytes the error covers, so the
    message can point at the place with carets."""

    def __init__(self, reason: str, file: str, line: int, column: int,
                 source: str = "", width: int = 1, hint: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.file = file
        self.line = line
        self.column = column
        self.source = source
        self.width = max(width, 1)
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}:{self.column} error: {self.reason}"
        if self.source:
            cut = len(self.source.encode("utf-8")[: self.column - 1].decode("utf-8", "ignore"))
            text += "\n" + caret_lines(self.source[:cut], self.source[cut:], self.width)
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def short(self) -> str:
        """``line:column message``, the form ``pallas rex --hash`` prints."""
        return f"{self.line}:{self.column} {self.reason}"


class MalformedRex(PallasError, ValueError):
    """A PLAN value that is not the encoding of a Rex tree (Sire says
    "malformed rex")."""


class SeedError(PallasError, ValueError):
    """A seed could not be decoded (corrupt or truncated input)."""


class SireError(PallasError):
    """Sire could not be compiled: the message says what and where (the
    backend names the law, by its tag, in which the problem sits)."""


class StoreError(PallasError):
    """A machine's store cannot be used: it is in use by another process, of a
    format version this code does not know, or damaged (the message names the
    store and what is damaged: an event number, a pin hash, a file)."""


class MachineError(PallasError):
    """The machine was asked something it cannot do: an unknown cog, answers
    for a cog that is no longer running, or an event log it cannot read
    (the message names the cog or event)."""


def _show(value: object) -> str:
    """A crash value in the PLAN notation when it can be printed, else its repr."""
    to_tree = getattr(value, "to_tree", None)
    if to_tree is None:
        return repr(value)
    from .plan.notation import show  # the printer sits above this module

    return show(to_tree(), width=200)


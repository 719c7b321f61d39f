"""The error a Sire command stops with: where, what Rex, and why.

The reference crashes with a report Rex (``#block .. #where .. #problem ..
#reason ..``); here the same facts travel in a Python exception, which the
loader and the REPL print: ``file:line:column: reason`` and the offending
Rex, printed.
"""

from __future__ import annotations

from typing import Optional

from ..errors import SireError
from ..rex import Rex, Span, show


class SireFailure(SireError):
    """A command failed: ``kind`` is "parse" (also unresolved names and bad
    forms), "macro" (a macro returned an error or crashed) or "assert"."""

    def __init__(self, reason: str, rex: Optional[Rex], span: Optional[Span],
                 kind: str = "parse"):
        super().__init__(reason)
        self.reason = reason
        self.rex = rex
        self.span = span
        self.kind = kind

    def __str__(self) -> str:
        where = f"{self.span}: " if self.span else ""
        label = {"macro": "macro failure", "assert": "assertion failure"}.get(self.kind, "error")
        text = f"{where}{label}: {self.reason}"
        if self.rex is not None:
            text += "\n" + _indent(printed(self.rex))
        return text


def printed(rex: Rex) -> str:
    """A Rex tree printed for a message (a placeholder if it cannot be)."""
    try:
        return show(rex)
    except Exception as e:  # an odd tree from a macro must not hide the error
        return f"<unprintable rex: {e}>"


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())

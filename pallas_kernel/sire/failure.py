"""The error a Sire command stops with: where, what Rex, and why.

The reference crashes with a report Rex (``#block .. #where .. #problem ..
#reason ..``); here the same facts travel in a Python exception, which the
loader and the REPL print: ``file:line:column: reason`` and the offending
Rex, printed.
"""

from __future__ import annotations

from typing import Optional

from ..errors import SireError
from ..rex import Embed, Leaf, Node, Rex, Span, show


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
    """A Rex tree printed for a message, embedded values shown in PLAN
    notation (a placeholder if it cannot be printed at all)."""
    try:
        return show(_shown_embeds(rex))
    except RecursionError:
        return "<rex nested too deeply to print>"
    except Exception as e:  # an odd tree from a macro must not hide the error
        return f"<unprintable rex: {e}>"


def _shown_embeds(rex: Rex) -> Rex:
    """The tree with each embedded value replaced by a text leaf of its
    PLAN notation, cut short (messages only; recursion is bounded by the
    depth of a block, and caught by the caller)."""
    if isinstance(rex, Embed):
        return Leaf("TEXT", _plan_text(rex.value), None, rex.span)
    heir = None if rex.heir is None else _shown_embeds(rex.heir)
    if isinstance(rex, Leaf):
        return rex if heir is rex.heir else Leaf(rex.shape, rex.text, heir, rex.span)
    sons = tuple(_shown_embeds(s) for s in rex.sons)
    return Node(rex.shape, rex.rune, sons, heir, rex.span)


def _plan_text(value: object) -> str:
    from ..notation import show as show_plan

    try:
        tree = value.to_tree() if hasattr(value, "to_tree") else value
        return show_plan(tree, width=80).replace("{", "(").replace("}", ")")
    except Exception:  # a value that cannot be printed (a loop): say so
        return "<value>"


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())

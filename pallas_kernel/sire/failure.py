"""The error a Sire command stops with: where, what Rex, and why.

The reference crashes with a report Rex (``#block .. #where .. #problem ..
#reason ..``); here the same facts travel in a Python exception, which the
loader and the REPL print: ``file:line:column: reason``, then the source
line as written with carets under the offending form (as a RexError shows
it), and the offending Rex printed when it is not what the user wrote (a
macro made it) or the source line is not known.
"""

from __future__ import annotations

from typing import Optional

from ..errors import SireError, caret_lines, source_window
from ..rex import Embed, Leaf, Node, Rex, Span, show

#: how much of a printed Rex a message shows
MAX_LINES = 12
MAX_CHARS = 2000

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
        shown = source_lines(self.span, self.rex)
        if shown:
            text += "\n" + shown
        if self.rex is not None and (not shown or getattr(self.rex, "span", None) is None):
            text += "\n" + _indent(printed(self.rex))
        return text


def source_lines(span: Optional[Span], rex: Optional[Rex]) -> str:
    """The source line of ``span`` and carets under the column (as many as
    the form's first token is wide when ``rex`` starts there); "" if the
    span does not carry its line."""
    source = getattr(span, "source", b"")
    if not source:
        return ""
    col = max(span.column - 1, 0)
    width = 1
    if rex is not None and getattr(rex, "span", None) == span:
        width = _token_width(rex, source, col)
    return caret_lines(*source_window(source, span.column, width), width)


def _token_width(rex: Rex, source: bytes, col: int) -> int:
    """Characters of the first token of ``rex`` (a word, or a rune at the
    head of an open or prefix form); 1 otherwise."""
    if isinstance(rex, Leaf) and rex.shape == "WORD":
        text = rex.text
    elif isinstance(rex, Node) and rex.shape in ("OPEN", "PREF"):
        text = rex.rune
    else:
        return 1
    data = text.encode("utf-8")
    return len(text) if source[col:col + len(data)] == data else 1


def printed(rex: Rex) -> str:
    """A Rex tree printed for a message, embedded values shown in PLAN
    notation, cut to :data:`MAX_LINES` lines (a placeholder if it cannot be
    printed at all)."""
    try:
        text = show(_shown_embeds(rex))
    except Exception as e:  # an odd tree from a macro must not hide the error
        return f"<unprintable rex: {e}>"
    return _cut(text)


def _cut(text: str) -> str:
    lines = text.split("\n", MAX_LINES)
    more = len(lines) > MAX_LINES
    text = "\n".join(lines[:MAX_LINES])
    if len(text) > MAX_CHARS:
        text, more = text[:MAX_CHARS], True
    return text + (" …" if more else "")


def _shown_embeds(rex: Rex) -> Rex:
    """The tree with each embedded value replaced by a text leaf of its
    PLAN notation, cut short (messages only). Post-order on an explicit
    stack: a tree of any depth is fine."""
    built: list[Rex] = []
    todo: list[tuple[Rex, bool]] = [(rex, False)]
    while todo:
        r, ready = todo.pop()
        if isinstance(r, Embed):
            built.append(Leaf("TEXT", _plan_text(r.value), None, r.span))
            continue
        if not ready:
            todo.append((r, True))
            if r.heir is not None:
                todo.append((r.heir, False))
            if isinstance(r, Node):
                todo.extend((s, False) for s in reversed(r.sons))
            continue
        heir = built.pop() if r.heir is not None else None
        if isinstance(r, Leaf):
            built.append(Leaf(r.shape, r.text, heir, r.span))
            continue
        n = len(r.sons)
        sons = tuple(built[len(built) - n:]) if n else ()
        del built[len(built) - n:]
        built.append(Node(r.shape, r.rune, sons, heir, r.span))
    return built[0]


def _plan_text(value: object) -> str:
    from ..plan.notation import show as show_plan

    try:
        tree = value.to_tree() if hasattr(value, "to_tree") else value
        return _cut(show_plan(tree, width=80)).replace("{", "(").replace("}", ")")
    except Exception:  # a value that cannot be printed (a loop): say so
        return "<value>"


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())

"""The errors of Rex source, found token by token.

The reader itself is total; these checks decide whether a block may be
turned into a tree. They are the reference's only error cases:

* ``Unexpected: 'c'`` a byte that may not appear (tab, CR, control bytes,
  bytes >= 0x80 outside strings, a ``)`` or ``]`` that closes nothing);
* ``unterminated nesting`` a ``(``/``[`` not closed on its line, or whose
  closer was swallowed by a string or comment running to the end of line
  (``(a"b)``); but ``(a ;b)`` passes, as in the reference, and reads ``a``;
* ``unterminated`` a ``{..}`` whose braces never balance or a ``"..`` with
  no closing quote;
* ``unterminated string`` a ``}X..`` with no closing X;
* ``Brackets may not contain runes`` a standalone rune inside ``[ ]``;
* ``}-string must start with a space`` a ``}`` followed by a NUL byte.

Inner forms are checked before the form that holds them, and errors come in
source order, so the first error is the one the reference reports first.
"""

from __future__ import annotations

from ..errors import RexError
from .lexer import BRAK, CORD, FAIL, LINE, PARA, QUOT, RUNE, Tok

_CONTROL = ("NUL SOH STX ETX EOT ENQ ACK \\a \\b \\t \\n \\v \\f \\r SO SI DLE DC1 DC2 DC3 DC4 "
            "NAK SYN ETB CAN EM SUB ESC FS GS RS US").split()


def show_byte(c: int) -> str:
    """A byte as Haskell's ``show`` prints a Char: ``'a'``, ``'\\t'``, ``'\\DEL'``,
    ``'\\195'`` (the reference's error messages use this form)."""
    if c < 32:
        name = _CONTROL[c]
        return "'" + (name if name.startswith("\\") else "\\" + name) + "'"
    if c == 127:
        return "'\\DEL'"
    if c > 127:
        return f"'\\{c}'"
    if c == 0x27:
        return "'\\''"
    if c == 0x5C:
        return "'\\\\'"
    return f"'{chr(c)}'"


#: Common mistakes: (reason, offending first byte or None) -> a hint that says
#: what to do. The reason itself stays the reference's text.
HINTS = {
    ("Unexpected: '\\t'", None): "Rex is indented with spaces; tabs are not allowed",
    ("Unexpected: '\\r'", None): "the file has CR LF line endings; save it with LF only",
    ("Unexpected: ')'", None): "this closes nothing here: parens and brackets open and close on one line",
    ("Unexpected: ']'", None): "this closes nothing here: parens and brackets open and close on one line",
    ("unterminated nesting", None): "close it on the same line: no paren or bracket spans lines",
    ("unterminated", 0x22): "a \"..\" string ends on its own line and has no escapes; use {..} or } for others",
    ("unterminated", 0x7B): "braces in a {..} string must balance on its line",
    ("unterminated string", None): "a }X..X string needs the closing X on the same line",
    ("Brackets may not contain runes", None): "write the rune inside a closed form, e.g. [a (+ b)] or [a +b]",
}


def _hint(reason: str, first: int) -> str:
    if reason.startswith("Unexpected: '\\") and reason[-2:-1].isdigit():
        return "non-ASCII text must be inside a string ({..}, \"..\" or } ..) or a comment"
    return HINTS.get((reason, first)) or HINTS.get((reason, None)) or ""


def error_at(t: Tok, reason: str) -> RexError:
    """A RexError covering token ``t``, with a hint for common mistakes."""
    line = t.line
    hint = _hint(reason, line.data[t.off] if t.off < len(line.data) else -1)
    return RexError(reason, line.file, line.num, t.off + 1, line.text(), t.end - t.off, hint)


def _curly_closed(b: bytes, off: int) -> bool:
    """Whether the braces opened at ``off`` balance before the end of the line."""
    depth = 0
    for k in range(off, len(b)):
        c = b[k]
        if c == 0x7B:
            depth += 1
        elif c == 0x7D:
            depth -= 1
            if depth == 0:
                return True
    return False


def _check_nest(t: Tok, closer: int, errors: list[RexError]) -> None:
    bar = t.bar()
    if not bar or bar[-1] != closer:
        errors.append(error_at(t, "unterminated nesting"))
    elif t.kids and t.kids[-1][-1].end == t.end:
        errors.append(error_at(t, "unterminated nesting"))
    if t.kind == BRAK:
        for c in t.kids:
            if len(c) == 1 and c[0].kind == RUNE:
                errors.append(error_at(c[0], "Brackets may not contain runes"))


def _check_token(t: Tok, errors: list[RexError]) -> None:
    kind = t.kind
    if kind == FAIL:
        errors.append(error_at(t, "Unexpected: " + show_byte(t.line.data[t.off])))
    elif kind == CORD:
        b = t.line.data
        if b[t.off] == 0x22:
            if b[t.end - 1] != 0x22 or t.end - t.off < 1:
                errors.append(error_at(t, "unterminated"))
        elif not _curly_closed(b, t.off):
            errors.append(error_at(t, "unterminated"))
    elif kind == QUOT:
        bar = t.bar()
        if bar[1] != bar[-1]:
            errors.append(error_at(t, "unterminated string"))
    elif kind == LINE and t.more is not None:  # None: merged into an earlier line's string
        for x in (t, *t.more):  # a bad later line is reported at the first, as the reference does
            bar = x.bar()
            if len(bar) > 1 and bar[1] != 0x20:
                errors.append(error_at(t, "}-string must start with a space"))


def check_line(toks: list[Tok]) -> list[RexError]:
    """The errors of one lexed line, in source order (inner forms first)."""
    errors: list[RexError] = []
    todo: list[tuple[bool, Tok]] = [(False, t) for t in reversed(toks)]
    while todo:
        after_kids, t = todo.pop()
        if after_kids:
            _check_nest(t, 0x29 if t.kind == PARA else 0x5D, errors)
        elif t.kind == PARA or t.kind == BRAK:
            todo.append((True, t))
            todo.extend((False, e) for c in reversed(t.kids) for e in reversed(c))
        else:
            _check_token(t, errors)
    return errors

"""Lexing one line of Rex source into tokens, nesting included.

Rex is lexed one physical line at a time; no token, not even a paren, spans
two lines. Positions are byte offsets into the UTF-8 line (the reference
counts bytes, and layout depends on columns, so we must count the same way).

Token kinds (the reference's names):

* ``WORD`` a run of ``[A-Za-z0-9_]``; ``RUNE`` a run of the 23 rune bytes;
  ``WYTE`` a run of spaces; ``SEMI`` a comment to the end of the line;
* ``CORD`` a ``{..}`` (balanced braces) or ``".."`` string; ``QUOT`` a
  ``}X..X`` string; ``LINE`` a ``} ..`` line string to the end of the line;
* ``PARA`` ``( .. )`` and ``BRAK`` ``[ .. ]``, whose ``kids`` are the
  clumps inside; ``TERM`` the end of a list (the closer or the end of line);
* ``FAIL`` a byte that may not appear here.

Each line's list ends with a ``TERM``. A NUL byte ends the line, like the
reference's end-of-line sentinel. Nested forms are handled with an explicit
stack, so a line of ten thousand ``(`` costs no Python recursion. Each line
also records its nested tokens in the order they close (innermost first),
which lets later stages work bottom-up without recursion.
"""

from __future__ import annotations

import re

WORD, RUNE, WYTE, SEMI, CORD, QUOT, LINE, PARA, BRAK, FAIL, TERM = range(11)
KIND_NAMES = ("WORD", "RUNE", "WYTE", "SEMI", "CORD", "QUOT", "LINE", "PARA", "BRAK", "FAIL", "TERM")

#: kinds that separate clumps
SPACE_KINDS = frozenset((WYTE, SEMI, TERM))

_WORD_RUN = re.compile(rb"[A-Za-z0-9_]+")
_RUNE_RUN = re.compile(rb"[$!#%&*+,\-./:<=>?@\\^`'|~]+")
_SPACE_RUN = re.compile(rb" +")
_BRACE = re.compile(rb"[{}]")

# What the first byte of a token selects (the reference's rules, in order).
_K_WORD, _K_RUNE, _K_SPACE, _K_OPEN_P, _K_OPEN_B, _K_QUOTE, _K_CURLY_END, _K_CURLY, _K_SEMI, _K_END, _K_OTHER = range(11)
_CLASS = [_K_OTHER] * 256
for _b in b"_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789":
    _CLASS[_b] = _K_WORD
for _b in b"$!#%&*+,-./:<=>?@\\^`'|~":
    _CLASS[_b] = _K_RUNE
_CLASS[0x20] = _K_SPACE
_CLASS[0x28] = _K_OPEN_P
_CLASS[0x5B] = _K_OPEN_B
_CLASS[0x22] = _K_QUOTE
_CLASS[0x7D] = _K_CURLY_END
_CLASS[0x7B] = _K_CURLY
_CLASS[0x3B] = _K_SEMI
_CLASS[0x00] = _K_END


class Line:
    """One physical line: file name, number (from 1) and its bytes."""

    __slots__ = ("file", "num", "data", "nested")

    def __init__(self, file: str, num: int, data: bytes):
        self.file = file
        self.num = num
        self.data = data
        self.nested: list[Tok] = []  # PARA/BRAK tokens in closing order

    def text(self) -> str:
        """The line decoded leniently, for messages."""
        return self.data.decode("utf-8", "replace")


class Tok:
    """A token (or, once clumped, an element of a clump): kind, line, byte
    span ``off..end``; ``kids`` holds the clumps of a PARA/BRAK and ``more``
    the later lines merged into a LINE token; ``rex`` is filled in by the
    policy for nested tokens. Those three slots are set only on the kinds
    that use them (most tokens are words and spaces, made by the million)."""

    __slots__ = ("kind", "line", "off", "end", "kids", "more", "rex")

    def __init__(self, kind: int, line: Line, off: int, end: int):
        self.kind = kind
        self.line = line
        self.off = off
        self.end = end

    def bar(self) -> bytes:
        """The bytes the token covers."""
        return self.line.data[self.off:self.end]

    def __repr__(self) -> str:
        return f"Tok({KIND_NAMES[self.kind]}, {self.off}, {self.end})"


def lex_line(line: Line) -> list[Tok]:
    """The tokens of one line, ending with a TERM; nested forms hold their
    clumps in ``kids`` and are listed, innermost first, in ``line.nested``."""
    b = line.data
    wid = len(b)
    toks: list[Tok] = []
    stack: list[tuple[Tok, list[Tok], int]] = []  # (open token, outer list, outer closer)
    closer = -1
    i = 0
    while True:
        c = b[i] if i < wid else 0
        k = _CLASS[c]
        if k == _K_WORD:
            j = _WORD_RUN.match(b, i).end()
            toks.append(Tok(WORD, line, i, j))
        elif k == _K_SPACE:
            j = _SPACE_RUN.match(b, i).end()
            toks.append(Tok(WYTE, line, i, j))
        elif k == _K_RUNE:
            j = _RUNE_RUN.match(b, i).end()
            toks.append(Tok(RUNE, line, i, j))
        elif k == _K_OPEN_P or k == _K_OPEN_B:
            opener = Tok(PARA if k == _K_OPEN_P else BRAK, line, i, i)
            opener.rex = None
            stack.append((opener, toks, closer))
            toks = []
            closer = 0x29 if k == _K_OPEN_P else 0x5D
            j = i + 1
        elif k == _K_QUOTE:
            q = b.find(b'"', i + 1)
            j = wid if q < 0 else q + 1
            toks.append(Tok(CORD, line, i, j))
        elif k == _K_CURLY:
            j = _curly_end(b, i)
            toks.append(Tok(CORD, line, i, j))
        elif k == _K_CURLY_END:
            d = b[i + 1] if i + 1 < wid else 0
            if d == 0 or d == 0x20:
                j = wid
                t = Tok(LINE, line, i, j)
                t.more = []
                toks.append(t)
            else:
                q = b.find(bytes((d,)), i + 2)
                j = wid if q < 0 else q + 1
                toks.append(Tok(QUOT, line, i, j))
        elif k == _K_SEMI:
            j = wid
            toks.append(Tok(SEMI, line, i, j))
        elif k == _K_END or c == closer:
            # End of line (or NUL) ends every open form; a matching closer ends one.
            j = wid if k == _K_END else i + 1
            toks.append(Tok(TERM, line, i, j))
            if not stack:
                return toks
            opener, outer, closer = stack.pop()
            opener.end = j
            opener.kids = clump(toks)
            line.nested.append(opener)
            outer.append(opener)
            toks = outer
        else:
            j = i + 1
            toks.append(Tok(FAIL, line, i, j))
        i = j


def _curly_end(b: bytes, i: int) -> int:
    """End of a ``{..}`` string starting at ``i``: just past the brace that
    brings the depth back to zero, or the end of the line."""
    depth = 1
    pos = i + 1
    while True:
        m = _BRACE.search(b, pos)
        if m is None:
            return len(b)
        depth += 1 if b[m.start()] == 0x7B else -1
        pos = m.end()
        if depth == 0:
            return pos


def clump(toks: list[Tok]) -> list[list[Tok]]:
    """Group tokens into clumps: maximal runs with no space between them,
    except that a rune followed by space (or last) stands alone, so ``a+ c``
    is three clumps. Spaces, comments and TERMs are dropped."""
    out: list[list[Tok]] = []
    acc: list[Tok] = []
    n = len(toks)
    k = 0
    while k < n:
        t = toks[k]
        kind = t.kind
        if kind in SPACE_KINDS:
            if acc:
                out.append(acc)
                acc = []
            k += 1
            continue
        if acc and kind == RUNE and (k + 1 == n or toks[k + 1].kind in SPACE_KINDS):
            out.append(acc)
            acc = []
        acc.append(t)
        k += 1
    if acc:
        out.append(acc)
    return out

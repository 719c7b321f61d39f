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
  clumps inside; ``TERM`` the end of the line (a nested form's closer makes none);
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

_BRACE = re.compile(rb"[{}]")

# One pattern for every token of a line; the number of the group that matched
# says what it is. Most tokens are a single match of this pattern, so lexing
# costs one C call per token. The groups follow the reference's rules, and
# tell a well-formed string from one that may be an error (unclosed, or a
# line string with a NUL), so that only lines that may hold an error are
# checked by the validator. QUOT's inner group (its delimiter) is number 14.
_WORD_G, _WYTE_G, _RUNE_G, _OPEN_P_G, _OPEN_B_G, _CLOSE_P_G, _CLOSE_B_G, _QUOTE_G, \
    _CURLY_FLAT_G, _CURLY_G, _LINE_G, _LINE_NUL_G, _QUOT_G = range(1, 14)
_QUOT_OPEN_G, _SEMI_G, _NUL_G, _QUOTE_OPEN_G, _OTHER_G = range(15, 20)
_TOKEN = re.compile(rb"""
     ([A-Za-z0-9_]+)                        # WORD
    |(\ +)                                  # WYTE
    |([$!\#%&*+,\-./:<=>?@\\^`'|~]+)        # RUNE
    |(\()                                   # opens a PARA
    |(\[)                                   # opens a BRAK
    |(\))                                   # closes a PARA (else FAIL)
    |(\])                                   # closes a BRAK (else FAIL)
    |("[^"]*")                              # CORD ".."
    |(\{[^{}]*\})                           # CORD {..} without inner braces
    |(\{)                                   # CORD {..} with inner braces: _curly_end
    |(\}(?:\ .*|\Z))                        # LINE: } then space or the end of the line
    |(\}\x00.*)                             # LINE: } then NUL (an error)
    |(\}(.).*?\14)                          # QUOT: }X..X
    |(\}.+)                                 # QUOT: }X.. with no closing X
    |(;.*)                                  # SEMI
    |(\x00.*)                               # NUL: the end of the line
    |("[^"]*)                               # CORD ".. with no closing quote
    |(.)                                    # FAIL
""", re.S | re.X)

#: groups that make one plain token, and its kind
_SIMPLE = {_WORD_G: WORD, _WYTE_G: WYTE, _RUNE_G: RUNE, _QUOTE_G: CORD, _CURLY_FLAT_G: CORD,
           _QUOT_G: QUOT, _SEMI_G: SEMI}
#: groups that make one token that may be an error, and its kind
_SUSPECT = {_QUOT_OPEN_G: QUOT, _QUOTE_OPEN_G: CORD, _OTHER_G: FAIL}


class Line:
    """One physical line: file name, number (from 1) and its bytes."""

    __slots__ = ("file", "num", "data", "nested", "suspect")

    def __init__(self, file: str, num: int, data: bytes):
        self.file = file
        self.num = num
        self.data = data
        self.nested: list[Tok] = []  # PARA/BRAK tokens in closing order
        # Whether the line holds a token that may be an error (a bad byte, an
        # unclosed string or nest, a rune alone in brackets, a line string
        # with a NUL): only such lines need the validator. Most lines are plain.
        self.suspect = False

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
    closer = 0  # the group that closes the innermost open form (0: none)
    simple = _SIMPLE
    stop = wid  # where the line ends (a NUL ends it early)
    restart = 0
    while restart < wid:  # the scan restarts only after a {..} with inner braces
        pos, restart = restart, wid
        for m in _TOKEN.finditer(b, pos):
            g = m.lastindex
            kind = simple.get(g)
            if kind is not None:
                i, j = m.span()
                toks.append(Tok(kind, line, i, j))
                continue
            i, j = m.span()
            if g == _OPEN_P_G or g == _OPEN_B_G:
                opener = Tok(PARA if g == _OPEN_P_G else BRAK, line, i, i)
                opener.rex = None
                stack.append((opener, toks, closer))
                toks = []
                closer = _CLOSE_P_G if g == _OPEN_P_G else _CLOSE_B_G
            elif g == closer:  # (its TERM would be dropped by clump: not made)
                opener, outer, closer = stack.pop()
                _close(opener, toks, j)
                outer.append(opener)
                toks = outer
            elif g == _CLOSE_P_G or g == _CLOSE_B_G:
                toks.append(Tok(FAIL, line, i, j))
                line.suspect = True
            elif g == _CURLY_G:
                j = _curly_end(b, i)
                toks.append(Tok(CORD, line, i, j))
                line.suspect = True
                restart = j
                break
            elif g == _LINE_G or g == _LINE_NUL_G:
                t = Tok(LINE, line, i, j)
                t.more = []
                toks.append(t)
                if g == _LINE_NUL_G:
                    line.suspect = True
            elif g in _SUSPECT:
                toks.append(Tok(_SUSPECT[g], line, i, j))
                line.suspect = True
            else:  # a NUL byte: the line ends here
                stop = i
                break
    # The end of the line (or a NUL) ends every open form.
    if stack:
        line.suspect = True
        while stack:
            opener, outer, closer = stack.pop()
            _close(opener, toks, wid)
            outer.append(opener)
            toks = outer
        stop = wid
    toks.append(Tok(TERM, line, stop, wid))
    return toks


def _close(opener: Tok, toks: list[Tok], end: int) -> None:
    """Finish a PARA/BRAK token whose inner tokens are ``toks``."""
    opener.end = end
    opener.kids = kids = clump(toks)
    opener.line.nested.append(opener)
    if opener.kind == BRAK and not opener.line.suspect:
        for c in kids:
            if len(c) == 1 and c[0].kind == RUNE:  # a rune alone: not allowed in brackets
                opener.line.suspect = True
                break


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
    for t in toks:
        if t.kind in SPACE_KINDS:
            if acc:  # _end_clump, inlined: this runs once per clump
                if len(acc) > 1 and acc[-1].kind == RUNE:
                    out.append(acc[:-1])
                    out.append(acc[-1:])
                else:
                    out.append(acc)
                acc = []
        else:
            acc.append(t)
    if acc:
        _end_clump(acc, out)
    return out


def _end_clump(acc: list[Tok], out: list[list[Tok]]) -> None:
    """Add a finished run to ``out``; a rune that ends it (after something
    else) is a clump of its own."""
    if len(acc) > 1 and acc[-1].kind == RUNE:
        rune = acc.pop()
        out.append(acc)
        out.append([rune])
    else:
        out.append(acc)

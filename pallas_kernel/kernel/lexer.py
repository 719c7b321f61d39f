"""A Pygments lexer for Sire and Rex source, for nbconvert's HTML export,
Sphinx and any other Pygments user.

It follows the Rex reader's own token rules (``pallas_kernel/rex/lexer.py``)
so that what is highlighted as one thing is read as one thing:

* a *rune* is a run of the 23 rune characters ``$!#%&*+,-./:<=>?@\\^`'|~``
  (read greedily, so ``a+-b`` holds the rune ``+-``); a *word* is a run of
  ``[A-Za-z0-9_]``; ``;`` starts a comment running to the end of the line;
* the four string forms, none with escapes: ``{..}`` with balanced braces,
  ``".."``, ``}X..X`` (X any byte but space), and ``} ..`` to the end of the
  line; an unterminated one runs to the end of the line, as in the reader;
* the only whitespace is the space; a tab, a carriage return inside a line or
  a non-ASCII character outside a string or comment is an ``Error`` token,
  because the reader rejects it there.

On top of Rex it marks what a Sire reader sees: numbers (digit words and
``0x`` hex), ``%atoms``, ``b#``/``x#`` bars, the ``=?=`` assertion rune and
``#### module <- predecessor`` headers.

Token classes (the JupyterLab extension in ``labextension/`` uses the same
split): ``Comment.Single``, ``String`` (and ``.Double``, ``.Heredoc`` for line
strings, ``.Other`` for ``}X..X``, ``.Affix`` for a bar's ``b#``/``x#``),
``String.Symbol`` for atoms, ``Number.Integer``/``Number.Hex``, ``Operator``
for runes, ``Keyword`` for ``=?=``, ``Keyword.Namespace`` and
``Name.Namespace`` for headers, ``Name`` for words, ``Punctuation`` for
brackets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pygments.lexer import ExtendedRegexLexer, LexerContext, bygroups, default
from pygments.token import (Comment, Error, Keyword, Name, Number, Operator, Punctuation,
                            String, Whitespace, _TokenType)

__all__ = ["SireLexer"]

_RUNE_CHARS = r"$!#%&*+,\-./:<=>?@\\^`'|~"
_WORD = r"[A-Za-z0-9_]+"
_NOT_WORD_BEFORE = r"(?<![A-Za-z0-9_])"
_END_OF_WORD = r"(?![A-Za-z0-9_])"
_BRACE = re.compile(r"[{}\n]")


def _curly_end(text: str, start: int, stop: int) -> int:
    """End of the ``{..}`` string opening at ``start``: just past the brace
    that brings the depth back to zero, or the end of the line (``stop``
    bounds the scan). A loop, not recursion: nesting depth is the user's."""
    depth = 0
    pos = start
    while True:
        m = _BRACE.search(text, pos, stop)
        if m is None:
            return stop
        if m.group() == "\n":
            return m.start()
        depth += 1 if m.group() == "{" else -1
        pos = m.end()
        if depth == 0:
            return pos


def _curly(lexer: SireLexer, match: re.Match, ctx: LexerContext,
           pop: bool = False) -> Iterator[tuple[int, _TokenType, str]]:
    """Emit one balanced ``{..}`` string (regexes cannot count braces)."""
    start = match.start()
    end = _curly_end(ctx.text, start, ctx.end)
    yield start, String, ctx.text[start:end]
    ctx.pos = end
    if pop and len(ctx.stack) > 1:
        ctx.stack.pop()


def _curly_then_pop(lexer: SireLexer, match: re.Match,
                    ctx: LexerContext) -> Iterator[tuple[int, _TokenType, str]]:
    """A ``{..}`` string that ends a bar (``b#{..}``)."""
    return _curly(lexer, match, ctx, pop=True)


# The string forms, shared by the root state and the bar state (``b#..``).
_STRINGS = [
    (r'"[^"\n]*"?', String.Double),
    (r"\}(?: [^\n]*)?$", String.Heredoc),            # } line string, to end of line
    (r"\}([^ \n])[^\n]*?\1", String.Other),           # }X..X, X any byte but space
    (r"\}[^ \n][^\n]*", String.Other),                # }X.. unterminated: to end of line
]


class SireLexer(ExtendedRegexLexer):
    """Sire and Rex source: runes, words, strings, atoms, numbers, bars,
    comments, ``=?=`` assertions and ``####`` module headers."""

    name = "Sire"
    aliases = ["sire", "rex"]
    filenames = ["*.sire"]
    mimetypes = ["text/x-sire"]
    url = "https://github.com/operating-function/pallas"
    version_added = ""

    flags = re.MULTILINE

    tokens = {
        "root": [
            (r"\n", Whitespace),
            (r" +", Whitespace),
            (r";[^\n]*", Comment.Single),
            # #### name <- predecessor: a module header, at the start of a line
            (r"^(####)( +)(" + _WORD + r")(?:( +)(<-)( +)(" + _WORD + r"))?" + _END_OF_WORD,
             bygroups(Keyword.Namespace, Whitespace, Name.Namespace,
                      Whitespace, Operator, Whitespace, Name.Namespace)),
            (r"\{", _curly),
            *_STRINGS,
            # bars: b#{text}, b#"text", b#word, x#0a0b
            (_NOT_WORD_BEFORE + r"[bx]#(?=[{}\"A-Za-z0-9_])", String.Affix, "bar"),
            (r"0x[0-9A-Fa-f]+" + _END_OF_WORD, Number.Hex),
            (r"[0-9]+" + _END_OF_WORD, Number.Integer),
            (_WORD, Name),
            (r"%" + _WORD, String.Symbol),
            (r"=\?=(?![" + _RUNE_CHARS + r"])", Keyword),
            (r"[" + _RUNE_CHARS + r"]+", Operator),
            (r"[()\[\]]", Punctuation),
            (r"[^\n]", Error),   # tab, CR, non-ASCII outside strings, NUL...
        ],
        "bar": [
            (r"\{", _curly_then_pop),
            *[(rx, tok, "#pop") for rx, tok in _STRINGS],
            (_WORD, String, "#pop"),
            default("#pop"),
        ],
    }

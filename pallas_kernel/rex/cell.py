"""Is a notebook cell or console entry finished? (Jupyter's is_complete.)

Rex blocks are ended by layout, so a console cannot know that a rune block
is finished until the user says so:

* ``invalid``: some block has an error that more lines cannot fix (no
  token spans lines, so an unclosed paren or string is already an error);
* ``complete``: nothing but blanks and comments, or the last block is a
  one-line closed form (``(f x)``, ``x=3``), or the entry ends with an
  empty line after its last block;
* ``incomplete``: the last block is a rune block (``= x 3``) or a block of
  line strings (``} text``) that a further line could continue. The indent
  for the next line is that of the last line, 4 more after a line ending
  in an open rune, or the column of the ``}`` in a block of line strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ..errors import RexError
from .layout import OPEN, TEXT, line_category, split_blocks
from .lexer import RUNE, SEMI, TERM, WYTE, Tok
from .reader import read_blocks, split_lines


@dataclass(frozen=True)
class CellStatus:
    """``status`` is "complete", "incomplete" or "invalid"; ``indent`` the
    spaces to start the next line with; ``error`` the first error."""

    status: str
    indent: str = ""
    error: Optional[RexError] = None


def _ends_with_open_rune(toks: list[Tok]) -> bool:
    """Whether a line's last token (before spaces and a comment) is a rune
    standing alone, so its sons come on the next lines."""
    k = len(toks) - 1
    while k >= 0 and toks[k].kind in (TERM, SEMI, WYTE):
        k -= 1
    return k >= 0 and toks[k].kind == RUNE and (k == 0 or toks[k - 1].kind == WYTE)


def cell_status(text: str, file: str = "<cell>") -> CellStatus:
    """Whether ``text`` is ready to run (see the module text)."""
    for block in read_blocks(text, file):
        if block.errors:
            return CellStatus("invalid", "", block.errors[0])
    if "\n" in text and not text.rsplit("\n", 1)[1].strip():
        return CellStatus("complete")
    blocks = list(split_blocks(file, split_lines(text)))
    if not blocks:
        return CellStatus("complete")
    last = blocks[-1]
    cat, col = line_category(last[0])
    if cat == TEXT:
        return CellStatus("incomplete", " " * col)
    if cat != OPEN:
        return CellStatus("complete")
    line = last[-1]
    for toks in reversed(last):  # the last line that is not only a comment
        if toks[0].kind != SEMI and not (toks[0].kind == WYTE and toks[1].kind == SEMI):
            line = toks
            break
    lead = line[0].end if line[0].kind == WYTE else 0
    if _ends_with_open_rune(line):
        lead += 4
    return CellStatus("incomplete", " " * lead)

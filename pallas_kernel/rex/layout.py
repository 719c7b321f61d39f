"""From lines of tokens to trees: block splitting, line-string merging and
the layout engine that turns indentation into OPEN nodes.

A file is cut into top-level blocks by the category of each line's first
token (:func:`line_category`):

* ``VOID`` (blank or spaces only) ends a block;
* ``NOTE`` (comment only) is skipped outside a block and kept inside one;
* ``TEXT d`` (a line string at column d) starts or continues a *text block*,
  which takes only more line strings at exactly column d;
* ``OPEN d`` (a rune followed by space, a comment or the end) starts a *rune
  block* at depth d, the column of the rune's **last** byte; the block takes
  every following line whose first token sits at column >= d;
* ``SING d`` (any closed form) is a one-line block on its own when it comes
  outside a block.

Within a block the layout engine places each clump by its position (a lone
rune: its last byte; anything else: its first byte). A later item at a
greater column becomes a son of the open rune, one at the same column its
heir; an item merged into a node that already has an heir demotes that heir
to a son.
"""

from __future__ import annotations

from typing import Callable, Iterable, Iterator, Optional

from .lexer import LINE, RUNE, SEMI, TERM, WYTE, Line, Tok, lex_line
from .model import Node, Rex, Span, make_node, make_span

VOID, NOTE, TEXT, OPEN, SING = range(5)


def line_category(toks: list[Tok]) -> tuple[int, int]:
    """(category, column) of a line from its first non-space token."""
    k = 0
    while toks[k].kind == WYTE:
        k += 1
    t = toks[k]
    if t.kind == TERM:
        return VOID, 0
    if t.kind == SEMI:
        return NOTE, 0
    if t.kind == LINE:
        return TEXT, t.off
    if t.kind == RUNE and toks[k + 1].kind in (TERM, WYTE, SEMI):
        return OPEN, t.end - 1
    return SING, t.off


def split_blocks(file: str, lines: Iterable[bytes]) -> Iterator[list[list[Tok]]]:
    """Lex every line and yield the blocks, each a list of token lines."""
    block: list[list[Tok]] = []
    mode = VOID  # VOID: between blocks; TEXT or OPEN: inside such a block
    depth = 0
    for num, data in enumerate(lines, 1):
        toks = lex_line(Line(file, num, data))
        cat, col = line_category(toks)
        if mode == TEXT and not (cat == TEXT and col == depth):
            yield block
            block, mode = [], VOID
        elif mode == OPEN and not (cat == NOTE or (cat in (TEXT, OPEN, SING) and col >= depth)):
            yield block
            block, mode = [], VOID
        if mode != VOID:
            block.append(toks)
        elif cat == SING:
            yield [toks]
        elif cat == TEXT or cat == OPEN:
            block, mode, depth = [toks], cat, col
    if mode != VOID:
        yield block


def merge_line_strings(toks: list[Tok]) -> list[Tok]:
    """Merge a line string with the ones on the following lines at the same
    column (``} a`` over ``} b``): the later ones go into ``more`` (and their
    own ``more`` becomes None, so checks see each string once, at its first
    line, as the reference reports them)."""
    out: list[Tok] = []
    n = len(toks)
    k = 0
    while k < n:
        t = toks[k]
        if t.kind == LINE:
            while True:
                j = k + 1
                if j < n and toks[j].kind == TERM:
                    j += 1
                    if j < n and toks[j].kind == WYTE:
                        j += 1
                    if j < n and toks[j].kind == LINE and toks[j].off == t.off:
                        t.more.append(toks[j])
                        toks[j].more = None
                        if toks[j].line.suspect:  # its errors are reported at t
                            t.line.suspect = True
                        k = j
                        continue
                break
        out.append(t)
        k += 1
    return out


def block_tokens(block: list[list[Tok]]) -> list[Tok]:
    """The tokens of a block in order, line strings merged (do it once:
    merging moves later lines into the first line's ``more``)."""
    flat = [t for line in block for t in line]
    for toks in block:
        # A line string runs to the end of its line, so one that may start a
        # run of them is just before the line's TERM; most blocks have none.
        if len(toks) > 1 and toks[-2].kind == LINE:
            return merge_line_strings(flat)
    return flat


def clump_position(c: list[Tok]) -> tuple[int, Optional[str]]:
    """(position, rune): a lone rune sits at its last byte and opens a node
    (rune returned); any other clump sits at its first byte (rune None)."""
    first = c[0]
    if len(c) == 1 and first.kind == RUNE:
        return first.end - 1, first.bar().decode("ascii")
    return first.off, None


class _Item:
    """An open rune being filled by the layout engine."""

    __slots__ = ("pos", "rune", "sons", "heir", "span")

    def __init__(self, pos: int, rune: str, span: Span):
        self.pos = pos
        self.rune = rune
        self.sons: list[Rex] = []
        self.heir: Optional[Rex] = None
        self.span = span

    def merge(self, pos: int, rex: Rex) -> None:
        """Take a finished tree at column ``pos`` (never left of this item)."""
        if self.heir is not None:
            self.sons.append(self.heir)
            self.heir = rex
        elif pos == self.pos:
            self.heir = rex
        else:
            self.sons.append(rex)

    def tree(self) -> Node:
        return make_node("OPEN", self.rune, tuple(self.sons), self.heir, self.span)


def layout(clumps: list[list[Tok]], leaf: Callable[[list[Tok]], Rex]) -> list[Rex]:
    """The trees of a block: leading closed forms each give a tree, and the
    first lone rune opens a node that takes everything after it."""
    trees: list[Rex] = []
    stack: list[_Item] = []
    for c in clumps:
        first = c[0]  # clump_position, inlined: this loop runs once per clump
        if len(c) == 1 and first.kind == RUNE:
            pos = first.end - 1
            rune = first.line.data[first.off:first.end].decode("ascii")
        else:
            pos = first.off
            rune = None
        if not stack and rune is None:
            trees.append(leaf(c))
            continue
        while len(stack) > 1 and stack[-1].pos > pos:
            done = stack.pop()
            stack[-1].merge(done.pos, done.tree())
        if rune is not None:
            stack.append(_Item(pos, rune, make_span(first.line.file, first.line.num, first.off + 1, first.line.data)))
        else:
            stack[-1].merge(pos, leaf(c))
    while len(stack) > 1:
        done = stack.pop()
        stack[-1].merge(done.pos, done.tree())
    if stack:
        trees.append(stack[0].tree())
    return trees

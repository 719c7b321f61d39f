"""The Rex reader: source text to top-level blocks, each a tree or errors.

``read_blocks`` is the whole pipeline: split lines, lex each line, cut the
file into blocks, check each block, and build the tree of each valid block.
A bad block yields its errors and the reader goes on with the next one, so
one mistake does not hide the rest of a file. The work is linear in the
size of the input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator, Optional, Union

from ..errors import RexError
from .layout import block_tokens, layout, split_blocks
from .lexer import Tok, clump
from .model import Rex, make_node
from .policy import clump_rex, nested_rex
from .validate import check_line

Source = Union[str, bytes]


@dataclass
class Block:
    """One top-level block: its first line (from 1), and either its tree
    (``rex``) or the errors that stop it from having one."""

    file: str
    line: int
    rex: Optional[Rex]
    errors: list[RexError] = field(default_factory=list)


def to_bytes(text: str) -> bytes:
    """Text as the bytes it came from: UTF-8, with surrogate escapes (text
    decoded with ``errors="surrogateescape"``, as the REPL reads stdin) turned
    back into their raw bytes, and any other lone surrogate written as its
    3-byte form. Either way the lexer then sees invalid UTF-8 and reports
    it where it stands, instead of an encoding traceback."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


def split_lines(source: Source) -> list[bytes]:
    """The lines of the source as UTF-8 bytes, split on ``\\n`` only (a CR
    stays, and is then an error); a final newline does not add a line."""
    data = to_bytes(source) if isinstance(source, str) else source
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    return lines


def _strip_newline(line: bytes) -> bytes:
    return line[:-1] if line.endswith(b"\n") else line


def read_blocks(source: Source, file: str = "<input>") -> Iterator[Block]:
    """Every top-level block of the source, in order."""
    return _read(split_lines(source), file)


def read_lines(lines: Iterable[Union[str, bytes]], file: str = "<input>") -> Iterator[Block]:
    """Blocks from lines that arrive one at a time (a REPL reading its
    input): a block is yielded as soon as the line that ends it has been
    taken (a blank line, or one that starts a new block), or at the end.
    A line's final ``\n``, if any, is dropped (so a file object works)."""
    yield from _read((_strip_newline(to_bytes(x) if isinstance(x, str) else x) for x in lines), file)


def _read(raw: Iterable[bytes], file: str) -> Iterator[Block]:
    """The blocks of lines given as bytes without their newlines."""
    for block in split_blocks(file, raw):
        merged = block_tokens(block)
        errors = [e for toks in block if toks[0].line.suspect for e in check_line(toks)]
        first = block[0][0].line.num
        if errors:
            _release(block)
            yield Block(file, first, None, errors)
            continue
        for toks in block:
            line = toks[0].line
            if line.nested:
                for t in line.nested:
                    t.rex = nested_rex(t)
                line.nested = []  # see _release
        trees = layout(clump(merged), clump_rex)
        if len(trees) == 1:
            rex = trees[0]
        else:
            rex = make_node("OPEN", "|", tuple(trees), None, trees[0].span)
        yield Block(file, first, rex)


def _release(block: list[list[Tok]]) -> None:
    """Drop each line's list of nested tokens once it has been used: the
    list and its tokens point at each other through the line, and without
    this every line with a paren would wait for the cycle collector."""
    for toks in block:
        if toks[0].line.nested:
            toks[0].line.nested = []


def read_all(source: Source, file: str = "<input>") -> list[Rex]:
    """The trees of every block; raises the first error of the first bad block."""
    out = []
    for b in read_blocks(source, file):
        if b.errors:
            raise b.errors[0]
        out.append(b.rex)
    return out


def read(source: Source, file: str = "<input>") -> Rex:
    """The tree of a source that holds exactly one block."""
    trees = read_all(source, file)
    if len(trees) != 1:
        raise RexError(f"expected one block, found {len(trees)}", file, 1, 1)
    return trees[0]

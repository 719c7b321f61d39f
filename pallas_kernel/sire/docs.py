"""Doc comments of module files: which names a file defines at its top
level, on which line, and the comment written right above each.

A doc comment is the run of ``;`` lines directly above a definition (no
blank line between). Its first sentence is the name's one-line meaning; a
line ``> expr == result`` is an example. The session uses this for
``describe`` (kernel inspection) and the library reference generator for
``docs/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..rex import Leaf, Node, read_blocks


@dataclass(frozen=True)
class Definition:
    """A top-level definition in a module file."""
    name: str
    line: int
    doc: str

    @property
    def summary(self) -> str:
        """The doc comment's first line: what the name is or does."""
        return self.doc.split("\n", 1)[0].strip() if self.doc else ""

    @property
    def examples(self) -> list[str]:
        """The doc comment's example lines (``> expr == result``), without ``>``."""
        return [ln[1:].strip() for ln in self.doc.split("\n") if ln.startswith(">")]


def module_definitions(path: Path) -> dict[str, tuple[int, str]]:
    """Names defined at the top level of a module file: (line, doc comment),
    the first definition of each name."""
    return {d.name: (d.line, d.doc) for d in reversed(definitions(path))}


def definitions(path: Path) -> list[Definition]:
    """The top-level ``=`` / ``#=`` definitions of a module file, in order
    (an unreadable file has none)."""
    try:
        data = path.read_bytes()
    except OSError:
        return []
    text_lines = data.decode("utf-8", "replace").split("\n")
    found: list[Definition] = []
    for block in read_blocks(data, str(path)):
        rex = block.rex
        if rex is None or not isinstance(rex, Node) or rex.rune not in ("=", "#="):
            continue
        name = defined_name(rex)
        if name is not None:
            found.append(Definition(name, block.line, doc_above(text_lines, block.line)))
    return found


def defined_name(rex: Node) -> Optional[str]:
    """The name a ``=`` block binds: the head of its first son, a word or,
    for macros named by a rune, a string such as ``{#datatype}``."""
    ks = list(rex.sons) or ([rex.heir] if rex.heir is not None else [])
    if not ks:
        return None
    binder = ks[0]
    while isinstance(binder, Node) and binder.sons:
        binder = binder.sons[0]
    if isinstance(binder, Leaf) and binder.shape in ("WORD", "TEXT"):
        return binder.text
    return None


def doc_above(lines: list[str], line: int) -> str:
    """The ``;`` comment lines directly above line ``line`` (from 1), without
    the semicolons; ``;;;;`` section banners are not doc comments."""
    doc: list[str] = []
    i = line - 2
    while i >= 0 and lines[i].lstrip().startswith(";") and not lines[i].lstrip().startswith(";;;;"):
        doc.append(lines[i].lstrip().lstrip(";").strip())
        i -= 1
    return "\n".join(reversed(doc)).strip()


__all__ = ["Definition", "module_definitions", "definitions", "defined_name", "doc_above"]

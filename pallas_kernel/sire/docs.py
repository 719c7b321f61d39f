"""Doc comments of module files: which names a file defines at its top
level, on which line, and the comment written right above each.

A doc comment is the run of ``;`` lines directly above the line a name is
bound on (no blank line between). Its first sentence is the name's one-line
meaning; a line ``> expr == result`` is an example. The session uses this
for ``describe`` (kernel inspection) and the library reference generator for
``docs/``.

The forms that bind names, each name on its own line:

* ``= binder value`` and ``#= [key [props]] binder value``, a run of them
  chained as heirs, and the commands grouped by ``*``;
* ``# datatype Name`` (or ``(Name a)``) with ``* CON fields`` lines, one
  constructor each; ``# record Name`` with its ``| CON fields`` line, or
  ``record#Name#CON``;
* ``abstype#Name``, ``# typedef Name Type`` / ``typedef#Name#Type`` and
  ``# backfill name Type`` (open ``# kw ..`` or shut ``kw#..``);
* ``# mutual group`` followed by its ``=`` definitions.

Trees are walked with explicit work lists and loops, never by recursion.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

from ..rex import Leaf, Node, read_blocks

DEFINE_RUNES = ("=", "#=")
GROUP_RUNES = ("*", "#*")
NAMING_MACROS = ("abstype", "typedef", "backfill")


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
    """Names defined at the top level of a module file: (line, doc comment)
    of each name's first documented definition, else of its first one."""
    table: dict[str, tuple[int, str]] = {}
    for d in definitions(path):
        if d.name not in table or (d.doc and not table[d.name][1]):
            table[d.name] = (d.line, d.doc)
    return table


def definitions(path: Path) -> list[Definition]:
    """The names a module file binds at its top level, in file order (an
    unreadable file has none)."""
    try:
        data = path.read_bytes()
    except OSError:
        return []
    text_lines = data.decode("utf-8", "replace").split("\n")
    found: list[Definition] = []
    for block in read_blocks(data, str(path)):
        if block.rex is None:
            continue
        for name, line in bound_names(block.rex, block.line):
            found.append(Definition(name, line, doc_above(text_lines, line)))
    return found


def bound_names(rex, line: int) -> list[tuple[str, int]]:
    """The names a top-level block binds, each with the line it is on; the
    commands inside a ``*`` group or a ``# mutual`` are taken in turn."""
    found: list[tuple[str, int]] = []
    todo = deque([rex])
    while todo:
        cmd = todo.popleft()
        if not isinstance(cmd, Node):
            continue
        if cmd.rune in DEFINE_RUNES:
            found += [(n, line_of(d, line)) for n, d in chained_definitions(cmd)]
        elif cmd.rune in GROUP_RUNES:
            todo.extend([*cmd.sons, *([cmd.heir] if cmd.heir is not None else [])])
        elif cmd.rune == "#":
            names, inner = macro_names(cmd)
            found += [(n, line_of(at, line)) for n, at in names]
            todo.extend(inner)
    return found


def chained_definitions(rex: Node) -> Iterator[tuple[str, Node]]:
    """Each definition of a chain of ``=`` (or ``#=``) nodes, the heir of one
    being the next when it has the same rune: (name bound, its node)."""
    link: Optional[Node] = rex
    while link is not None:
        nxt = link.heir if isinstance(link.heir, Node) and link.heir.rune == rex.rune else None
        kids = list(link.sons) + ([link.heir] if link.heir is not None and nxt is None else [])
        name = defined_name_of_kids(kids)
        if name is not None:
            yield name, link
        link = nxt


def defined_name(rex: Node) -> Optional[str]:
    """The name one ``=`` / ``#=`` node binds (its first definition when
    chained): a word or, for macros named by a rune, a string such as
    ``{#datatype}``."""
    return next((n for n, _ in chained_definitions(rex)), None)


def defined_name_of_kids(kids: list) -> Optional[str]:
    """The binder's name among a definition's kids: ``binder value``,
    ``key binder value`` or ``key props binder value``."""
    if not 2 <= len(kids) <= 4:
        return None
    return head_name(kids[len(kids) - 2])


def macro_names(rex: Node) -> tuple[list[tuple[str, object]], list]:
    """The names a ``#`` macro form binds, each with the tree on its line,
    and the commands it holds (the ``=`` lines of a ``# mutual``)."""
    sons = list(rex.sons)
    if len(sons) < 2 or not isinstance(sons[0], Leaf) or sons[0].shape != "WORD":
        return [], []
    keyword, sig = sons[0].text, sons[1]
    if keyword == "mutual":
        return [], heir_chain(rex.heir, DEFINE_RUNES)[:1]   # a run of `=`
    if keyword in NAMING_MACROS:
        return named(sig), []
    if keyword == "datatype":
        return named(sig) + constructors([*sons[2:], *heir_chain(rex.heir, GROUP_RUNES)]), []
    if keyword == "record":
        return named(sig) + constructors([*sons[2:], *heir_chain(rex.heir, ("|",))[:1]]), []
    return [], []


def heir_chain(rex, runes: tuple[str, ...]) -> list[Node]:
    """The nodes of a chain of heirs that have one of ``runes``."""
    found: list[Node] = []
    while rex is not None:
        if isinstance(rex, Node) and rex.rune in runes:
            found.append(rex)
        rex = rex.heir
    return found


def constructors(lines: list) -> list[tuple[str, object]]:
    """The constructor each ``* CON fields`` / ``| CON fields`` line names."""
    found: list[tuple[str, object]] = []
    for line in lines:
        found += named(line)
    return found


def named(rex) -> list[tuple[str, object]]:
    """The name at the head of a signature such as ``Name``, ``(Name a)``
    or ``CON=tag``, with the tree, as a list of none or one."""
    name = head_name(rex)
    return [] if name is None else [(name, rex)]


def head_name(rex) -> Optional[str]:
    """The word or string at the head of a tree: its first son's first son
    and so on, down to a leaf."""
    while isinstance(rex, Node) and rex.sons:
        rex = rex.sons[0]
    if isinstance(rex, Leaf) and rex.shape in ("WORD", "TEXT"):
        return rex.text
    return None


def line_of(rex, default: int) -> int:
    """The line a tree starts on (``default`` for trees without a span)."""
    span = getattr(rex, "span", None)
    return span.line if span is not None else default


def doc_above(lines: list[str], line: int) -> str:
    """The ``;`` comment lines directly above line ``line`` (from 1), without
    the semicolons; ``;;;;`` section banners are not doc comments."""
    doc: list[str] = []
    i = line - 2
    while i >= 0 and lines[i].lstrip().startswith(";") and not lines[i].lstrip().startswith(";;;;"):
        doc.append(lines[i].lstrip().lstrip(";").strip())
        i -= 1
    return "\n".join(reversed(doc)).strip()


__all__ = ["Definition", "module_definitions", "definitions", "bound_names",
           "defined_name", "head_name", "doc_above"]

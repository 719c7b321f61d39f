"""Completion and inspection for the kernel, answered from a session.

Completion offers the names in scope that start with the word before the
cursor, each with its kind (``law/3``, ``pin``, ``row``, ``nat``, ...),
module names after ``:|``, and in a magic cell the magic names after ``)``
(:mod:`.magics`). Inspection (Jupyter's shift-tab) describes the
name under the cursor: kind, arity, pin hash, whether a native jet is
attached, where it was defined (a library file and line, from the library
reference shipped as package data, or the cell that defined it) and its doc
comment; at detail level 1 also its source and its value printed as Sire.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..plan import Value
from ..plan.tree import Pin
from ..plan.view import layer
from ..sire.library_reference import Entry
from ..sire.modules import search_path
from ..sire.session import value_arity
from ..sire.session import BindingInfo, Session
from .magics import MAGICS, is_magic_cell

__all__ = ["CellSource", "complete", "complete_magic", "inspect", "word_at", "kind_label"]

_WORD = re.compile(r"[A-Za-z0-9_]")
_IMPORT = re.compile(r":\|\s*$")
_MAGIC = re.compile(r"\s*\)([A-Za-z0-9_-]*)$")
#: matches whose kinds are looked up (beyond this, names only)
TYPED_MATCHES = 300
#: lines of source shown at detail level 1
SOURCE_LINES = 40


@dataclass(frozen=True)
class CellSource:
    """Where a cell defined a name: the cell's file name, the block's first
    line and the block's text."""

    file: str
    line: int
    text: str


def word_at(code: str, cursor: int, forward: bool = False) -> tuple[int, int]:
    """The (start, end) of the name around ``cursor``: back from it, and
    with ``forward`` also on past it."""
    cursor = max(0, min(cursor, len(code)))
    start = cursor
    while start > 0 and _WORD.match(code[start - 1]):
        start -= 1
    end = cursor
    if forward:
        while end < len(code) and _WORD.match(code[end]):
            end += 1
    return start, end


def complete(session: Session, code: str, cursor: int) -> dict:
    """A complete_reply's content for the word before ``cursor``."""
    magic = complete_magic(code, cursor)
    if magic is not None:
        return magic
    start, end = word_at(code, cursor)
    prefix = code[start:end]
    line_start = code.rfind("\n", 0, start) + 1
    if _IMPORT.search(code[line_start:start]):
        matches = [m for m in module_names(session) if m.startswith(prefix)]
        types = [{"start": start, "end": end, "text": m, "type": "module", "signature": ""}
                 for m in matches]
    else:
        matches = [n for n in session.names() if n.startswith(prefix)]
        types = []
        if len(matches) <= TYPED_MATCHES:
            for m in matches:
                label = kind_label(_value_of(session, m))
                types.append({"start": start, "end": end, "text": m,
                              "type": "function" if label.startswith("law") else "instance",
                              "signature": label})
    meta = {"_jupyter_types_experimental": types} if types else {}
    return {"status": "ok", "matches": matches, "cursor_start": start, "cursor_end": end,
            "metadata": meta}


def complete_magic(code: str, cursor: int) -> Optional[dict]:
    """In a magic cell, the magic names for ``)name`` before the cursor
    (None: not there)."""
    cursor = max(0, min(cursor, len(code)))
    line_start = code.rfind("\n", 0, cursor) + 1
    m = _MAGIC.match(code[line_start:cursor])
    if m is None or not is_magic_cell(code):
        return None
    prefix = m.group(1)
    start = cursor - len(prefix)
    matches = sorted(n for n in MAGICS if n.startswith(prefix))
    types = [{"start": start, "end": cursor, "text": n, "type": "magic",
              "signature": MAGICS[n].usage} for n in matches]
    return {"status": "ok", "matches": matches, "cursor_start": start, "cursor_end": cursor,
            "metadata": {"_jupyter_types_experimental": types} if types else {}}


def module_names(session: Session) -> list[str]:
    """Modules loaded in the session and module files on its search path."""
    names = set(session.modules())
    for d in search_path(session.loader.include):
        if d.is_dir():
            names.update(p.stem for p in d.glob("*.sire"))
    return sorted(names)


def inspect(session: Session, code: str, cursor: int, detail_level: int = 0,
            reference: Optional[dict[str, Entry]] = None,
            cells: Optional[dict[str, CellSource]] = None) -> dict:
    """An inspect_reply's content for the name under (or just before) ``cursor``."""
    start, end = word_at(code, cursor, forward=True)
    name = code[start:end]
    info = session.describe(name) if name else None
    if info is None:
        return {"status": "ok", "found": False, "data": {}, "metadata": {}}
    entry = (reference or {}).get(name)
    if entry is not None and entry.module != info.module:
        entry = None  # the name is bound again by the user or a later module
    cell = (cells or {}).get(name) if info.module in ("", session.context) else None
    text = describe_text(session, info, entry, cell, detail_level)
    return {"status": "ok", "found": True, "data": {"text/plain": text}, "metadata": {}}


def describe_text(session: Session, info: BindingInfo, entry: Optional[Entry],
                  cell: Optional[CellSource], detail_level: int) -> str:
    """The inspection text of a name (see the module text)."""
    label = kind_label(info.value)
    flags = [label] + (["jet"] if info.jet else [])
    lines = [f"{info.name}: {' · '.join(flags)}"]
    if info.pin_hash:
        lines.append(f"pin hash: {info.pin_hash}")
    where = _location(info, entry, cell)
    if where:
        lines.append(f"defined in {where}")
    doc = info.doc or (entry.summary + ("\n> " + entry.example if entry.example else "")
                       if entry is not None else "")
    if doc:
        lines += ["", doc]
    if not label.startswith("law"):
        lines += ["", "value: " + session.show(info.value, 400)]
    if detail_level >= 1:
        source = _source(info, cell)
        if source:
            lines += ["", "source:", source]
        if label.startswith("law"):
            lines += ["", "PLAN:", session.show(_law_of(info.value), 4000)]
    return "\n".join(lines)


def kind_label(value: object) -> str:
    """``law/N`` for something that takes N more arguments (``pinned`` when
    it is a pin), else the shape of the data: ``row``, ``tab``, ``set``,
    ``bar``, ``pin``, ``nat`` or ``app``."""
    if not isinstance(value, Value):
        return "nat" if isinstance(value, int) else "value"
    kind = value.kind
    if kind == "nat":
        return "nat"
    if value.shape in ("row", "tab", "set", "bar", "cow"):
        return value.shape
    arity = value_arity(value)
    if arity:
        return f"law/{arity}" + (" (pinned)" if kind == "pin" else "")
    return kind


def _value_of(session: Session, name: str) -> object:
    b = session.binding(name)
    return None if b is None else b.value


def _law_of(value: Value) -> Value:
    """The law inside a pin (what the definition compiled to)."""
    t = layer(value)
    return t.item if isinstance(t, Pin) else value


def _location(info: BindingInfo, entry: Optional[Entry], cell: Optional[CellSource]) -> str:
    if cell is not None:
        return f"{cell.file}:{cell.line}"
    if entry is not None:
        return f"{entry.module} (sire/{entry.module}.sire:{entry.line})"
    if info.file:
        return f"{info.module} ({info.file}:{info.line})"
    return info.module


def _source(info: BindingInfo, cell: Optional[CellSource]) -> str:
    """The definition's text: the cell's block, or the library file's lines
    from the definition to the next blank line."""
    if cell is not None:
        return "\n".join(cell.text.rstrip("\n").split("\n")[:SOURCE_LINES])
    if not info.file or not info.line:
        return ""
    try:
        lines = Path(info.file).read_text("utf-8", "replace").split("\n")
    except OSError:
        return ""
    out = []
    for line in lines[info.line - 1:info.line - 1 + SOURCE_LINES]:
        if not line.strip():
            break
        out.append(line)
    return "\n".join(out)

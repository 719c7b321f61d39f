"""The library reference: for every name our standard library's ``prelude``
binds and defines in a ``sire/`` file, its kind, arity, module, one-line
meaning (the first line of its doc comment), example and source line.

``make library-docs`` writes it twice: as Markdown for people
(``docs/library.md``) and as JSON in the package
(``pallas_kernel/library_reference.json``), which the kernel reads for
completion and inspection without loading anything.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Optional

from .docs import Definition, definitions
from .library import LAST_MODULE, library_dir, module_chain
from .session import Session


@dataclass(frozen=True)
class Entry:
    """One public name of the library."""
    name: str
    kind: str
    arity: Optional[int]
    module: str
    summary: str
    example: str
    line: int


def build_reference(directory: Optional[Path] = None) -> list[Entry]:
    """Every documented name defined by a library file and bound in the
    prelude, in chain order then file order; the name's entry comes from the
    module whose binding the prelude holds (every public name has a doc
    comment: tests/library/test_docs.py)."""
    directory = directory or library_dir()
    session = Session(include=[str(directory)])
    session.load(LAST_MODULE)
    entries: list[Entry] = []
    seen: set[str] = set()
    for module in module_chain(directory):
        for d in definitions(directory / f"{module}.sire"):
            info = session.describe(d.name)
            if d.name in seen or info is None or info.module != module:
                continue
            seen.add(d.name)
            d = Definition(d.name, d.line, d.doc or info.doc)   # a re-binding: its first doc
            if not d.doc:
                continue      # undocumented helpers and test values are not the library's surface
            examples = d.examples
            kind = "law" if info.kind == "pin" and info.arity else info.kind
            entries.append(Entry(d.name, kind, info.arity or None, module, d.summary,
                                 examples[0] if examples else "", d.line))
    return entries


def to_markdown(entries: list[Entry]) -> str:
    """The reference as Markdown: one section per module, one table row per name."""
    out = ["# The Sire standard library\n",
           "Generated from the doc comments in `sire/` by `make library-docs`; do not edit.",
           "Each module imports the one before it; `:| prelude` brings every name here.\n"]
    module = None
    for e in entries:
        if e.module != module:
            module = e.module
            out += [f"\n## {module}\n", "| name | kind | meaning | example | line |",
                    "|---|---|---|---|---|"]
        kind = f"law/{e.arity}" if e.kind == "law" and e.arity is not None else e.kind
        example = f"`{e.example}`" if e.example else ""
        out.append(f"| `{_cell(e.name)}` | {kind} | {_cell(e.summary)} | {_cell(example)} "
                   f"| [{e.line}](../sire/{e.module}.sire#L{e.line}) |")
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def to_json(entries: list[Entry]) -> str:
    """The reference as JSON: a list of entries, one object per name."""
    return json.dumps([asdict(e) for e in entries], indent=0, ensure_ascii=False) + "\n"


def load_reference() -> dict[str, Entry]:
    """The shipped reference by name (empty before it is generated)."""
    res = resources.files("pallas_kernel").joinpath("library_reference.json")
    if not res.is_file():
        return {}
    return {d["name"]: Entry(**d) for d in json.loads(res.read_text("utf-8"))}


__all__ = ["Entry", "build_reference", "to_markdown", "to_json", "load_reference"]

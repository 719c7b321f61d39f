"""Shared by the standard-library tests: the library loaded once per run
(from scratch: no cache, so every `=?=` assertion runs), and the API table."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Optional

from pallas_kernel import plan
from pallas_kernel.plan.tree import Law
from pallas_kernel.plan.view import layer, nat_of
from pallas_kernel.sire.library import LAST_MODULE, library_dir
from pallas_kernel.sire.modules import Loader
from pallas_kernel.sire.state import State

DATA = Path(__file__).resolve().parents[1] / "data"


@functools.lru_cache(maxsize=None)
def library_loader() -> Loader:
    """One loader over our library, without the compiled-module cache."""
    return Loader(include=[str(library_dir())], cache=None)


def library_state(module: str = LAST_MODULE) -> State:
    """The state after loading ``module`` of our library (once per run)."""
    return library_loader().load(module)


@functools.lru_cache(maxsize=None)
def api_rows() -> list[tuple[str, str, Optional[int], str]]:
    """(name, kind, arity or None, reference module) of prelude_api.tsv."""
    rows = []
    for line in (DATA / "prelude_api.tsv").read_text("utf-8").splitlines():
        if line.startswith("# ") or line.startswith("name\t") or not line.strip():
            continue
        name, kind, arity, module = line.split("\t")
        rows.append((name, kind, int(arity) if arity else None, module))
    return rows


def scope_kind(bind) -> tuple[str, Optional[int]]:
    """A binding's kind as the API table writes it: ``law`` with its arity
    for a law, pinned or bare, else ``nat``, ``app`` (or ``pin``)."""
    value = bind.value if isinstance(bind.value, plan.Value) else plan.from_tree(bind.value)
    value = value.force()
    if value.kind == "nat":
        return ("nat", None)
    if value.kind == "pin":
        item = layer(layer(value).item)
        if isinstance(item, Law):
            return ("law", nat_of(item.arity))
        return ("pin", None)
    if value.kind == "law":      # a bare law, such as a row constructor (c2 = {0 3 0})
        return ("law", nat_of(layer(value).arity))
    return (value.kind, None)

"""Sire modules: finding files, the ``####`` chain, and loading it.

A module ``X`` is the file ``X.sire`` in the first directory of the search
path that has one: the ``-I`` directories, then ``./sire``, then the
directories of ``SIRE_PATH`` (separated by ``:``), then the ``sire/``
directory that ships with this package. Its first block must be
``#### X`` (a root) or ``#### X <- P``: then ``P`` is loaded first and
``X`` runs on the state ``P`` left. The chain is linear; each module's
scope is archived under its name when the next one starts.

Loading is all or nothing: the first failing block stops the load with a
:class:`~.failure.SireFailure` (or a :class:`~pallas_kernel.errors.RexError`
for a syntax error) naming the file, line and column.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from ..errors import SireError
from ..rex import Leaf, Node, read_blocks
from .cache import Cache, chain_key
from .commands import Output, _quiet, run_block
from .failure import SireFailure
from .state import State

def _package_sire() -> Path:
    """Where our standard library lives: inside an installed package
    (``pallas_kernel/sire_library``, copied there by setup.py), else the
    checkout's top-level ``sire/``."""
    package = Path(__file__).resolve().parents[1]
    installed = package / "sire_library"
    return installed if installed.is_dir() else package.parent / "sire"


PACKAGE_SIRE = _package_sire()


def search_path(include: list[str] | tuple[str, ...] = ()) -> list[Path]:
    """The directories searched for modules, in order."""
    dirs = [Path(d) for d in include] + [Path("sire")]
    dirs += [Path(d) for d in os.environ.get("SIRE_PATH", "").split(":") if d]
    dirs.append(PACKAGE_SIRE)
    return dirs


def module_name(arg: str) -> str:
    """The module a command-line argument names: ``X``, ``X.sire`` or a
    path to ``X.sire``."""
    base = os.path.basename(arg)
    return base[:-5] if base.endswith(".sire") else base


@dataclass
class Loader:
    """Loads modules along a search path, once each, keeping the state
    after each module (so a later chain reuses its prefix)."""

    include: list[str] = field(default_factory=list)
    out: Output = _quiet
    on_module: Callable[[str], None] = lambda name: None
    loaded: dict[str, State] = field(default_factory=dict)
    explicit: dict[str, Path] = field(default_factory=dict)
    cache: Optional[Cache] = None
    keys: dict[str, bytes] = field(default_factory=dict)
    from_cache: list[str] = field(default_factory=list)

    def find(self, name: str) -> Path:
        """The file of a module, or a SireError listing where it looked."""
        if name in self.explicit:
            return self.explicit[name]
        dirs = search_path(self.include)
        for d in dirs:
            p = d / f"{name}.sire"
            if p.is_file():
                return p
        raise SireError(f"module {name} not found in: " + ", ".join(str(d) for d in dirs))

    def _cached_suffix(self, todo: list, keys: list[bytes]) -> int:
        """How many modules of the chain to take from the cache: up to the
        last one whose state is stored (only that state is read)."""
        if self.cache is None:
            return 0
        for i in range(len(keys), 0, -1):
            if self.cache.has(keys[i - 1]):
                return i
        return 0

    def load(self, name: str) -> State:
        """The state after loading module ``name`` and its predecessors."""
        chain: list[tuple[str, Path, bytes, Optional[str]]] = []
        cur: Optional[str] = name
        seen: set[str] = set()
        where: Optional[SireFailure] = None  # the header naming ``cur``, for messages
        while cur is not None and cur not in self.loaded:
            if cur in seen:
                raise _at(where, f"module {cur} is its own predecessor")
            seen.add(cur)
            try:
                path = self.find(cur)
            except SireError as e:
                raise _at(where, str(e)) from None
            try:
                data = path.read_bytes()
            except OSError as e:
                raise SireError(f"{path}: cannot read: {e.strerror}") from None
            header = read_header(data, str(path))
            if header.module != cur:
                raise SireFailure(f"the file of module {cur} declares module {header.module}",
                                  header.rex, header.span)
            prev = header.prev
            chain.append((cur, path, data, prev))
            where = SireFailure("", header.rex, header.span)
            cur = prev
        state = self.loaded[cur] if cur is not None else State()
        key = self.keys.get(cur, b"") if cur is not None else b""
        todo = list(reversed(chain))
        keys = []
        for _, _, data, _ in todo:
            key = chain_key(key, data)
            keys.append(key)
        start = self._cached_suffix(todo, keys)
        cached = self.cache.get(keys[start - 1]) if start else None
        if cached is None:
            start = 0  # nothing stored, or the entry is damaged
        else:
            state = cached
            for (mod, _, _, _), k in zip(todo[:start], keys[:start]):
                self.on_module(mod)
                self.from_cache.append(mod)
                self.keys[mod] = k
            self.loaded[todo[start - 1][0]] = state
        for (mod, path, data, _), key in zip(todo[start:], keys[start:]):
            self.on_module(mod)
            state = run_file(state, data, str(path), self.out)
            if self.cache is not None:
                self.cache.put(key, state)
            self.loaded[mod] = state
            self.keys[mod] = key
        return state


@dataclass(frozen=True)
class Header:
    """A module file's ``####`` line: the module it declares, its
    predecessor (None for a root), and where it is."""

    module: str
    prev: Optional[str]
    rex: object
    span: object


def read_header(data: bytes, file: str) -> Header:
    """The ``####`` header a module file starts with; a SireFailure (or the
    RexError) if the first block is not one."""
    for block in read_blocks(data, file):
        if block.errors:
            raise block.errors[0]
        rex = block.rex
        span = getattr(rex, "span", None)
        if not (isinstance(rex, Node) and rex.rune == "####"):
            raise SireFailure("All files must start with module declaration", rex, span)
        ks = list(rex.sons) + ([rex.heir] if rex.heir is not None else [])
        if not ks or not isinstance(ks[0], Leaf) or ks[0].heir is not None:
            raise SireFailure("Expected something like (#### foo) or (#### foo <- bar)", rex, span)
        prev = None
        if len(ks) == 2 and isinstance(ks[1], Node) and ks[1].rune == "<-" and ks[1].sons:
            p = ks[1].sons[0]
            if isinstance(p, Leaf):
                prev = p.text
        return Header(ks[0].text, prev, rex, span)
    raise SireFailure("empty file: a module starts with ####", None, None)


def _at(where: Optional[SireFailure], reason: str) -> SireError:
    """A failure at the header that named a module (a plain SireError for
    the module asked for at first)."""
    if where is None:
        return SireError(reason)
    return SireFailure(reason, where.rex, where.span)


def run_file(state: State, data: bytes, file: str, out: Output = _quiet) -> State:
    """Run every block of a file on a state; stops at the first failure."""
    for block in read_blocks(data, file):
        if block.errors:
            raise block.errors[0]
        state = run_block(state, block.rex, file, out)
    return state


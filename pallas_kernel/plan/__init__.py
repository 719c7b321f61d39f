"""The Python face of the PLAN core: build, evaluate, compare, hash, print and
save PLAN values.

Values live in the C core (:class:`Value`); trees (:mod:`pallas_kernel.plan.tree`)
are their neutral Python form. This module wires the core to the notation
reader and printer, the seed codec and the jet table shipped with the package.

A PLAN crash raises :class:`PlanCrash` (with ``op`` and ``value``), entering a
black hole raises :class:`PlanLoop`, needing more memory than the limit
(:func:`memory_limit`) raises :class:`PlanMemory`, and Ctrl-C interrupts a long
evaluation with ``KeyboardInterrupt``; after any of them the runtime is intact.
"""

from __future__ import annotations

import contextlib
import os
from importlib import resources
from typing import Iterator, Optional, Union

from .. import _core
from .._core import Value
from ..errors import PlanCrash, PlanLoop, PlanMemory, PlanStackLimit
from . import base58, notation
from .tree import Law, Tree

__all__ = [
    "Value", "PlanCrash", "PlanLoop", "PlanStackLimit", "PlanMemory", "memory_limit",
    "get_memory_limit", "set_memory_limit", "DEFAULT_MEMORY_LIMIT", "nat", "from_tree", "evaluate",
    "read", "show", "pin_hash", "hash_b58", "save_seed", "load_seed", "from_bytes",
    "to_bytes", "from_str", "to_str", "tab_insert", "jets_enabled", "jet_table", "reference_jet_table", "library_jet_table", "native_jets",
    "LIBRARY_NATIVES", "accept_jet_hashes", "accepted_jets", "stats",
    "jet_report", "tracing", "accepting_jets",
]

Valueish = Union[Value, int]


def _read_jet_file(filename: str) -> list[tuple[str, bytes]]:
    """(law name, 32-byte pin hash) rows of a jet table in package data; a
    missing file is an empty table (the library's before it is generated)."""
    res = resources.files("pallas_kernel").joinpath(filename)
    if not res.is_file():
        return []
    table = []
    for line in res.read_text("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, b58 = line.split("\t")
            table.append((name, base58.decode(b58.strip())))
    return table


def reference_jet_table() -> list[tuple[str, bytes]]:
    """The reference's accepted jets: (law name, pin hash of its law)."""
    return _read_jet_file("jet_hashes.tsv")


def library_jet_table() -> list[tuple[str, bytes]]:
    """The jets on our own standard library's laws (``make jet-hashes``)."""
    return _read_jet_file("jet_hashes_library.tsv")


# Natives for names the reference's table does not have: jets of our own
# library's laws only (their hashes are in jet_hashes_library.tsv).
LIBRARY_NATIVES = frozenset({"sort", "strCat"})


def native_jets() -> set[str]:
    """Names that have native code in the core."""
    return set(_core.native_jets())


def jet_table() -> list[tuple[str, bytes]]:
    """Every accepted jet: the reference's table, then our library's (the
    same names with the hashes of our laws)."""
    return reference_jet_table() + library_jet_table()


_accepted = [(name.encode("utf-8"), h) for name, h in jet_table()]
_core.set_jet_table(_accepted)


def accept_jet_hashes(pairs: list[tuple[str, bytes]]) -> None:
    """Accept more (law name, pin hash) pairs for jets, beside the reference's
    table: pins made from now on with such a name and hash get the native
    code of that name (tests and benchmarks use it for hand-built laws)."""
    _accepted.extend((name.encode("utf-8"), h) for name, h in pairs)
    _core.set_jet_table(_accepted)


def accepted_jets() -> list[tuple[str, bytes]]:
    """Every (law name, pin hash) pair accepted now: :func:`jet_table`'s,
    then those added since (:func:`accept_jet_hashes`, :func:`accepting_jets`).
    The eval device ships the additions to its worker processes, so pins
    rebuilt there get the same jets."""
    return [(name.decode("utf-8"), h) for name, h in _accepted]


def nat(n: int) -> Value:
    """The nat ``n`` as a value."""
    return _core.nat(n)


def from_tree(tree: Tree) -> Value:
    """A tree read as a lazy expression (nothing is evaluated yet)."""
    return _core.from_tree(tree)


def evaluate(tree: Tree) -> Value:
    """A tree read as an expression and evaluated to normal form."""
    return _core.from_tree(tree).force()


def read(text: str, filename: str = "<input>") -> Value:
    """Read the PLAN notation (see :mod:`pallas_kernel.plan.notation`) as a lazy expression."""
    return _core.from_tree(notation.read(text, filename))


def show(value: Valueish) -> str:
    """The normal form of a value in the PLAN notation."""
    if isinstance(value, int):
        return notation.show(value)
    return notation.show(value.to_tree())


def tab_insert(tab: Value, key: int, value: Valueish) -> Value:
    """The tab ``tab`` with ``key`` mapped to ``value`` (replacing any old
    value), made by the native tab insert: one copy of the sorted arrays."""
    return _core.call_jet("tabIns", _core.nat(key), value, tab).force()


def pin_hash(value: Value) -> bytes:
    """The 32-byte BLAKE3 hash of a pin."""
    return value.pin_hash()


def hash_b58(value: Value) -> str:
    """A pin's hash in base58 (bitcoin alphabet), as the reference prints it."""
    return base58.encode(value.pin_hash())


def save_seed(value: Value) -> bytes:
    """The seed of a value's normal form, byte-identical with the reference encoder
    (the core's C codec; :mod:`pallas_kernel.plan.reference.seed` is the same format in Python)."""
    return _core.save_seed(value)


def load_seed(data: bytes) -> Value:
    """The value stored in a seed, in normal form (laws and pins are rebuilt, so
    jets attach; cells that need evaluation are evaluated). Raises SeedError
    for malformed bytes."""
    return _core.load_seed(data).force()


def save_germ(pin: Value) -> tuple[list[Value], bytes]:
    """``(refs, body)``: a pin's direct sub-pins (first-seen order) and the seed
    of its item with them as holes, so each sub-pin can be stored on its own
    (the machine's store keeps every pin once, by hash). The core's C codec."""
    return _core.save_germ(pin)


def load_germ(refs: list[Value], body: bytes) -> Value:
    """The pin item a germ body holds, its holes filled with ``refs`` in order.
    Raises SeedError for malformed bytes or a hole count that differs."""
    return _core.load_germ(refs, body)


def pin(item: Valueish) -> Value:
    """The pin ``<item>`` (PLAN ``4 item``), in normal form."""
    return _core.nat(4).apply(item).force()


def pin_item(value: Value) -> Value:
    """The item of a pin ``<x>``: ``x``."""
    return _core.call_jet("_PinItem", value).force()


def from_bytes(data: bytes) -> Value:
    """The nat whose little-endian bytes are ``data`` (trailing zeros vanish)."""
    return _core.nat(int.from_bytes(data, "little"))


def bar(data: bytes) -> Value:
    """The bar holding ``data``: the law ``{1 1 n}`` whose body ``n`` has
    the bytes little-endian with a 1 byte above them."""
    return _core.from_tree(Law(1, 1, int.from_bytes(bytes(data) + b"\x01", "little")))


def bar_bytes(value: Value) -> Optional[bytes]:
    """The bytes of a bar, or None if ``value`` is not one."""
    if not isinstance(value, Value) or value.shape != "bar":
        return None
    n = value.layer().body
    n = n.nat if isinstance(n, Value) else int(n)
    return n.to_bytes((n.bit_length() + 7) // 8, "little")[:-1]


def to_bytes(value: Valueish) -> bytes:
    """The minimal little-endian bytes of a nat."""
    n = int(value)
    return n.to_bytes((n.bit_length() + 7) // 8, "little")


def from_str(text: str) -> Value:
    """The nat spelling ``text`` in UTF-8 (how names and strings are stored)."""
    return from_bytes(text.encode("utf-8"))


def to_str(value: Valueish) -> str:
    """The UTF-8 text a nat spells; raises UnicodeDecodeError if it is not text."""
    return to_bytes(value).decode("utf-8")


@contextlib.contextmanager
def jets_enabled(on: bool) -> Iterator[None]:
    """Run a block with native jets on or off (off: every pin runs its legal code)."""
    _core.set_jets_enabled(on)
    try:
        yield
    finally:
        _core.set_jets_enabled(True)


def jet_report() -> list[tuple[int, bytes, bool, bool]]:
    """The jet table's entries as (name nat, pin hash, matched, mismatched):
    matched when a pin was made with the table's hash for that name,
    mismatched when pins of that name were made only with other hashes."""
    return _core.jet_report()


def get_memory_limit() -> int:
    """The bytes one evaluation may hold (see :func:`set_memory_limit`)."""
    return _core.memory_limit()


def set_memory_limit(limit: int) -> int:
    """Bound what one evaluation may hold to ``limit`` bytes (at least 1 MiB) and
    return the previous limit. Big nats, rows and buffers that would not fit
    are refused before they are made, the heap may hold at most ``limit``
    bytes after a collection (1.5 times that, garbage included, between two),
    and the evaluation stack at most half of it; past that the evaluation
    raises :class:`PlanMemory` instead of exhausting the machine's memory
    (GMP would abort the whole process)."""
    return _core.set_memory_limit(int(limit))


@contextlib.contextmanager
def memory_limit(limit: int) -> Iterator[None]:
    """Run a block with the memory limit set to ``limit`` bytes, then restore it."""
    old = set_memory_limit(limit)
    try:
        yield
    finally:
        set_memory_limit(old)


def _limit_from_environment() -> None:
    """``PALLAS_MEMORY_LIMIT`` (bytes, or with a K/M/G suffix) overrides the core's
    default of half the physical memory (between 256 MiB and 64 GiB)."""
    text = os.environ.get("PALLAS_MEMORY_LIMIT", "").strip().upper()
    if not text:
        return
    scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1:], 1)
    digits = text[:-1] if scale != 1 else text
    try:
        set_memory_limit(int(digits) * scale)
    except ValueError as e:
        raise ValueError(f"PALLAS_MEMORY_LIMIT={text!r}: expected bytes, e.g. 512M or 4G") from e


_limit_from_environment()
DEFAULT_MEMORY_LIMIT = get_memory_limit()


def stats() -> dict:
    """Counters of the runtime: steps, jet calls and matches, collections
    (``gc_count``, ``gc_seconds``), bytes allocated in all (``allocated``), heap
    size now and live after the last collection (``heap_bytes``, ``heap_live``)."""
    return _core.stats()


_trace_hook = None  # the hook installed now, so that tracing() can nest


@contextlib.contextmanager
def tracing(fn) -> Iterator[None]:
    """Run a block with ``trk`` output (the ``_Trace`` jet's message, a value)
    going to ``fn``; the hook before is put back afterwards."""
    global _trace_hook
    prev = _trace_hook
    _trace_hook = fn
    _core.set_trace(fn)
    try:
        yield
    finally:
        _trace_hook = prev
        _core.set_trace(prev)


@contextlib.contextmanager
def accepting_jets(pairs: list[tuple[str, bytes]]) -> Iterator[None]:
    """Run a block with more (law name, pin hash) pairs accepted for jets;
    the table is as before afterwards (pins made inside keep their jets)."""
    if not pairs:
        yield
        return
    saved = list(_accepted)
    _accepted.extend((name.encode("utf-8"), h) for name, h in pairs)
    _core.set_jet_table(_accepted)
    try:
        yield
    finally:
        _accepted[:] = saved
        _core.set_jet_table(_accepted)

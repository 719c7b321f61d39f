"""One view of PLAN data, for trees and core values alike.

A core :class:`~pallas_kernel.plan.Value` opens one level at a time
(``Value.layer``: a tree whose children are values again); a tree is
already open. :func:`layer` makes the two the same, and the readers below
(rows, tabs, nats, names) are written once on top of it, so every layer
above (Rex, Sire) reads macro output, compiler state and user values the
same way, without converting whole values to trees.

The readers return ``None`` when the data has another shape; given an
``error`` class they raise it instead, with a message naming ``what``.
"""

from __future__ import annotations

from typing import Optional

from .._core import Value
from .._core import con_fields as _con_fields, row_items as _row_items, tab_items as _tab_items
from .notation import decimal_text
from .tree import Law, Tree, nat_text, spine

__all__ = ["layer", "nat_of", "row_items", "tab_items", "con_fields", "name_text"]

ErrorClass = Optional[type]


def layer(t: object) -> Tree:
    """One level of a tree or core value (a value is evaluated to WHNF)."""
    while isinstance(t, Value):
        t = t.layer()
    return t


def _fail(error: ErrorClass, message: str) -> None:
    """Raise ``error(message)`` if an error class was given; else the caller returns None."""
    if error is not None:
        raise error(message)


def nat_of(t: object, what: str = "a value", error: ErrorClass = None) -> Optional[int]:
    """The nat a tree or value is."""
    t = layer(t)
    if isinstance(t, int):
        return t
    _fail(error, f"{what} is not a nat")
    return None


def row_items(t: object, what: str = "a row", error: ErrorClass = None) -> Optional[list]:
    """The items of a row ``({0 n+1 0} x[n-1] ... x0)``, item 0 first."""
    if isinstance(t, Value):
        fast = _row_items(t)  # the core reads the row in one call
        if fast is not None:
            return list(fast)
    head, args = spine(layer(t))
    head = layer(head)
    if isinstance(head, Law) and head.name == 0 and head.arity == len(args) + 1 \
            and layer(head.body) == 0:
        return args[::-1]
    _fail(error, f"{what} is not a row")
    return None


def tab_items(t: object, what: str = "a tab", error: ErrorClass = None) -> Optional[list[tuple[int, object]]]:
    """The (key, value) pairs of a tab ``({1 2 keys} vals)`` whose keys are
    nats, in key order (the empty row is accepted as the empty tab)."""
    if isinstance(t, Value):
        fast = _tab_items(t)  # the core reads both rows in one call
        if fast is not None and all(isinstance(k, int) for k in fast[0]):
            return list(zip(*fast))
    t = layer(t)
    if isinstance(t, Law) and t.name == 0 and t.arity == 1:
        return []
    head, args = spine(t)
    head = layer(head)
    if not (isinstance(head, Law) and head.name == 1 and head.arity == 2 and len(args) == 1):
        _fail(error, f"{what} is not a tab")
        return None
    keys = row_items(head.body, what, error)
    vals = row_items(args[0], what, error)
    if keys is None or vals is None:
        return None
    pairs = []
    for k, v in zip(keys, vals):
        n = nat_of(k, f"a key of {what}", error)
        if n is None:
            return None
        pairs.append((n, v))
    return pairs


def con_fields(t: object) -> Optional[tuple[int, tuple]]:
    """``(name, fields)`` of a core value that is a constructor application:
    a pin of a law ``{name n+1 0}`` applied to ``n`` fields (unevaluated),
    read by the core in one call; None for anything else (a tree included),
    which callers read with :func:`layer`."""
    return _con_fields(t) if isinstance(t, Value) else None


def name_text(n: int) -> str:
    """A name nat for messages: its text if that is printable UTF-8, else its
    decimal digits."""
    s = nat_text(n)
    return s if s is not None and s.isprintable() else decimal_text(n)

"""Rex trees from core values, one layer at a time.

:func:`pallas_kernel.rex.from_plan` converts a whole tree; a macro's output
may embed large values (the scope, compiled laws), so here each node is
opened with ``Value.layer`` and embedded values stay core values.
"""

from __future__ import annotations

from typing import Optional

from ..errors import SireError
from ..rex import Embed, Leaf, Node, Rex
from ..rex.encoding import CONSTRUCTORS
from ..plan.tree import Law, Pin, nat_text, spine
from .state import layer, nat_of, row_items

_SHAPES = {p.item.name: (s, p.item.arity) for s, p in CONSTRUCTORS.items()}


def _split(v: object) -> tuple[str, list]:
    head, args = spine(layer(v))
    head = layer(head)
    if isinstance(head, Pin):
        item = layer(head.item)
        if isinstance(item, Law) and layer(item.body) == 0:
            found = _SHAPES.get(item.name)
            if found and found[1] == len(args) + 1:
                return found[0], args
    raise SireError("malformed rex: not a Rex constructor applied to its fields")


def _text(v: object, what: str) -> str:
    n = nat_of(v, f"the {what} of a rex")
    if n == 0:
        return ""
    s = nat_text(n)
    if s is None:
        raise SireError(f"malformed rex: the {what} is not UTF-8 text")
    return s


_UNREAD = object()  # a lazy field not decoded yet


class _LazyNode(Node):
    """A node decoded from a core value one layer at a time: the shape and
    rune are read at once, the sons and heir when first asked for. The
    value is kept (``encoded``), so giving the node back to a macro costs
    nothing: macros that rewrite their node and nest (``(% a (% b ..))``)
    stay linear instead of re-encoding and re-decoding the whole subtree at
    each level. A malformed part is reported when it is reached, as the
    reference's lazy decoding does."""

    __slots__ = ("encoded", "_sons_v", "_heir_v", "_sons", "_heir")

    @property
    def sons(self) -> tuple[Rex, ...]:  # type: ignore[override]
        if self._sons is _UNREAD:
            parts = row_items(self._sons_v, "the sons of a rex")
            object.__setattr__(self, "_sons", tuple(_lazy(p) for p in parts))
        return self._sons

    @property
    def heir(self) -> Optional[Rex]:  # type: ignore[override]
        if self._heir is _UNREAD:
            object.__setattr__(self, "_heir", _lazy_heir(self._heir_v))
        return self._heir


class _LazyLeaf(Leaf):
    """A leaf decoded from a core value; its heir is decoded when asked for."""

    __slots__ = ("encoded", "_heir_v", "_heir")

    @property
    def heir(self) -> Optional[Rex]:  # type: ignore[override]
        if self._heir is _UNREAD:
            object.__setattr__(self, "_heir", _lazy_heir(self._heir_v))
        return self._heir


def _fill(obj: object, **fields: object) -> object:
    for k, v in fields.items():
        object.__setattr__(obj, k, v)
    return obj


def _lazy_heir(v: object) -> Optional[Rex]:
    return None if layer(v) == 0 else _lazy(v)


def _lazy(value: object) -> Rex:
    """The top layer of the Rex a value encodes; the rest decodes on demand."""
    shape, args = _split(value)
    if shape == "EMBD":
        return Embed(args[0])
    if shape in ("WORD", "TEXT", "LINE"):
        return _fill(object.__new__(_LazyLeaf), shape=shape, text=_text(args[0], "text"),
                     span=None, encoded=value, _heir_v=args[1], _heir=_UNREAD)
    return _fill(object.__new__(_LazyNode), shape=shape, rune=_text(args[0], "rune"),
                 span=None, encoded=value, _sons_v=args[1], _heir_v=args[2],
                 _sons=_UNREAD, _heir=_UNREAD)


def rex_of_value(value: object) -> Rex:
    """The Rex tree a value encodes, decoded lazily (see :class:`_LazyNode`):
    the top layer is checked now, each deeper part when it is first read."""
    return _lazy(value)

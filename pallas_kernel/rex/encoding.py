"""Rex trees as PLAN values: the encoding Sire macros see.

Each constructor is a pinned law named ``##SHAPE`` whose body is ``0`` and
whose arity is one more than its number of fields, so an applied constructor
is an inert partial application:

    (EMBD value)              EMBD = <{"##EMBD" 2 0}>
    (WORD text heir)          WORD, TEXT, LINE: <{"##WORD" 3 0}>, ...
    (OPEN rune sons heir)     OPEN, NEST, INFX, PREF, SHUT: <{"##OPEN" 4 0}>, ...

``text`` and ``rune`` are nats spelling UTF-8 little-endian (``{}`` is 0),
``sons`` is a row and a missing heir is 0. Encoding walks with an explicit
stack and decoding goes one layer at a time, so a deep tree from a macro
is fine.
"""

from __future__ import annotations

from typing import Callable, Optional

from ..errors import MalformedRex
from ..plan.tree import App, Law, Pin, Tree, apps, nat_text, row, spine, text_nat
from ..plan.view import con_fields, layer, row_items
from .model import LEAF_SHAPES, NODE_SHAPES, Embed, Leaf, Node, Rex

#: the constructor pin of each shape
CONSTRUCTORS: dict[str, Pin] = {
    "EMBD": Pin(Law(text_nat("##EMBD"), 2, 0)),
    **{s: Pin(Law(text_nat("##" + s), 3, 0)) for s in LEAF_SHAPES},
    **{s: Pin(Law(text_nat("##" + s), 4, 0)) for s in NODE_SHAPES},
}
_SHAPE_OF_NAME = {p.item.name: (s, p.item.arity) for s, p in CONSTRUCTORS.items()}


def _children(r: Rex) -> list[Rex]:
    if isinstance(r, Node):
        kids = list(r.sons)
    else:
        kids = []
    heir = getattr(r, "heir", None)
    if heir is not None:
        kids.append(heir)
    return kids


def _children_first(rex: Rex, known_as: Callable[[object], object]) -> tuple[dict, list]:
    """The trees under rex (each once), children before their parents, and
    a table by id() already holding known_as(v) for each tree decoded from a
    value v (whose encoding that value is, so it is not walked)."""
    done: dict[int, object] = {}
    order: list[Rex] = []
    todo = [rex]
    while todo:  # pre-order; reversed below so that children come first
        r = todo.pop()
        if id(r) in done:
            continue
        known = getattr(r, "encoded", None)
        if known is not None:
            done[id(r)] = known_as(known)
            continue
        done[id(r)] = 0
        order.append(r)
        todo.extend(_children(r))
    order.reverse()
    return done, order


def to_plan(rex: Rex) -> Tree:
    """The PLAN tree of a Rex tree. A tree decoded from a value may say
    which value encodes it (an ``encoded`` attribute, as Sire's lazily
    decoded trees do, see :func:`from_plan`): that value is used as it is,
    without a walk."""
    done, order = _children_first(rex, lambda known: known)
    for r in order:
        if isinstance(r, Embed):
            done[id(r)] = App(CONSTRUCTORS["EMBD"], r.value)
            continue
        heir = 0 if r.heir is None else done[id(r.heir)]
        if isinstance(r, Leaf):
            done[id(r)] = apps(CONSTRUCTORS[r.shape], text_nat(r.text), heir)
        else:
            sons = row(*(done[id(s)] for s in r.sons))
            done[id(r)] = apps(CONSTRUCTORS[r.shape], text_nat(r.rune), sons, heir)
    return done[id(rex)]


_CON_VALUES: dict[str, object] = {}   # the constructor pins as core values, made once


def to_value(rex: Rex) -> object:
    """The core value of a Rex tree (what :func:`to_plan` spells, read as
    an expression), built by the core in one call (``_core.build``: tuples
    are rows, lists applications), with no tree object per node. Trees
    decoded from a value give that value back, as in :func:`to_plan`."""
    from .. import _core   # the core is loaded only by those who build values

    if not _CON_VALUES:
        _CON_VALUES.update({s: _core.from_tree(p).force() for s, p in CONSTRUCTORS.items()})
    done, order = _children_first(
        rex, lambda known: known if isinstance(known, (int, _core.Value)) else _core.from_tree(known))
    for r in order:
        if isinstance(r, Embed):
            v = r.value
            done[id(r)] = [_CON_VALUES["EMBD"], v if isinstance(v, (int, _core.Value)) else _core.from_tree(v)]
            continue
        heir = 0 if r.heir is None else done[id(r.heir)]
        if isinstance(r, Leaf):
            done[id(r)] = [_CON_VALUES[r.shape], text_nat(r.text), heir]
        else:
            done[id(r)] = [_CON_VALUES[r.shape], text_nat(r.rune),
                           tuple([done[id(x)] for x in r.sons]), heir]
    return _core.build(done[id(rex)])


# ----- decoding, one layer at a time ----------------------------------------------

def _split(value: object) -> tuple[str, list]:
    """(shape, fields) of an encoded tree's top layer."""
    fast = con_fields(value)  # a core value: taken apart by the core in one call
    if fast is not None:
        found = _SHAPE_OF_NAME.get(fast[0])
        if found and found[1] == len(fast[1]) + 1:
            return found[0], fast[1]
    head, args = spine(layer(value))
    head = layer(head)
    if isinstance(head, Pin):
        item = layer(head.item)
        if isinstance(item, Law) and layer(item.body) == 0:
            found = _SHAPE_OF_NAME.get(item.name)
            if found and found[1] == len(args) + 1:
                return found[0], args
    raise MalformedRex("malformed rex: not a Rex constructor applied to its fields")


def _text(value: object, what: str) -> str:
    """The text a nat spells (UTF-8, little-endian; 0 is empty)."""
    n = layer(value)
    if not isinstance(n, int):
        raise MalformedRex(f"malformed rex: the {what} is not a nat")
    if n == 0:
        return ""
    s = nat_text(n)
    if s is None:
        raise MalformedRex(f"malformed rex: the {what} is not UTF-8 text")
    return s


_UNREAD = object()  # a lazy field not decoded yet


class _LazyNode(Node):
    """A node decoded one layer at a time: the shape and rune are read at
    once, the sons and heir when first asked for. The value is kept
    (``encoded``), so :func:`to_plan` gives it back without a walk: macros
    that rewrite their node and nest (``(% a (% b ..))``) stay linear
    instead of re-encoding and re-decoding the whole subtree at each level.
    A malformed part raises :class:`MalformedRex` when it is reached, as
    the reference's lazy decoding fails."""

    __slots__ = ("encoded", "_sons_v", "_heir_v", "_sons", "_heir")

    @property
    def sons(self) -> tuple[Rex, ...]:  # type: ignore[override]
        if self._sons is _UNREAD:
            parts = row_items(self._sons_v)
            if parts is None:
                raise MalformedRex("malformed rex: the sons of a node are not a row")
            object.__setattr__(self, "_sons", tuple(_lazy(p) for p in parts))
        return self._sons

    @property
    def heir(self) -> Optional[Rex]:  # type: ignore[override]
        if self._heir is _UNREAD:
            object.__setattr__(self, "_heir", _lazy_heir(self._heir_v))
        return self._heir


class _LazyLeaf(Leaf):
    """A leaf decoded one layer at a time; its heir is decoded when asked for."""

    __slots__ = ("encoded", "_heir_v", "_heir")

    @property
    def heir(self) -> Optional[Rex]:  # type: ignore[override]
        if self._heir is _UNREAD:
            object.__setattr__(self, "_heir", _lazy_heir(self._heir_v))
        return self._heir


def _lazy_heir(value: object) -> Optional[Rex]:
    """The heir a field encodes: none for 0, else a lazily decoded tree."""
    if isinstance(value, int):  # a field the core gave as a nat
        return None if value == 0 else _lazy(value)
    return None if layer(value) == 0 else _lazy(value)


_set = object.__setattr__
_TEXTS: dict[int, str] = {}   # rune and word nats met before, decoded once (bounded)


def _text_of(n: object, what: str) -> str:
    """:func:`_text` through a small cache of the texts met before."""
    if isinstance(n, int):
        hit = _TEXTS.get(n)
        if hit is not None:
            return hit
        s = _text(n, what)
        if len(_TEXTS) < 4096:
            _TEXTS[n] = s
        return s
    return _text(n, what)


def _lazy(value: object) -> Rex:
    """The top layer of the Rex a value encodes; the rest decodes on demand."""
    shape, args = _split(value)
    if shape == "EMBD":
        return Embed(args[0])
    if shape in LEAF_SHAPES:
        leaf = object.__new__(_LazyLeaf)
        _set(leaf, "shape", shape)
        _set(leaf, "text", _text_of(args[0], "text"))
        _set(leaf, "span", None)
        _set(leaf, "encoded", value)
        _set(leaf, "_heir_v", args[1])
        _set(leaf, "_heir", _UNREAD)
        return leaf
    node = object.__new__(_LazyNode)
    _set(node, "shape", shape)
    _set(node, "rune", _text_of(args[0], "rune"))
    _set(node, "span", None)
    _set(node, "encoded", value)
    _set(node, "_sons_v", args[1])
    _set(node, "_heir_v", args[2])
    _set(node, "_sons", _UNREAD)
    _set(node, "_heir", _UNREAD)
    return node


def from_plan(value: object, whole: bool = False) -> Rex:
    """The Rex tree a PLAN tree or core value encodes.

    The tree is decoded lazily (see :class:`_LazyNode`): the top layer is
    checked now, each deeper part when it is first read, and embedded
    values stay what they were (core values stay core values). With
    ``whole``, every part is decoded now, so a malformed part anywhere
    raises :class:`MalformedRex` here.
    """
    rex = _lazy(value)
    if whole:
        todo = [rex]
        while todo:
            r = todo.pop()
            todo.extend(_children(r))
    return rex

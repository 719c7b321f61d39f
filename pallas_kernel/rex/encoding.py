"""Rex trees as PLAN values: the encoding Sire macros see.

Each constructor is a pinned law named ``##SHAPE`` whose body is ``0`` and
whose arity is one more than its number of fields, so an applied constructor
is an inert partial application:

    (EMBD value)              EMBD = <{"##EMBD" 2 0}>
    (WORD text heir)          WORD, TEXT, LINE: <{"##WORD" 3 0}>, ...
    (OPEN rune sons heir)     OPEN, NEST, INFX, PREF, SHUT: <{"##OPEN" 4 0}>, ...

``text`` and ``rune`` are nats spelling UTF-8 little-endian (``{}`` is 0),
``sons`` is a row and a missing heir is 0. Both directions walk with an
explicit stack, so a deep tree from a macro is fine.
"""

from __future__ import annotations

from typing import Optional

from ..errors import MalformedRex
from ..plan.tree import App, Law, Pin, Tree, apps, nat_text, row, spine, text_nat
from ..plan.view import row_items
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


def to_plan(rex: Rex) -> Tree:
    """The PLAN tree of a Rex tree. A tree decoded from a value may say
    which value encodes it (an ``encoded`` attribute, as Sire's lazily
    decoded trees do): that value is used as it is, without a walk."""
    done: dict[int, Tree] = {}
    order: list[Rex] = []
    todo = [rex]
    while todo:  # pre-order; built in reverse so children come first
        r = todo.pop()
        if id(r) in done:
            continue
        known = getattr(r, "encoded", None)
        if known is not None:  # decoded from a value: that value is its encoding
            done[id(r)] = known
            continue
        done[id(r)] = 0
        order.append(r)
        todo.extend(_children(r))
    for r in reversed(order):
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


def _text(n: Tree, what: str) -> str:
    if not isinstance(n, int):
        raise MalformedRex(f"malformed rex: the {what} is not a nat")
    if n == 0:
        return ""
    s = nat_text(n)
    if s is None:
        raise MalformedRex(f"malformed rex: the {what} is not UTF-8 text")
    return s


def _sons(t: Tree) -> list[Tree]:
    """The sons of an encoded node (a row)."""
    items = row_items(t)
    if items is None:
        raise MalformedRex("malformed rex: the sons are not a row")
    return items


def _split(t: Tree) -> tuple[str, list[Tree]]:
    """(shape, fields) of an encoded node; raises MalformedRex otherwise."""
    if hasattr(t, "to_tree"):
        t = t.to_tree()
    head, args = spine(t)
    if isinstance(head, Pin) and isinstance(head.item, Law) and head.item.body == 0:
        found = _SHAPE_OF_NAME.get(head.item.name)
        if found and found[1] == len(args) + 1:
            return found[0], args
    raise MalformedRex("malformed rex: not a Rex constructor applied to its fields")


def from_plan(value: Tree) -> Rex:
    """The Rex tree a PLAN tree (or core value) encodes."""
    if hasattr(value, "to_tree"):
        value = value.to_tree()
    built: dict[int, Rex] = {}
    todo: list[tuple[Tree, bool]] = [(value, False)]
    while todo:
        t, ready = todo.pop()
        if id(t) in built and not ready:
            continue
        shape, args = _split(t)
        if shape == "EMBD":
            built[id(t)] = Embed(args[0])
            continue
        kids = [] if shape in LEAF_SHAPES else _sons(args[1])
        heir_t = args[-1]
        parts = kids + ([heir_t] if heir_t != 0 else [])
        if not ready:
            todo.append((t, True))
            todo.extend((k, False) for k in parts if id(k) not in built)
            continue
        heir: Optional[Rex] = None if heir_t == 0 else built[id(heir_t)]
        if shape in LEAF_SHAPES:
            built[id(t)] = Leaf(shape, _text(args[0], "text"), heir)
        else:
            sons = tuple(built[id(k)] for k in kids)
            built[id(t)] = Node(shape, _text(args[0], "rune"), sons, heir)
    return built[id(value)]

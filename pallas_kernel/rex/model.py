"""The Rex data model: the trees the reader builds and Sire macros consume.

A Rex tree is a :class:`Node` (a rune with sons and an optional heir), a
:class:`Leaf` (a word or a string with an optional heir) or an :class:`Embed`
(a foreign PLAN value, made only by macros). The shapes say how a node was
written, because Sire macros see them:

========  =====================================  ===========
shape     written as                             sons
========  =====================================  ===========
OPEN      a rune followed by space, in layout    any number
NEST      ``(r a b)``, ``(a b)``, ``()``, ``[a]``  any number
INFX      ``(a r b r c)``                        two or more
PREF      ``r`` + clump, e.g. ``-x``             exactly one
SHUT      ``a r b r c`` with no spaces           two or more
WORD      a run of word characters               (leaf)
TEXT      ``{..}``, ``".."`` or ``}X..X``        (leaf)
LINE      ``} ..`` to the end of the line        (leaf)
========  =====================================  ===========

The *heir* is a single trailing tree: what follows a closed form with no
space (``f(x)``), a later rune at the same column, or the next line of a
line string. Every tree made by the reader carries a :class:`Span` (file,
line, column of its first byte); equality ignores spans.

Trees from macros may be deep, so :func:`equal` walks with an explicit stack
and the classes have no structural ``__eq__``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Optional, Union

from .. import _core

NODE_SHAPES = ("OPEN", "NEST", "INFX", "PREF", "SHUT")
LEAF_SHAPES = ("WORD", "TEXT", "LINE")

WORD_CHARS = frozenset("_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
RUNE_CHARS = frozenset("$!#%&*+,-./:<=>?@\\^`'|~")


class Span(NamedTuple):
    """Where a tree starts: file name, line (from 1) and column (from 1, in
    bytes of the UTF-8 line, as the reference counts them), and the bytes
    of that source line (shared with the reader's line, so it costs a
    pointer), for messages that show the code as written. A named tuple
    because the reader makes one per node and tuples are cheap to build."""

    file: str
    line: int
    column: int
    source: bytes = b""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def __repr__(self) -> str:
        return f"Span({self.file!r}, {self.line}, {self.column})"


def make_span(file: str, line: int, column: int, source: bytes = b"") -> Span:
    """A Span built without the named tuple's Python-level constructor (the
    reader makes one per node, so this is on its hot path)."""
    return new_span(Span, file, line, column, source)


def _tuple_span(cls: type, file: str, line: int, column: int, source: bytes) -> Span:
    return _tuple_new(cls, (file, line, column, source))


_tuple_new = tuple.__new__

#: ``new_span(Span, file, line, column, source)``: the C core's maker of a
#: tuple subclass instance that the cycle collector skips (a Span holds only
#: a str, ints and bytes, so it can be in no cycle). Python tracks every
#: named tuple, and the reader keeps one Span per tree node, so tracked spans
#: were a fifth of the reader's time in collections. A core built before
#: untracked_tuple existed gives plain (tracked) spans: the same values.
new_span = getattr(_core, "untracked_tuple", _tuple_span)

#: ``untrack_acyclic(x)``: x, left out of the cycle collector when nothing it
#: refers to is tracked (the C core). The reader's trees are frozen and built
#: leaves first, so a whole tree of words and strings ends up untracked, and
#: the trees of a large file cost the collector nothing (Python keeps every
#: object of a Python class tracked: the collections that walked them took
#: about a third of the reading time). Only for objects that never change.
untrack_acyclic = getattr(_core, "untrack_acyclic", lambda x: x)


@dataclass(frozen=True, slots=True, eq=False)
class Node:
    """A rune node: ``shape`` is one of :data:`NODE_SHAPES`."""

    shape: str
    rune: str
    sons: tuple["Rex", ...]
    heir: Optional["Rex"] = None
    span: Optional[Span] = None


@dataclass(frozen=True, slots=True, eq=False)
class Leaf:
    """A word or string: ``shape`` is one of :data:`LEAF_SHAPES`."""

    shape: str
    text: str
    heir: Optional["Rex"] = None
    span: Optional[Span] = None


@dataclass(frozen=True, slots=True, eq=False)
class Embed:
    """A PLAN value embedded in a tree (the quote macro makes these); ``value``
    is a :mod:`pallas_kernel.plan.tree` tree."""

    value: object
    span: Optional[Span] = None


Rex = Union[Node, Leaf, Embed]

# The reader makes a Node or Leaf per element of the source. The frozen
# dataclass __init__ sets each field through object.__setattr__; setting the
# slots through their descriptors gives the same object in half the time.
_object_new = object.__new__
_node_shape, _node_rune, _node_sons, _node_heir, _node_span = (
    Node.shape.__set__, Node.rune.__set__, Node.sons.__set__, Node.heir.__set__, Node.span.__set__)
_leaf_shape, _leaf_text, _leaf_heir, _leaf_span = (
    Leaf.shape.__set__, Leaf.text.__set__, Leaf.heir.__set__, Leaf.span.__set__)


def make_node(shape: str, rune: str, sons: tuple[Rex, ...], heir: Optional[Rex], span: Optional[Span]) -> Node:
    """``Node(shape, rune, sons, heir, span)``, built faster (the reader's
    hot path) and left out of the cycle collector (see untrack_acyclic)."""
    x = _object_new(Node)
    _node_shape(x, shape)
    _node_rune(x, rune)
    _node_sons(x, untrack_acyclic(sons))
    _node_heir(x, heir)
    _node_span(x, span)
    return untrack_acyclic(x)


def make_leaf(shape: str, text: str, heir: Optional[Rex], span: Optional[Span]) -> Leaf:
    """``Leaf(shape, text, heir, span)``, built faster (the reader's hot
    path) and left out of the cycle collector (see untrack_acyclic)."""
    x = _object_new(Leaf)
    _leaf_shape(x, shape)
    _leaf_text(x, text)
    _leaf_heir(x, heir)
    _leaf_span(x, span)
    return untrack_acyclic(x)


def word(text: str, heir: Optional[Rex] = None) -> Leaf:
    """A WORD leaf."""
    return Leaf("WORD", text, heir)


def node(shape: str, rune: str, sons: list[Rex] | tuple[Rex, ...] = (), heir: Optional[Rex] = None) -> Node:
    """A node of the given shape (sons as a tuple)."""
    return Node(shape, rune, tuple(sons), heir)


def with_heir(rex: Rex, heir: Optional[Rex]) -> Rex:
    """The same tree with its heir replaced (an Embed takes no heir)."""
    if isinstance(rex, Node):
        return Node(rex.shape, rex.rune, rex.sons, heir, rex.span)
    if isinstance(rex, Leaf):
        return Leaf(rex.shape, rex.text, heir, rex.span)
    raise TypeError("an embedded value has no heir")


def add_heir(rex: Rex, last: Rex) -> Rex:
    """Attach ``last`` at the end of ``rex``'s heir chain (juxtaposition:
    ``a b c`` written together is ``a`` with heir ``b`` with heir ``c``)."""
    chain = []
    cur: Optional[Rex] = rex
    while cur is not None:
        chain.append(cur)
        cur = cur.heir if not isinstance(cur, Embed) else None
    out = last
    for r in reversed(chain):
        out = with_heir(r, out)
    return out


def _kind(rex: object) -> type:
    """The model class of a tree (a tree decoded lazily from PLAN is a
    subclass of :class:`Node` or :class:`Leaf`, and equal to a plain one)."""
    for cls in (Node, Leaf, Embed):
        if isinstance(rex, cls):
            return cls
    return type(rex)


def equal(a: Optional[Rex], b: Optional[Rex]) -> bool:
    """Structural equality, shapes included and spans ignored, without recursion."""
    from ..plan.tree import equal as tree_equal

    todo = [(a, b)]
    while todo:
        x, y = todo.pop()
        if x is y:
            continue
        if x is None or y is None or _kind(x) is not _kind(y):
            return False
        if isinstance(x, Embed):
            if not tree_equal(x.value, y.value):
                return False
            continue
        if isinstance(x, Leaf):
            if x.shape != y.shape or x.text != y.text:
                return False
        else:
            if x.shape != y.shape or x.rune != y.rune or len(x.sons) != len(y.sons):
                return False
            todo.extend(zip(x.sons, y.sons))
        todo.append((x.heir, y.heir))
    return True


def describe(rex: Optional[Rex]) -> str:
    """A debugging form that shows every shape: ``OPEN(=)[WORD(x)]+heir``.
    Used in test failure messages; spans are left out."""
    out: list[str] = []
    todo: list[object] = [rex]
    while todo:
        x = todo.pop()
        if isinstance(x, str):
            out.append(x)
        elif x is None:
            out.append("_")
        elif isinstance(x, Embed):
            out.append(f"EMBD({x.value!r})")
        elif isinstance(x, Leaf):
            out.append(f"{x.shape}({x.text!r})")
            if x.heir is not None:
                todo.extend([x.heir, "+"])
        else:
            out.append(f"{x.shape}({x.rune})[")
            tail: list[object] = ["]"]
            if x.heir is not None:
                tail = ["]", "+", x.heir]
            todo.extend(reversed([*_interleave(x.sons), *tail]))
    return "".join(out)


def _interleave(sons: tuple[Rex, ...]) -> list[object]:
    """Sons separated by commas, for :func:`describe`."""
    items: list[object] = []
    for k, s in enumerate(sons):
        if k:
            items.append(",")
        items.append(s)
    return items

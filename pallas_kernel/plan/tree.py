"""Plain PLAN trees: the neutral form of a PLAN value in Python.

A tree is an ``int`` (a nat), a :class:`Pin`, a :class:`Law` or an :class:`App`.
It is what crosses module boundaries in Python: the notation reader makes
trees, the printer and the seed codec consume them, the pure-Python oracle
evaluates them, and the C core converts to and from them
(``_core.from_tree`` / ``Value.to_tree``).

A tree read as an *expression* means: ``App`` applies lazily, ``Law(n, a, b)``
is ``(0 n a b)`` and ``Pin(x)`` is ``(4 x)``. A tree produced from a value in
normal form has no saturated applications, so reading it back gives the same
value.

Trees may share subtrees (a DAG) and may be a million levels deep, so every
function here walks with an explicit stack; there is no structural ``__eq__``
(it would recurse) and :func:`equal` is the comparison to use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True, slots=True, eq=False)
class Pin:
    """``<item>``: a pinned value."""

    item: "Tree"


@dataclass(frozen=True, slots=True, eq=False)
class Law:
    """``{name arity body}``: a function of ``arity`` arguments."""

    name: int
    arity: int
    body: "Tree"


@dataclass(frozen=True, slots=True, eq=False)
class App:
    """``(fun arg)``: one application; ``(f x y)`` is ``App(App(f, x), y)``."""

    fun: "Tree"
    arg: "Tree"


Tree = Union[int, Pin, Law, App]


def apps(head: Tree, *args: Tree) -> Tree:
    """``(head a1 ... an)`` as nested :class:`App` nodes."""
    for a in args:
        head = App(head, a)
    return head


def spine(t: Tree) -> tuple[Tree, list[Tree]]:
    """Split ``(f a1 ... an)`` into its head ``f`` (not an App) and its arguments."""
    args = []
    while isinstance(t, App):
        args.append(t.arg)
        t = t.fun
    args.reverse()
    return t, args


def text_nat(text: str) -> int:
    """The nat whose little-endian bytes are the UTF-8 of ``text`` (how names are stored)."""
    return int.from_bytes(text.encode("utf-8"), "little")


def nat_text(n: int) -> str | None:
    """The UTF-8 text a nat spells (little-endian), or None if it is not valid UTF-8."""
    if n <= 0:
        return None
    try:
        return n.to_bytes((n.bit_length() + 7) // 8, "little").decode("utf-8")
    except UnicodeDecodeError:
        return None


def row(*items: Tree) -> Tree:
    """The row ``[x0 x1 ...]``: ``({0 n+1 0} x[n-1] ... x0)``."""
    return apps(Law(0, len(items) + 1, 0), *reversed(items))


def equal(a: Tree, b: Tree) -> bool:
    """Structural equality of two trees, without recursion."""
    todo = [(a, b)]
    seen: set[tuple[int, int]] = set()
    while todo:
        x, y = todo.pop()
        if x is y:
            continue
        if isinstance(x, int) or isinstance(y, int):
            if not (isinstance(x, int) and isinstance(y, int) and x == y):
                return False
            continue
        key = (id(x), id(y))
        if key in seen:
            continue
        seen.add(key)
        if type(x) is not type(y):
            return False
        if isinstance(x, Pin):
            todo.append((x.item, y.item))
        elif isinstance(x, Law):
            if x.name != y.name or x.arity != y.arity:
                return False
            todo.append((x.body, y.body))
        else:
            todo.append((x.fun, y.fun))
            todo.append((x.arg, y.arg))
    return True

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
from ..tree import Law, Pin, nat_text, spine
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


def rex_of_value(value: object) -> Rex:
    """The Rex tree a value encodes (explicit stack)."""
    built: list[Rex] = []
    todo: list[tuple[object, Optional[tuple]]] = [(value, None)]
    while todo:
        v, plan = todo.pop()
        if plan is not None:  # all parts are built: assemble
            shape, text, nsons, has_heir = plan
            heir = built.pop() if has_heir else None
            sons = tuple(built[len(built) - nsons:]) if nsons else ()
            del built[len(built) - nsons:]
            if shape in ("WORD", "TEXT", "LINE"):
                built.append(Leaf(shape, text, heir))
            else:
                built.append(Node(shape, text, sons, heir))
            continue
        shape, args = _split(v)
        if shape == "EMBD":
            built.append(Embed(args[0]))
            continue
        heir_v = args[-1]
        has_heir = layer(heir_v) != 0
        if shape in ("WORD", "TEXT", "LINE"):
            parts = []
            text = _text(args[0], "text")
        else:
            parts = row_items(args[1], "the sons of a rex")
            text = _text(args[0], "rune")
        todo.append((None, (shape, text, len(parts), has_heir)))
        if has_heir:
            todo.append((heir_v, None))
        todo.extend((p, None) for p in reversed(parts))
    return built[0]

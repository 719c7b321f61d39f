"""The pin DAG of a value, drawn as SVG (the ``)dag`` magic, or any caller).

A PLAN value shares structure through pins: a pin is stored (and hashed)
once, and a pin's item names its *sub-pins*. :func:`pin_dag` walks that
graph from a value: a pin value is the one root, any other value has as
roots the pins it holds directly. Each pin is a node with

* a label: the name it is bound to in scope (when ``names`` are given),
  else the name of the law it holds, else its short hash (base58);
* a size: the bytes of its germ body (``plan.save_germ(pin)``: its item's
  seed with its sub-pins as holes), what storing this pin on its own costs;
* edges to its direct sub-pins, in the order the germ lists them.

The walk is breadth first with an explicit queue (no recursion), visits each
pin once (by hash) and stops adding nodes after ``limit`` of them: the
drawing then says how many pins it left out.

:func:`dag_svg` draws it with a layout written here, no graphviz: nodes in
columns by depth (the shortest path from a root), left to right; a column
of more than :data:`COLUMN_ROWS` nodes wraps into several; within a column,
nodes in the order the walk met them. Circles have an area proportional to
the size (relative to the largest). The output has no random ids, so the
same value always gives the same SVG.
"""

from __future__ import annotations

import html
import math
from collections import deque
from dataclasses import dataclass, field
from typing import Optional, Union

from .. import plan
from ..plan import Value, base58
from ..plan.tree import Law, nat_text
from ..plan.view import nat_of
from ..sire.show import Names

__all__ = ["DagNode", "PinDag", "pin_dag", "dag_svg", "MAX_NODES"]

#: nodes drawn at most
MAX_NODES = 200
#: nodes in one column before a depth wraps into another column
COLUMN_ROWS = 40
#: geometry (pixels)
COLUMN_WIDTH = 180
ROW_HEIGHT = 44
MARGIN = 24
MIN_RADIUS, MAX_RADIUS = 5.0, 19.0
#: characters of a label drawn (the full one is in the node's title)
LABEL_CHARS = 18


@dataclass
class DagNode:
    """One pin: its hash, label, germ body size, depth and sub-pins (as
    indices into :attr:`PinDag.nodes`, only those drawn)."""

    hash: bytes
    label: str
    size: int
    depth: int
    refs: list[int] = field(default_factory=list)

    @property
    def short(self) -> str:
        return base58.encode(self.hash)[:8]


@dataclass
class PinDag:
    """The nodes in the order the walk met them, and how many pins were
    met but left out (past the limit)."""

    nodes: list[DagNode]
    left_out: int = 0


def pin_dag(value: Union[Value, int], names: Optional[Names] = None,
            limit: int = MAX_NODES) -> PinDag:
    """The pins reachable from ``value`` (see the module text)."""
    if isinstance(value, int) or value.kind == "nat":
        return PinDag([])
    roots = [value] if value.kind == "pin" else plan.save_germ(plan.pin(value))[0]
    index: dict[bytes, int] = {}
    nodes: list[DagNode] = []
    pins: list[Value] = []
    missed: set[bytes] = set()
    queue: deque[int] = deque()

    def admit(pin: Value, depth: int) -> Optional[int]:
        h = pin.pin_hash()
        if h in index:
            return index[h]
        if len(nodes) >= limit:
            missed.add(h)
            return None
        index[h] = len(nodes)
        nodes.append(DagNode(h, _label(pin, names), 0, depth))
        pins.append(pin)
        queue.append(index[h])
        return index[h]

    for root in roots:
        admit(root, 0)
    while queue:
        i = queue.popleft()
        refs, body = plan.save_germ(pins[i])
        nodes[i].size = len(body)
        for ref in refs:
            j = admit(ref, nodes[i].depth + 1)
            if j is not None and j not in nodes[i].refs:
                nodes[i].refs.append(j)
    return PinDag(nodes, len(missed))


def _label(pin: Value, names: Optional[Names]) -> str:
    """A pin's name in scope, else its law's name, else its short hash."""
    if names is not None:
        bound = names.pin_name(pin)
        if bound:
            return bound
    item = plan.pin_item(pin)
    if item.kind == "law":
        t = item.layer()
        if isinstance(t, Law):
            text = nat_text(nat_of(t.name) or 0)
            if text and text.isprintable():
                return text
    return "#" + base58.encode(pin.pin_hash())[:8]


# ----- drawing ------------------------------------------------------------------------


def dag_svg(value: Union[Value, int], names: Optional[Names] = None,
            limit: int = MAX_NODES) -> str:
    """The pin DAG of ``value`` as a standalone SVG document (see the module
    text); one ``<g class="pin">`` per pin drawn."""
    return draw(pin_dag(value, names, limit), limit)


def draw(dag: PinDag, limit: int = MAX_NODES) -> str:
    """An SVG of a :class:`PinDag`."""
    places = _layout(dag.nodes)
    biggest = max((n.size for n in dag.nodes), default=1) or 1
    radii = [MIN_RADIUS + (MAX_RADIUS - MIN_RADIUS) * math.sqrt(n.size / biggest) for n in dag.nodes]
    notes = _notes(dag, limit)
    width = max((x for x, _ in places), default=0) + COLUMN_WIDTH + MARGIN
    height = max((y for _, y in places), default=0) + ROW_HEIGHT + MARGIN + 16 * len(notes)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="pk-dag" width="{width}" '
           f'height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" '
           f'font-size="11">']
    out.append('<g class="edges" stroke="#999" stroke-width="1" fill="none">')
    for i, n in enumerate(dag.nodes):
        for j in n.refs:
            out.append(_edge(places[i], radii[i], places[j], radii[j]))
    out.append("</g>")
    for i, n in enumerate(dag.nodes):
        out.append(_node(n, places[i], radii[i]))
    for k, note in enumerate(notes):
        y = height - MARGIN // 2 - 16 * (len(notes) - 1 - k)
        out.append(f'<text class="note" x="{MARGIN}" y="{y}" fill="#a33">{_esc(note)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _notes(dag: PinDag, limit: int) -> list[str]:
    if not dag.nodes:
        return ["no pins: the value holds none"]
    total = sum(n.size for n in dag.nodes)
    notes = [f"{len(dag.nodes)} pins, {total:,} bytes of germ bodies"]
    if dag.left_out:
        notes.append(f"cut at {limit} pins: {dag.left_out} more reached from these not shown"
                     " (and what they reach)")
    return notes


def _layout(nodes: list[DagNode]) -> list[tuple[int, int]]:
    """The centre of each node: a column per depth (wrapping every
    COLUMN_ROWS nodes), rows in the order of the walk."""
    by_depth: dict[int, list[int]] = {}
    for i, n in enumerate(nodes):
        by_depth.setdefault(n.depth, []).append(i)
    places: list[tuple[int, int]] = [(0, 0)] * len(nodes)
    column = 0
    for depth in sorted(by_depth):
        members = by_depth[depth]
        for k, i in enumerate(members):
            col, row = column + k // COLUMN_ROWS, k % COLUMN_ROWS
            places[i] = (MARGIN + int(MAX_RADIUS) + col * COLUMN_WIDTH,
                         MARGIN + int(MAX_RADIUS) + row * ROW_HEIGHT)
        column += (len(members) + COLUMN_ROWS - 1) // COLUMN_ROWS
    return places


def _edge(a: tuple[int, int], ra: float, b: tuple[int, int], rb: float) -> str:
    """A line from circle a's rim to circle b's rim, with a small head at b."""
    (x1, y1), (x2, y2) = a, b
    dx, dy = x2 - x1, y2 - y1
    d = math.hypot(dx, dy) or 1.0
    ux, uy = dx / d, dy / d
    sx, sy, ex, ey = x1 + ux * ra, y1 + uy * ra, x2 - ux * rb, y2 - uy * rb
    # the head: two short strokes back from the end, 25 degrees either side
    hx1 = ex - 6 * (ux * 0.906 - uy * 0.423)
    hy1 = ey - 6 * (uy * 0.906 + ux * 0.423)
    hx2 = ex - 6 * (ux * 0.906 + uy * 0.423)
    hy2 = ey - 6 * (uy * 0.906 - ux * 0.423)
    return (f'<path d="M{sx:.1f},{sy:.1f} L{ex:.1f},{ey:.1f} '
            f'M{hx1:.1f},{hy1:.1f} L{ex:.1f},{ey:.1f} L{hx2:.1f},{hy2:.1f}"/>')


def _node(n: DagNode, at: tuple[int, int], r: float) -> str:
    x, y = at
    label = n.label if len(n.label) <= LABEL_CHARS else n.label[:LABEL_CHARS - 1] + "…"
    title = f"{n.label} · {base58.encode(n.hash)} · {n.size:,} bytes"
    named = not n.label.startswith("#")
    fill = "#cfe3f7" if named else "#eee"
    return (f'<g class="pin"><title>{_esc(title)}</title>'
            f'<circle cx="{x}" cy="{y}" r="{r:.1f}" fill="{fill}" stroke="#467"/>'
            f'<text x="{x + r + 4:.1f}" y="{y + 4}">{_esc(label)}</text></g>')


def _esc(s: str) -> str:
    return html.escape(s, quote=True)

"""Rich display of PLAN values: ``text/plain`` in Sire notation and ``text/html``.

The plain form is :func:`pallas_kernel.sire.show.show_value` (what the REPL
prints). The HTML form is what a person would rather look at:

* a nat: its number, and its text (a name or UTF-8 text, when it spells one)
  and hex (for nats of 256 and more); huge ones shortened with a marker;
* a pin: its name (when bound in scope) or "pin", a short hash (the whole
  hash on hover), "jet" when a native jet is attached, and its item in a
  ``<details>`` that opens on a click;
* a law: ``name arity`` (and the name it is bound to), its body as Sire;
* rows, tabs and sets: tables, nested ones in ``<details>`` (closed), at
  most :data:`MAX_ITEMS` entries each (a last row says how many more);
* bars: their text (when they are printable UTF-8) and hex;
* anything else (closures, partial applications): as Sire, as written.

Bounds: nesting past :data:`MAX_DEPTH` prints as (shortened) Sire text; once
the output passes ``limit`` characters nothing more is opened and a marker
at the end says how many parts were left out, so the output stays within
``limit`` plus what closes the elements already open. The walk uses an
explicit stack (no Python recursion on the value's depth) and evaluates
only what it shows. The output has no ids, counters or addresses: the same
value always gives the same HTML, so notebooks diff cleanly.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Optional, Union

from ..errors import PallasError
from ..plan import Value, base58
from ..plan.notation import decimal_text
from ..plan.tree import Law, nat_text
from ..plan.view import nat_of, row_items, tab_items
from ..sire.show import Names, nat_form, show_value

__all__ = ["mime_bundle", "to_html", "MAX_ITEMS", "MAX_DEPTH", "HTML_LIMIT", "STYLE"]

#: entries shown per row, tab or set
MAX_ITEMS = 50
#: levels of structure opened before the rest prints as Sire text
MAX_DEPTH = 8
#: characters of HTML after which nothing more is opened
HTML_LIMIT = 40_000
#: characters of Sire text for a leaf shown as text (law bodies, closures)
TEXT_LIMIT = 1_000
#: characters of a nat's text or digits, bytes of a bar's hex
SHORT = 120
#: nats wider than this many bits show no decimal digits (converting is slow)
DIGIT_BITS = 1 << 20

STYLE = ("<style>.pk-value table{border-collapse:collapse;margin:2px 0}"
         ".pk-value td,.pk-value th{border:1px solid #ccc;padding:1px 6px;text-align:left;"
         "vertical-align:top}.pk-value th{background:#f3f3f3}"
         ".pk-alt{color:#777;margin-left:.8em}.pk-hash{color:#555}"
         ".pk-cut{color:#a33;font-style:italic}.pk-jet{color:#2a7;margin-left:.5em}"
         ".pk-value pre{margin:2px 0}</style>")

Valueish = Union[Value, int]


def mime_bundle(value: Valueish, names: Optional[Names] = None, text_limit: int = 4000,
                html_limit: int = HTML_LIMIT) -> dict[str, str]:
    """The ``text/plain`` and ``text/html`` forms of a value."""
    return {"text/plain": show_value(value, names, text_limit),
            "text/html": to_html(value, names, html_limit)}


def to_html(value: Valueish, names: Optional[Names] = None, limit: int = HTML_LIMIT) -> str:
    """The value as bounded, deterministic HTML (see the module text)."""
    return _Renderer(names or Names(), limit).run(value)


# ----- the walk ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Node:
    """A value still to render, at a nesting depth."""

    value: Valueish
    depth: int


@dataclass(frozen=True, slots=True)
class _Part:
    """An entry of a structure: its opening HTML, its value, its closing
    HTML. Skipped whole once the output is over its limit."""

    opener: str
    node: Optional[_Node]
    closer: str


class _Renderer:
    """Renders a value with an explicit stack of strings, nodes and parts."""

    def __init__(self, names: Names, limit: int):
        self.names = names
        self.limit = limit
        self.out: list[str] = []
        self.size = 0
        self.skipped = 0

    def run(self, value: Valueish) -> str:
        stack: list[Union[str, _Node, _Part]] = [_Node(value, 0)]
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                self.emit(item)
            elif isinstance(item, _Part):
                if self.size > self.limit:
                    self.skipped += 1
                    continue
                self.emit(item.opener)
                stack.append(item.closer)
                if item.node is not None:
                    stack.append(item.node)
            elif self.size > self.limit:
                self.skipped += 1
            else:
                stack.extend(reversed(self.node(item)))
        if self.skipped:
            self.emit(f'<div class="pk-cut">… output cut at {self.limit:,} characters: '
                      f'{_plural(self.skipped, "part")} not shown</div>')
        return f'{STYLE}<div class="pk-value">{"".join(self.out)}</div>'

    def emit(self, s: str) -> None:
        self.out.append(s)
        self.size += len(s)

    def node(self, n: _Node) -> list:
        """One value opened one layer: strings, and parts for its entries."""
        try:
            return self._node(n)
        except PallasError as e:  # a crash met while evaluating a part shown
            return [f'<span class="pk-cut">crash while showing this part: {_esc(str(e), SHORT)}</span>']

    def _node(self, n: _Node) -> list:
        v = n.value
        if isinstance(v, Value) and v.kind == "nat":
            v = int(v)
        if isinstance(v, int):
            return [nat_html(v)]
        if n.depth >= MAX_DEPTH:
            return [self.code(v, SHORT * 2)]
        kind, shape = v.kind, v.shape
        if kind == "pin":
            return self.pin(v, n.depth)
        if shape == "row":
            return self.table("row", row_items(v) or [], n.depth, index=True)
        if shape == "set":
            return self.table("set", row_items(v.layer().body) or [], n.depth)
        if shape == "tab":
            pairs = tab_items(v)
            if pairs is not None:
                return self.tab(pairs, n.depth)
        if shape == "bar":
            return [bar_html(v)]
        if kind == "law":
            return self.law(v, n.depth)
        return [self.code(v, TEXT_LIMIT)]

    # ----- kinds -----------------------------------------------------------------------

    def pin(self, v: Value, depth: int) -> list:
        full = base58.encode(v.pin_hash())
        name = self.names.pin_name(v)
        label = f"<b>{_esc(name)}</b>" if name else "pin"
        jet = '<span class="pk-jet">jet</span>' if v.has_jet else ""
        summary = (f'<summary>{label} <code class="pk-hash" title="{full}">#{full[:8]}</code>'
                   f"{jet}</summary>")
        item = v.layer().item
        return [_Part(f'<details class="pk-pin">{summary}', _Node(item, depth + 1), "</details>")]

    def law(self, v: Value, depth: int) -> list:
        t = v.layer()
        assert isinstance(t, Law)
        name = nat_of(t.name)
        title = _esc(_name_of(name) if name is not None else "?")
        bound = self.names.law_name(v, t) if v.shape == "" else None
        also = f' <span class="pk-alt">bound as {_esc(bound)}</span>' if bound else ""
        body = show_value(t.body, self.names, TEXT_LIMIT)
        return [f'<div class="pk-law"><code><b>{title}</b> {t.arity}</code>{also}'
                f"<pre>{_esc(body)}</pre></div>"]

    def table(self, what: str, items: list, depth: int, index: bool = False) -> list:
        """A row or set as a table (index column for rows)."""
        head = "<tr><th>#</th><th>value</th></tr>" if index else "<tr><th>element</th></tr>"
        parts = []
        for i, x in enumerate(items[:MAX_ITEMS]):
            cell = f"<tr><td>{i}</td><td>" if index else "<tr><td>"
            parts.append(_Part(cell, _Node(x, depth + 1), "</td></tr>"))
        return self.wrap(what, len(items), head, parts, 2 if index else 1, depth)

    def tab(self, pairs: list, depth: int) -> list:
        head = "<tr><th>key</th><th>value</th></tr>"
        parts = []
        for k, x in pairs[:MAX_ITEMS]:
            parts.append(_Part(f"<tr><td>{_key_html(k)}</td><td>", _Node(x, depth + 1), "</td></tr>"))
        return self.wrap("tab", len(pairs), head, parts, 2, depth)

    def wrap(self, what: str, count: int, head: str, parts: list, columns: int, depth: int) -> list:
        """A structure's table inside ``<details>`` (open at the top level),
        with a last row counting what is not shown."""
        unit = "entries" if what == "tab" else ("elements" if what == "set" else "items")
        open_ = " open" if depth == 0 else ""
        summary = f"<summary>{what} · {_plural(count, unit)}</summary>"
        if not count:
            return [f'<details class="pk-{what}"{open_}>{summary}</details>']
        more = count - len(parts)
        more_text = f"{more:,} more " + _plural(more, unit).split(" ", 1)[1]
        tail = (f'<tr><td colspan="{columns}" class="pk-cut">… {more_text}</td></tr>'
                if more > 0 else "")
        return [f'<details class="pk-{what}"{open_}>{summary}<table>{head}', *parts,
                f"{tail}</table></details>"]

    def code(self, v: Valueish, limit: int) -> str:
        """A value as Sire text (shortened with show's own markers)."""
        return f"<code>{_esc(show_value(v, self.names, limit))}</code>"


# ----- leaves -------------------------------------------------------------------------


def nat_html(n: int) -> str:
    """A nat: number, text when it spells one, hex from 256 up."""
    parts = [f'<span class="pk-nat">{_esc(_digits(n))}</span>']
    kind, s = nat_form(n)
    if kind == "name":
        parts.append(f'<span class="pk-alt">%{_esc(s, SHORT)}</span>')
    elif kind in ("text", "lines"):
        parts.append(f'<span class="pk-alt">text {_esc(_quoted(s), SHORT)}</span>')
    if n >= 256:
        parts.append(f'<span class="pk-alt">hex 0x{_esc(_shorten(format(n, "x"), SHORT))}</span>')
    return "".join(parts)


def bar_html(v: Value) -> str:
    """A bar: ``b#{text}`` when its bytes are printable UTF-8, and its hex."""
    body = nat_of(v.layer().body) or 0
    data = body.to_bytes((body.bit_length() + 7) // 8, "little")[:-1]
    parts = [f'<span class="pk-bar">bar · {_plural(len(data), "byte")}</span>']
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and text.isprintable():
        parts.append(f'<span class="pk-alt">b#{_esc(_quoted(text), SHORT)}</span>')
    if data:
        parts.append(f'<span class="pk-alt">x#{_esc(_shorten(data.hex(), SHORT))}</span>')
    return "".join(parts)


def _key_html(k: int) -> str:
    """A tab key as Sire writes keys: a name bare, else as a value."""
    kind, s = nat_form(k, key=True)
    if kind == "name":
        return f"<code>{_esc(s, SHORT)}</code>"
    return nat_html(k)


def _digits(n: int) -> str:
    if n.bit_length() > DIGIT_BITS:
        return f"a nat of {n.bit_length():,} bits"
    return _shorten(decimal_text(n), SHORT, "digits")


def _shorten(s: str, room: int, unit: str = "characters") -> str:
    """``s``, or its ends around a marker when longer than ``room``."""
    if len(s) <= room:
        return s
    head, tail = room * 2 // 3, room // 3
    return f"{s[:head]}…({len(s) - head - tail:,} more {unit})…{s[-tail:]}"


def _quoted(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _esc(s: str, room: Optional[int] = None) -> str:
    return html.escape(_shorten(s, room) if room else s)


def _name_of(n: int) -> str:
    s = nat_text(n)
    return s if s is not None and s.isprintable() and s else str(n)


def _plural(n: int, unit: str) -> str:
    if n == 1:
        unit = {"items": "item", "entries": "entry", "elements": "element"}.get(unit, unit)
        return f"1 {unit}"
    return f"{n:,} {unit if unit.endswith('s') else unit + 's'}"


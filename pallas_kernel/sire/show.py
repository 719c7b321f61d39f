"""PLAN values printed the way a Sire programmer reads them, and read back.

:func:`show_value` prints a core value (or a Python int) in Sire's literal
notation; :func:`read_value` reads that notation back into the same value.
:class:`Names` says which pins and laws are bound in scope, so that they
print by name.

How values print
================

Nats (in value position):

* below 256: decimal (``97``, not ``%a``: small numbers are numbers; the
  reference's Loot printer would show 65..122 letters as ``%A``.. ``%z``);
* a *name*: the little-endian bytes spell ASCII letters, digits and ``_``,
  not starting with a digit, with at least one letter: ``%name``
  (``%hello``, ``%_Add``);
* a *text*: the bytes are UTF-8 of at least 3 bytes, every character
  printable (spaces allowed), not starting or ending with a space, with at
  least one letter or digit: ``{text}`` (``{12345}``, ``{hi there}``); a text
  with unbalanced braces uses ``"text"`` or ``}X..X``, as the Rex printer
  does. A text with newlines (each line printable) prints as ``}`` line
  strings when it is the whole value; nested inside something else it
  prints in decimal, because a line string cannot sit inside ``[..]``;
* everything else in decimal (``500000500000``, ``12345``: both are
  printable bytes, but a leading space, or fewer than 3 bytes, makes them
  numbers). Big nats are converted with gmpy2 (no digit limit).

Tab keys and set elements that are nats print like values, except that a
name prints bare (``a``, even below 256: ``#[a=1 b=2]``, ``%[x y]``), as
Sire's ``readKey`` reads words. Keys and elements that are not nats (Sire's
literals cannot write them; :func:`read_value` can) print as values,
parenthesised unless they already start with ``(``.

Structures: rows ``[a b]`` (``[]`` empty), tabs ``#[k=v ..]`` (``#[]``),
sets ``%[a b]`` (``%[]``), bars ``b#{text}`` when the bytes are printable
UTF-8 text on one line (``b#{}`` empty) and ``x#hex`` otherwise (the bytes
in order, two hex digits each), apps ``(f x y)``.

Pins and laws: a pin bound in scope prints as its name, keyed by its pin
hash; an unpinned law bound in scope (not a data shape: rows, cows, sets and
bars always print as data) by its plan hash. When several names bind the
same pin or law, the shortest wins, then the first in alphabetical order.
Only names that are Sire identifiers (letters, digits, ``_``, not starting
with a digit, not only underscores) are used. Anything else prints with the
PLAN opcodes that build it, which Sire reads back by evaluation: an unnamed
pin as ``(4 item)`` and an unnamed law as ``(0 name arity body)`` (so a cow
is ``(0 0 4 0)``, ``_Add``'s law ``(0 %_Add 2 ..)``). The body is the law's
PLAN code as a value; decompiling it to ``(f a b ? body)`` is not done.

A value that is a Rex tree (``rex.from_plan`` accepts it) prints as Rex when
``rex=True`` (the default), as the REPL always did.

Size: the output is at most ``limit`` characters (at least 60). Anything left
out is said, with markers that start with ``…`` (never valid Rex outside a
string, so a cut output never reads back as a value): ``[1 2 3 … 99,997
more items]``, ``#[a=1 … 4 more entries]``, ``1234…(99,980 more
digits)…7890``, ``{abc}…(500 more characters)…{xyz}``, ``x#00ff…(9,000
more bytes)…ee``. Values are walked one layer at a time (``Value.layer``,
which evaluates only what is printed) with an explicit stack, so sharing and
depth cost only what is printed: a 10^6-deep value prints its first few
hundred levels and the markers that close them.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Iterable, Optional, Union

import gmpy2

from ..errors import MalformedRex, SireError
from ..plan import Value, from_tree, nat as make_nat
from ..rex import from_plan, read_blocks, show as show_rex
from ..rex.model import Leaf as RexLeaf, Node as RexNode, Rex
from ..rex.printer import text_form
from ..plan.tree import App, Law, Pin, Tree, nat_text, row, spine
from ..plan.view import row_items

__all__ = ["Names", "show_value", "read_value", "ReadError", "nat_form", "is_name", "MIN_LIMIT"]

#: the smallest useful limit: room for a marker and the closers around it
MIN_LIMIT = 60
#: room always kept for the innermost cut marker: a form on its last kid
#: reserves only its closer, and then says " … 1 more item"
_CUT_ROOM = len(" … 1 more entries")  # the innermost marker beyond its form's reserve
#: a long leaf is shortened (not cut away) if at least this much room is left
_MIN_LEAF = 24

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_LETTER = re.compile(r"[A-Za-z]")
_DECIMAL_WORD = re.compile(r"[0-9_]+\Z")
_HEX_WORD = re.compile(r"0x[0-9A-Fa-f_]*\Z")

Valueish = Union[Value, int]

#: where a kid sits: anywhere, as a tab key or set element, as a tab's value
PLAIN, KEY, TAB_VALUE = 0, 1, 2


_SINGULAR = {"items": "item", "entries": "entry", "args": "arg", "lines": "line"}


def _plural(n: int, unit: str) -> str:
    return f"{n:,} more {unit if n != 1 else _SINGULAR.get(unit, unit)}"


# ----- names -------------------------------------------------------------------

def is_name(text: str) -> bool:
    """Is ``text`` a Sire identifier we print bare: ASCII letters, digits and
    ``_``, not starting with a digit, with at least one letter?"""
    return bool(_NAME.match(text)) and bool(_LETTER.search(text))


class Names:
    """Names of pins and laws bound in scope, for printing and reading.

    Built from ``(name, value)`` pairs (a name may be a str or a name nat).
    Pins are keyed by their pin hash, unpinned laws (not data-shaped) by
    their plan hash; nats and other values are ignored (3 never prints as
    ``x`` because ``x=3``). When several names bind the same pin or law the
    shortest name wins, then the alphabetically first. Names that are not
    identifiers (:func:`is_name`) are skipped.
    """

    def __init__(self, pairs: Iterable[tuple[object, Valueish]] = ()):
        self._pins: dict[bytes, str] = {}
        self._laws: dict[bytes, str] = {}
        self._law_sigs: set[tuple[int, int]] = set()
        self._values: dict[str, Value] = {}
        for name, value in pairs:
            self.add(name, value)

    def add(self, name: object, value: Valueish) -> None:
        """Bind ``name`` to a pin or law (anything else is ignored)."""
        if isinstance(name, int):
            name = nat_text(name) or ""
        if not isinstance(name, str) or not is_name(name) or not isinstance(value, Value):
            return
        kind = value.kind
        if kind == "pin":
            table, key = self._pins, value.pin_hash()
        elif kind == "law" and value.shape == "":
            t = value.layer()
            table, key = self._laws, value.plan_hash()
            self._law_sigs.add((t.name, t.arity))
        else:
            return
        self._values[name] = value
        old = table.get(key)
        if old is None or (len(name), name) < (len(old), old):
            table[key] = name

    def pin_name(self, pin: Value) -> Optional[str]:
        """The name a pin prints as, if bound."""
        return self._pins.get(pin.pin_hash()) if self._pins else None

    def pin_hash_name(self, pin_hash: bytes) -> Optional[str]:
        """The name of the pin with this hash, if bound (for pins known only
        by hash, such as a store's)."""
        return self._pins.get(bytes(pin_hash))

    def law_name(self, law: Value, t: Law) -> Optional[str]:
        """The name an unpinned law prints as, if bound (hashed only when a
        bound law has the same name and arity)."""
        if (t.name, t.arity) not in self._law_sigs:
            return None
        return self._laws.get(law.plan_hash())

    def lookup(self, name: str) -> Optional[Value]:
        """The pin or law bound to ``name`` (for reading)."""
        return self._values.get(name)


_NO_NAMES = Names()


# ----- nats ----------------------------------------------------------------------

def _nat_bytes(n: int) -> bytes:
    return n.to_bytes((n.bit_length() + 7) // 8, "little")


def _text_of(n: int) -> Optional[str]:
    """The text a nat spells if it passes the text rule (newlines allowed),
    else None."""
    if n < 65536:  # fewer than 3 bytes
        return None
    try:
        s = _nat_bytes(n).decode("utf-8")
    except UnicodeDecodeError:
        return None
    if s[0] in " \n" or s[-1] in " \n":
        return None
    if not all(line.isprintable() for line in s.split("\n")):
        return None
    if not any(c.isalnum() for c in s):
        return None
    return s


def nat_form(n: int, key: bool = False) -> tuple[str, str]:
    """How a nat prints: (``"dec"`` | ``"name"`` | ``"text"`` | ``"lines"``,
    the text: digits, the name, or the string). ``key`` applies the key rule
    (names bare, even below 256). Multi-line texts come back as ``"lines"``;
    the caller decides whether it can print them."""
    if 0 < n and (key or n >= 256) and n.bit_length() <= 8 * 256:
        s = nat_text(n)
        if s is not None and is_name(s):
            return "name", s
    if n >= 256:
        s = _text_of(n)
        if s is not None:
            return ("lines" if "\n" in s else "text"), s
    return "dec", ""


class _Cut(str):
    """A leaf's text that was shortened (it carries a marker)."""

    __slots__ = ()


def _digits(n: int, room: int) -> str:
    """``n`` in decimal, or shortened to about ``room`` characters with a
    marker: head…(N more digits)…tail (only the shown digits are computed
    exactly beyond the count)."""
    # n has at least (bits - 1) * log10(2) digits: only when that fits is it
    # worth converting the whole number
    if (n.bit_length() - 1) * 0.30103 < room:
        s = gmpy2.mpz(n).digits(10)
        if len(s) <= room:
            return s
    m = gmpy2.mpz(n)
    total = len(m.digits(10)) if n.bit_length() < 20000 else _count_digits(m)
    keep = max(2, room - len(f"…({total:,} more digits)…"))
    head_n, tail_n = (keep + 1) // 2, keep // 2
    head = (m // gmpy2.mpz(10) ** (total - head_n)).digits(10)
    tail = (m % gmpy2.mpz(10) ** tail_n).digits(10).rjust(tail_n, "0")
    left = total - head_n - tail_n
    return _Cut(f"{head}…({left:,} more digits)…{tail}")


def _count_digits(m) -> int:
    """The exact number of decimal digits of a positive mpz."""
    d = int(m.num_digits(10))  # exact or one too many
    return d if m >= gmpy2.mpz(10) ** (d - 1) else d - 1


def _cut_text(s: str, room: int, unit: str, wrap, tail_wrap=None) -> str:
    """A string shown whole (``wrap(s)``) or as head and tail pieces around a
    marker (``wrap(head)…(N more unit)…tail_wrap(tail)``), fitting ``room``
    characters."""
    whole = wrap(s)
    if len(whole) <= room:
        return whole
    tail_wrap = tail_wrap or wrap
    marker_room = len(wrap("")) + len(tail_wrap("")) + len(f"…({len(s):,} more {unit})…") + 4
    keep = max(2, room - marker_room)
    head, tail = s[: (keep + 1) // 2], s[len(s) - keep // 2:]
    left = len(s) - len(head) - len(tail)
    return _Cut(f"{wrap(head)}…({left:,} more {unit})…{tail_wrap(tail)}")


def _text_wrap(s: str) -> str:
    form = text_form(s)
    return form if form is not None else "{}"


# ----- leaves and forms ----------------------------------------------------------

class _Leaf:
    """Something printed as one token; ``render(room)`` gives its text,
    shortened with a marker when it is longer than ``room``."""

    __slots__ = ()

    def render(self, room: int) -> str:
        raise NotImplementedError


@dataclass(slots=True)
class _Word(_Leaf):
    text: str

    def render(self, room: int) -> str:
        if len(self.text) <= room:
            return self.text
        return _cut_text(self.text, room, "characters", lambda x: x)


@dataclass(slots=True)
class _Nat(_Leaf):
    n: int
    key: bool = False
    braces: bool = False  # a name as {name} (a tab's value: `=%` would be one rune)

    def render(self, room: int) -> str:
        kind, s = nat_form(self.n, self.key)
        if kind == "name":
            text = s if self.key else "{" + s + "}" if self.braces else "%" + s
            if len(text) <= room:
                return text
            return _cut_text(s, room, "characters", _text_wrap)
        if kind == "text":
            return _cut_text(s, room, "characters", _text_wrap)
        return _digits(self.n, room)


@dataclass(slots=True)
class _Bar(_Leaf):
    data: bytes

    def render(self, room: int) -> str:
        try:
            s = self.data.decode("utf-8")
        except UnicodeDecodeError:
            s = None
        form = text_form(s) if s is not None and s.isprintable() else None
        if form is not None and form[0] in "{\"":
            return _cut_text(s, room, "characters", lambda x: "b#" + _text_wrap(x), _text_wrap)
        hexs = self.data.hex()
        if len(hexs) + 2 <= room:
            return "x#" + hexs
        keep = max(2, (room - len(f"x#…({len(self.data):,} more bytes)…")) // 2)
        head, tail = self.data[: (keep + 1) // 2], self.data[len(self.data) - keep // 2:]
        left = len(self.data) - len(head) - len(tail)
        return _Cut(f"x#{head.hex()}…({left:,} more bytes)…{tail.hex()}")


@dataclass(slots=True)
class _Form:
    """A bracketed form: ``opener kid kid .. closer``; kids are (separator,
    value-or-leaf, key?) triples. ``unit`` names what a marker counts;
    ``step`` is how many kids make one unit (2 for a tab's key and value)."""

    opener: str
    kids: list
    closer: str
    unit: str = "items"
    step: int = 1
    i: int = 0
    reserve: int = 0
    mark: tuple = (0, 0)  # output length and size where the current key began

    def left(self, start: int) -> int:
        """Units not (fully) printed from kid ``start`` on."""
        return max(0, -(-(len(self.kids) - start) // self.step))

    def marker(self, start: int) -> str:
        n = self.left(start)
        return (f" … {_plural(n, self.unit)}" if n else "") + self.closer


def _open(x: object, names: Names, key: bool = False) -> Union[_Leaf, _Form]:
    """One value opened one layer: a leaf or a form with its kids."""
    if isinstance(x, int):
        return _Nat(x, key)
    t = x.layer()
    if isinstance(t, int):
        return _Nat(t, key)
    if isinstance(t, Pin):
        name = names.pin_name(x)
        return _Word(name) if name else _Form("(4", [(" ", t.item, PLAIN)], ")")
    if isinstance(t, Law):
        return _open_law(x, t, names)
    head, args = spine(t)
    if isinstance(head, Value):
        ht = head.layer()
        if isinstance(ht, Law):
            shape = head.shape
            if shape == "cow" and ht.arity == len(args) + 1:
                return _Form("[", [(" " if i else "", a, PLAIN) for i, a in enumerate(reversed(args))], "]")
            if shape == "set" and len(args) == 1:
                tab = _tab_form(ht, args[0], names)
                if tab is not None:
                    return tab
    kids = [("", head, PLAIN)] + [(" ", a, PLAIN) for a in args]
    return _Form("(", kids, ")", "args")


def _open_law(x: Value, t: Law, names: Names) -> Union[_Leaf, _Form]:
    shape = x.shape
    if shape == "row":
        return _Word("[]")
    if shape == "bar":
        data = _nat_bytes(t.body if isinstance(t.body, int) else int(t.body))
        return _Bar(data[:-1])
    if shape == "set":
        items = row_items(t.body)
        return _Form("%[", [(" " if i else "", v, KEY) for i, v in enumerate(items)], "]")
    if shape == "":
        name = names.law_name(x, t)
        if name:
            return _Word(name)
    kids = [(" ", t.name, PLAIN), (" ", _Word(str(t.arity)), PLAIN), (" ", t.body, PLAIN)]
    return _Form("(0", kids, ")")


def _tab_form(set_law: Law, vals: object, names: Names) -> Optional[_Form]:
    """The tab ``(set vals)``, if ``vals`` is a row as long as the set."""
    keys = row_items(set_law.body)
    if not isinstance(vals, Value):
        return None
    vt = vals.layer()
    if isinstance(vt, Law):
        if vals.shape != "row" or keys:
            return None
        return _Form("#[", [], "]", "entries", 2)
    vhead, vargs = spine(vt)
    if not (isinstance(vhead, Value) and vhead.shape == "cow" and len(vargs) == len(keys)
            and vhead.layer().arity == len(vargs) + 1):
        return None
    kids = []
    for i, (k, v) in enumerate(zip(keys, reversed(vargs))):
        kids.append((" " if i else "", k, KEY))
        kids.append(("=", v, TAB_VALUE))
    return _Form("#[", kids, "]", "entries", 2)


def _in_place(node: Union[_Leaf, _Form], x: object, ctx: int) -> Union[_Leaf, _Form]:
    """A node adjusted to read back where it sits. A key or set element that
    is not a nat is parenthesised unless it starts with ``(`` (a bare word
    there is a text key, so a named pin or law key prints unnamed); a tab's
    value that would start with a rune (``%``, ``#``) or is a bar (``b#..``)
    is parenthesised or, for a name, braced, because ``=%`` would lex as one
    rune and ``k=b#{}`` as one infix form of two runes."""
    if ctx == KEY and not isinstance(node, _Nat):
        if isinstance(node, _Word) and node.text != "[]":
            node = _open(x, _NO_NAMES, True)
        if not (isinstance(node, _Form) and node.opener.startswith("(")):
            node = _Form("(", [("", _Done(node), PLAIN)], ")")
    elif ctx == TAB_VALUE:
        if isinstance(node, _Nat):
            node.braces = True
        elif isinstance(node, _Bar) or (isinstance(node, _Form) and node.opener[0] in "%#"):
            node = _Form("(", [("", _Done(node), PLAIN)], ")")
    return node


@dataclass(slots=True)
class _Done:
    """An already opened node, carried as a kid."""

    node: object


# ----- the printer -------------------------------------------------------------------

class _Printer:
    """The explicit-stack printer with its budget (see the module docstring)."""

    def __init__(self, names: Names, limit: int, exact: bool = False):
        self.names = names
        self.limit = max(limit, MIN_LIMIT)
        self.exact = exact  # print whole or not at all (no reserves, no cuts)
        self.budget = self.limit - (0 if exact else _CUT_ROOM)
        self.out: list[str] = []
        self.size = 0
        self.reserved = 0
        self.forms: list[_Form] = []

    def emit(self, s: str) -> None:
        self.out.append(s)
        self.size += len(s)

    def room(self) -> int:
        return self.budget - self.size - self.reserved

    def run(self, value: object) -> Optional[str]:
        """The printed value; in exact mode None when it does not fit whole."""
        node = _open(value, self.names)
        if isinstance(node, _Leaf):
            text = node.render(self.limit)
            return None if self.exact and isinstance(text, _Cut) else text
        if not self.push(node, ""):
            raise AssertionError("a top form always fits")
        while self.forms:
            f = self.forms[-1]
            if f.i == len(f.kids):
                self.pop()
                continue
            sep, kid, key = f.kids[f.i]
            if f.step == 2 and f.i % 2 == 0:
                f.mark = (len(self.out), self.size)
            f.i += 1
            if f.i == len(f.kids):  # the last kid: only the closer stays reserved
                self.reserved -= f.reserve - len(f.closer)
                f.reserve = len(f.closer)
            if not self.kid(sep, kid, key):
                if self.exact:
                    return None
                self.cut()
                break
        return "".join(self.out)

    def kid(self, sep: str, kid: object, key: bool) -> bool:
        """Print one kid (a leaf, or open its form); False when it does not fit."""
        if isinstance(kid, _Done):
            node = kid.node
        elif isinstance(kid, _Leaf):
            node = kid
        else:
            node = _in_place(_open(kid, self.names, key == KEY), kid, key)
        if isinstance(node, _Form):
            return self.push(node, sep)
        room = self.room() - len(sep)
        if room <= 0:
            return False
        text = node.render(room)
        if len(text) > room or (isinstance(text, _Cut) and (self.exact or room < _MIN_LEAF)):
            return False  # too little room even for a shortened leaf: cut here
        self.emit(sep + text)
        return True

    def push(self, f: _Form, sep: str) -> bool:
        f.reserve = len(f.closer) if self.exact or len(f.kids) <= 1 else len(f.marker(0))
        if len(sep) + len(f.opener) + f.reserve > self.room() and self.forms:
            return False
        self.emit(sep + f.opener)
        self.reserved += f.reserve
        self.forms.append(f)
        return True

    def pop(self) -> None:
        f = self.forms.pop()
        self.reserved -= f.reserve
        self.emit(f.closer)

    def cut(self) -> None:
        """Close every open form, saying what each leaves out: the innermost
        from the kid that failed, the others from the kid after their current
        one."""
        inner = True
        while self.forms:
            f = self.forms.pop()
            start = f.i - 1 if inner else f.i
            if inner and f.step == 2 and start % 2 == 1:  # a tab's value failed: drop its key too
                del self.out[f.mark[0]:]
                self.size = f.mark[1]
                start -= 1
            self.emit(f.marker(start))
            inner = False


def _lines(s: str, limit: int) -> str:
    """A multi-line text as ``}`` line strings; if too long, the lines that
    fit (the last one maybe shortened) and a marker line saying what is
    left out."""
    lines = s.split("\n")
    printed = [f"}} {line}" if line else "}" for line in lines]
    if sum(len(p) + 1 for p in printed) - 1 <= limit:
        return "\n".join(printed)
    out: list[str] = []
    room = limit - 64  # room for the longest marker line
    for i, (line, text) in enumerate(zip(lines, printed)):
        if len(text) + 1 <= room:
            out.append(text)
            room -= len(text) + 1
            continue
        more = [_plural(len(lines) - i - 1, "lines")] if i + 1 < len(lines) else []
        if room > _MIN_LEAF:
            keep = room - 3
            out.append("} " + line[:keep])
            more.insert(0, f"{len(line) - keep:,} more characters on this line")
        else:
            more = [_plural(len(lines) - i, "lines")]
        out.append(f"…({', '.join(more)})")
        break
    return "\n".join(out)


def show_value(value: Valueish, names: Optional[Names] = None, limit: int = 4000,
               rex: bool = True) -> str:
    """The value in Sire notation, at most ``limit`` characters (at least
    :data:`MIN_LIMIT`), every cut marked. Pins and laws bound in ``names``
    print by name. With ``rex``, a value that is a Rex tree prints as Rex.
    See the module docstring for the rules."""
    names = names or _NO_NAMES
    limit = max(limit, MIN_LIMIT)
    if isinstance(value, Value) and value.kind == "nat":
        value = int(value)
    if isinstance(value, int):
        kind, s = nat_form(value)
        if kind == "lines":
            return _lines(s, limit)
    elif rex and value.kind == "app":
        text = _show_rex(value)
        if text is not None:
            return text if len(text) <= limit else (
                text[: limit - 30] + f"…({len(text) - limit + 30:,} more characters)")
    whole = _Printer(names, limit, exact=True).run(value)  # stops past the limit
    return whole if whole is not None else _Printer(names, limit).run(value)


def _show_rex(value: Value) -> Optional[str]:
    """The value printed as Rex, if it is a Rex tree."""
    try:
        return show_rex(from_plan(value))
    except MalformedRex:
        return None


# ----- reading back ----------------------------------------------------------------------

class ReadError(SireError):
    """Text that is not a printed value (or names an unknown pin)."""


def read_value(text: str, names: Optional[Names] = None, file: str = "<value>") -> Value:
    """Read what :func:`show_value` prints back into a value (normal form):
    nats (decimal, ``0x`` hex, ``%name``, ``{text}``, ``}`` lines), rows,
    tabs, sets, bars, apps (``(0 ..)`` laws and ``(4 ..)`` pins evaluate)
    and names bound in ``names``. Errors name the place."""
    names = names or _NO_NAMES
    blocks = list(read_blocks(text, file))
    if len(blocks) != 1:
        raise ReadError(f"{file}: expected one value, found {len(blocks)} blocks")
    block = blocks[0]
    if block.errors:
        raise ReadError(str(block.errors[0]))
    return from_tree(_build(block.rex, names)).force()


def _where(r: Rex) -> str:
    span = getattr(r, "span", None)
    return f"{span}: " if span is not None else ""


def _build(top: Rex, names: Names) -> Tree:
    """The tree a Rex literal denotes, bottom-up on an explicit stack."""
    results: list[Tree] = []
    todo: list[tuple] = [("go", top, False)]
    while todo:
        op, r, extra = todo.pop()
        if op == "mk":
            n = len(r)
            args = results[len(results) - n:] if n else []
            del results[len(results) - n:]
            results.append(extra(args))
            continue
        leaf = _leaf_value(r, names, key=extra)
        if leaf is not None:
            results.append(leaf)
            continue
        kids, make = _compound(r)
        todo.append(("mk", kids, make))
        todo.extend(("go", k, is_key) for k, is_key in reversed(list(zip(kids, _key_flags(r, kids)))))
    return results[0]


def _key_flags(r: Rex, kids: list) -> list[bool]:
    """Which kids of a compound are keys (set elements, tab keys)."""
    if isinstance(r, RexNode) and r.rune == "%":
        return [True] * len(kids)
    if isinstance(r, RexNode) and r.rune == "#" and r.shape == "PREF":
        return [i % 2 == 0 for i in range(len(kids))]
    return [False] * len(kids)


def _leaf_value(r: Rex, names: Names, key: bool) -> Optional[Tree]:
    """A leaf's value, or None if ``r`` is compound."""
    if isinstance(r, RexLeaf):
        if r.shape == "LINE":
            texts = []
            cur: Optional[Rex] = r
            while cur is not None:
                if not (isinstance(cur, RexLeaf) and cur.shape == "LINE"):
                    raise ReadError(f"{_where(cur)}a line string is followed by something else")
                texts.append(cur.text)
                cur = cur.heir
            return _text_nat("\n".join(texts))
        if r.heir is not None:
            raise ReadError(f"{_where(r)}unexpected text after {r.text!r}")
        if r.shape == "TEXT":
            return _text_nat(r.text)
        return _word(r, names, key)
    if isinstance(r, RexNode) and r.heir is not None:
        raise ReadError(f"{_where(r)}unexpected text after a `{r.rune}` form")
    if isinstance(r, RexNode) and r.rune == "%" and r.shape == "PREF" and isinstance(r.sons[0], RexLeaf) \
            and r.sons[0].shape == "WORD" and r.sons[0].heir is None:
        return _text_nat(r.sons[0].text)
    if isinstance(r, RexNode) and r.rune == "#" and r.shape == "SHUT" and len(r.sons) == 2:
        return _bar(r)
    return None


def _text_nat(s: str) -> int:
    return int.from_bytes(s.encode("utf-8"), "little")


def _word(r: RexLeaf, names: Names, key: bool) -> Tree:
    w = r.text
    if _DECIMAL_WORD.match(w) and any(c.isdigit() for c in w):
        return int(w.replace("_", ""))
    if _HEX_WORD.match(w) and len(w) > 2:
        return int(w[2:].replace("_", "") or "0", 16)
    if key:
        return _text_nat(w)
    v = names.lookup(w)
    if v is None:
        raise ReadError(f"{_where(r)}`{w}` is not a name in scope")
    return v


def _bar(r: RexNode) -> Tree:
    kind, body = r.sons
    if not (isinstance(kind, RexLeaf) and kind.shape == "WORD" and kind.text in ("b", "x")
            and isinstance(body, RexLeaf) and body.heir is None and body.shape in ("WORD", "TEXT")):
        raise ReadError(f"{_where(r)}expected a bar: b#{{text}} or x#hex")
    if kind.text == "b":
        data = body.text.encode("utf-8")
    else:
        digits = body.text if len(body.text) % 2 == 0 else "0" + body.text
        try:
            data = bytes.fromhex(digits)
        except ValueError:
            raise ReadError(f"{_where(body)}not hex digits: {body.text!r}") from None
    return Law(1, 1, int.from_bytes(data + b"\x01", "little"))


def _compound(r: Rex) -> tuple[list, object]:
    """The kids of a compound form and how to make its value from theirs."""
    if isinstance(r, RexNode) and r.shape == "NEST" and r.rune == ",":
        return list(r.sons), lambda xs: row(*xs)
    if isinstance(r, RexNode) and r.shape == "NEST" and r.rune == "|":
        if not r.sons:
            raise ReadError(f"{_where(r)}empty parentheses")
        return list(r.sons), lambda xs: _apply(xs)
    if isinstance(r, RexNode) and r.shape == "PREF" and r.rune in ("%", "#") \
            and isinstance(r.sons[0], RexNode) and r.sons[0].shape == "NEST" and r.sons[0].rune == "," \
            and r.sons[0].heir is None:
        inner = r.sons[0]
        if r.rune == "%":
            return list(inner.sons), lambda xs, at=inner: _make_set(xs, at)
        kids = []
        for pair in inner.sons:
            if not (isinstance(pair, RexNode) and pair.rune == "=" and pair.shape in ("SHUT", "INFX")
                    and len(pair.sons) == 2 and pair.heir is None):
                raise ReadError(f"{_where(pair)}expected key=value in a tab")
            kids.extend(pair.sons)
        return kids, lambda xs, at=inner: _make_tab(xs, at)
    what = f"`{r.rune}` ({r.shape})" if isinstance(r, RexNode) else type(r).__name__
    raise ReadError(f"{_where(r)}not a value literal: {what}")


def _apply(xs: list) -> Tree:
    head = xs[0]
    for a in xs[1:]:
        head = App(head, a)
    return head


def _sorted_keys(keys: list, at: Rex) -> list:
    """Keys in PLAN order (nats numerically, others by ``_Cmp``); duplicates
    are an error."""
    if all(isinstance(k, int) for k in keys):
        out = sorted(keys)
        same = lambda a, b: a == b  # noqa: E731
    else:
        vals = [make_nat(k) if isinstance(k, int) else from_tree(k).force() for k in keys]
        out = sorted(vals, key=functools.cmp_to_key(lambda a, b: a.cmp(b) - 1))
        same = lambda a, b: a.cmp(b) == 1  # noqa: E731
    for a, b in zip(out, out[1:]):
        if same(a, b):
            raise ReadError(f"{_where(at)}duplicate key")
    return out


def _make_set(xs: list, at: Rex) -> Tree:
    return Law(1, 2, row(*_sorted_keys(xs, at)))


def _make_tab(xs: list, at: Rex) -> Tree:
    keys, vals = xs[0::2], xs[1::2]
    if all(isinstance(k, int) for k in keys):
        by_key = dict(zip(keys, vals))
        if len(by_key) != len(keys):
            raise ReadError(f"{_where(at)}duplicate key")
        order = sorted(by_key)
        return App(Law(1, 2, row(*order)), row(*(by_key[k] for k in order)))
    kv = [(make_nat(k) if isinstance(k, int) else from_tree(k).force(), v) for k, v in zip(keys, vals)]
    kv.sort(key=functools.cmp_to_key(lambda a, b: a[0].cmp(b[0]) - 1))
    for (a, _), (b, _) in zip(kv, kv[1:]):
        if a.cmp(b) == 1:
            raise ReadError(f"{_where(at)}duplicate key")
    return App(Law(1, 2, row(*(k for k, _ in kv))), row(*(v for _, v in kv)))

"""Reading and printing the PLAN notation (plain trees, see :mod:`.tree`).

The notation is the spec's debug format, extended with the Sire-like forms of
the data jets so that printed values stay readable::

    123                 a nat, decimal, any size (leading zeros allowed)
    "text"              the nat whose little-endian bytes are the UTF-8 of text
                        (escapes: \\" \\\\ \\n \\t and \\xHH, which is one raw byte)
    <x>                 a pin                      Pin(x)
    {n a b}             a law                      Law(n, a, b); n and a must be nats
    (f x y)             application                App(App(f, x), y); (x) is just x
    [a b c]             a row                      ({0 4 0} c b a)
    %[a b]              a set                      {1 2 [a b]}
    #[k=v k2=v2]        a tab                      ({1 2 [k k2]} [v v2])
    b#"text"  x#0aff    a bar                      {1 1 N}, N = LE nat of bytes ++ [0x01]

Whitespace and ``;`` line comments may separate tokens. An atom (nat, string,
bar) must be followed by whitespace, ``;``, a bracket, ``=`` or the end. The
reader does **not** sort set or tab keys: they are taken as written, so
``%[2 1]`` is the law ``{1 2 [2 1]}`` even though the runtime would not treat
it as a set. Arity 0 is accepted (``{0 0 0}``): the reader builds trees, it
does not evaluate them.

Printing rules of :func:`show` (``read(show(t))`` equals ``t`` for every tree):

* A nat prints as ``"text"`` when it is at least 256, its little-endian bytes
  are valid UTF-8, every character is printable (``str.isprintable``, so no
  control or separator characters except the ASCII space) and neither ``"``
  nor ``\\``, and at least one character is a letter or ``_``. Everything else
  prints in decimal: 0..255 always, and digit/punctuation-only texts such as
  12345 (whose bytes spell ``"90"``) stay numbers. Law names and arities use
  the same rule.
* ``Law(0, 1, 0)`` prints as ``[]``; an application whose flattened head is
  ``Law(0, n+1, 0)`` with exactly ``n >= 1`` arguments prints as a row, the
  last argument first. Any other arity/argument count prints plainly.
* ``Law(1, 2, row)`` prints as a set ``%[...]`` when the row's keys are all
  nats in strictly ascending order; ``App(set, row)`` with a values row of the
  same length prints as a tab ``#[k=v ...]``. Other keys print plainly.
* ``Law(1, 1, N)`` with ``N != 0`` and ``(bitlen(N) - 1) % 8 == 0`` prints as a
  bar: ``b#"text"`` when the bytes are UTF-8 made of printable characters other
  than ``"`` and ``\\`` (the empty bar is ``b#""``), otherwise ``x#hex`` (lower
  case, two digits per byte, in byte order).
* Other pins, laws and apps print as ``<x>``, ``{n a b}`` and ``(f x y)``
  (flattened). Shared subtrees are printed in full.

Both directions walk with explicit stacks, so a million levels of nesting are
fine, and big nats convert through gmpy2 (a project dependency) so that
CPython's int/str digit limit does not apply.
"""

from __future__ import annotations

import re
from typing import Optional

from ..errors import PallasError, caret_lines
from .tree import App, Law, Pin, Tree, apps, nat_text, row, spine

try:  # fast and unlimited decimal conversion for bignats
    import gmpy2 as _gmpy2
except ImportError:  # pragma: no cover - gmpy2 is a declared dependency
    _gmpy2 = None

__all__ = ["NotationError", "decimal_text", "parse_decimal", "read", "show"]


# ---------------------------------------------------------------------------
# Errors


class NotationError(PallasError, ValueError):
    """A syntax error, located by ``filename``, ``line`` and ``column`` (1-based).

    ``str()`` gives ``file:line:col: message`` followed by the offending source
    line and a caret under the column, ready to show to a user.
    """

    def __init__(self, message: str, filename: str, line: int, column: int,
                 source_line: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.filename = filename
        self.line = line
        self.column = column
        self.source_line = source_line

    def __str__(self) -> str:
        col = self.column - 1
        return (f"{self.filename}:{self.line}:{self.column}: {self.message}\n"
                + caret_lines(self.source_line[:col], self.source_line[col:], indent=""))


def _error(text: str, filename: str, offset: int, message: str) -> NotationError:
    """Build a :class:`NotationError` for character ``offset`` of ``text``."""
    line_start = text.rfind("\n", 0, offset) + 1
    line_end = text.find("\n", offset)
    if line_end < 0:
        line_end = len(text)
    source_line = text[line_start:line_end].rstrip("\r")
    line = text.count("\n", 0, offset) + 1
    return NotationError(message, filename, line, offset - line_start + 1, source_line)


# ---------------------------------------------------------------------------
# Decimal conversion without CPython's 4300-digit limit


#: below this many digits CPython's own conversion is fast (and allowed)
_SMALL_DIGITS = 1000


def parse_decimal(digits: str) -> int:
    """The value of an ASCII decimal digit string of any length (GMP's
    conversion: quasi-linear, and free of CPython's 4,300-digit limit)."""
    if len(digits) <= _SMALL_DIGITS:
        return int(digits)
    if _gmpy2 is not None:
        return int(_gmpy2.mpz(digits))
    from decimal import Decimal  # pragma: no cover - slow fallback
    return int(Decimal(digits))  # pragma: no cover


def decimal_text(n: int) -> str:
    """Decimal digits of a nat of any size (GMP for big ones)."""
    if n.bit_length() <= 3 * _SMALL_DIGITS:
        return str(n)
    if _gmpy2 is not None:
        return _gmpy2.mpz(n).digits(10)
    from decimal import Decimal  # pragma: no cover - slow fallback
    return str(Decimal(n))  # pragma: no cover


# ---------------------------------------------------------------------------
# Reader

_SKIP = re.compile(r"(?:\s+|;[^\n]*)*")
# One token after optional whitespace/comments. Nats are only taken whole and
# followed by a delimiter; anything else ("other": strings, bars, bad input,
# a nat glued to junk) goes to ``_Reader.atom``, which also reports errors.
_TOKEN = re.compile(r"""
    (?:\s+|;[^\n]*)*
    (?: (?P<open>[(<{\[]|[%\#]\[)
      | (?P<close>[)>}\]])
      | (?P<eq>=)
      | (?P<nat>[0-9]+)(?=[\s()<>{}\[\]=;]|\Z)
      | (?P<end>\Z)
      | (?P<other>)
    )""", re.VERBOSE)
_DIGITS = re.compile(r"[0-9]+")
_HEX = re.compile(r"[0-9A-Fa-f]*")
_STRING_CHUNK = re.compile(r'[^"\\]+')
_HEX2 = re.compile(r"[0-9A-Fa-f]{2}")
_DELIMITERS = frozenset("()<>{}[]=;")
_ESCAPES = {'"': b'"', "\\": b"\\", "n": b"\n", "t": b"\t"}

_OPENERS = {"(": "app", "<": "pin", "{": "law", "[": "row", "%[": "set", "#[": "tab"}
_CLOSER_OF = {"app": ")", "pin": ">", "law": "}", "row": "]", "set": "]", "tab": "]"}
_OPENER_TEXT = {"app": "(", "pin": "<", "law": "{", "row": "[", "set": "%[", "tab": "#["}


class _Frame:
    """An open bracket on the parse stack: what it is, where, and its items so far."""

    __slots__ = ("kind", "offset", "items", "keys", "awaiting")

    def __init__(self, kind: str, offset: int) -> None:
        self.kind = kind
        self.offset = offset
        self.items: list[Tree] = []
        self.keys: list[Tree] = []  # tab keys; ``items`` holds the values
        self.awaiting = "key"       # tabs only: "key", "=" or "value"


class _Reader:
    """A single-expression parser over ``text`` with an explicit frame stack."""

    def __init__(self, text: str, filename: str) -> None:
        self.text = text
        self.filename = filename
        self.stack: list[_Frame] = []

    def fail(self, offset: int, message: str) -> NotationError:
        """An error located at ``offset``."""
        return _error(self.text, self.filename, offset, message)

    def skip(self, pos: int) -> int:
        """Skip whitespace and comments from ``pos``."""
        return _SKIP.match(self.text, pos).end()

    # -- the main loop --------------------------------------------------

    def parse(self) -> Tree:
        """Read exactly one expression; anything after it is an error."""
        text = self.text
        match = _TOKEN.match
        pos = 0
        while True:
            m = match(text, pos)
            kind = m.lastgroup
            start = m.start(kind)
            pos = m.end()
            if kind == "nat":
                done, value = self.deliver(parse_decimal(m.group(kind)), start)
            elif kind == "open":
                self.stack.append(_Frame(_OPENERS[m.group(kind)], start))
                continue
            elif kind == "close":
                frame = self.close(start, m.group(kind))
                done, value = self.deliver(self.finish(frame, start), frame.offset)
            elif kind == "eq":
                self.equals(start)
                continue
            elif kind == "end":
                raise self.unexpected_end(start)
            else:
                value, pos = self.atom(start)
                done, value = self.deliver(value, start)
            if done:
                return self.expect_end(value, pos)

    def unexpected_end(self, pos: int) -> NotationError:
        """The error for running out of input: an unclosed bracket or no expression."""
        if self.stack:
            frame = self.stack[-1]
            return self.fail(frame.offset, f"unclosed '{_OPENER_TEXT[frame.kind]}'")
        return self.fail(pos, "expected an expression")

    def expect_end(self, value: Tree, pos: int) -> Tree:
        """Return ``value`` if only whitespace and comments follow it."""
        pos = self.skip(pos)
        if pos < len(self.text):
            raise self.fail(pos, "unexpected text after the expression")
        return value

    # -- brackets -------------------------------------------------------

    def close(self, pos: int, ch: str) -> _Frame:
        """Pop the frame closed by bracket ``ch`` at ``pos``, checking it matches."""
        if not self.stack:
            raise self.fail(pos, f"unexpected '{ch}' with no open bracket")
        frame = self.stack[-1]
        want = _CLOSER_OF[frame.kind]
        if ch != want:
            line, col = self.where(frame.offset)
            raise self.fail(pos, f"expected '{want}' to close '{_OPENER_TEXT[frame.kind]}'"
                                 f" from {line}:{col}, found '{ch}'")
        return self.stack.pop()

    def where(self, offset: int) -> tuple[int, int]:
        """Line and column (1-based) of ``offset``."""
        line = self.text.count("\n", 0, offset) + 1
        return line, offset - (self.text.rfind("\n", 0, offset) + 1) + 1

    def finish(self, frame: _Frame, pos: int) -> Tree:
        """The tree a closed frame stands for; ``pos`` is its closing bracket."""
        items = frame.items
        if frame.kind == "app":
            if not items:
                raise self.fail(pos, "empty application '()'")
            return apps(items[0], *items[1:])
        if frame.kind == "pin":
            if not items:
                raise self.fail(pos, "empty pin '<>'")
            return Pin(items[0])
        if frame.kind == "law":
            if len(items) < 3:
                raise self.fail(pos, "a law needs a name, an arity and a body")
            return Law(items[0], items[1], items[2])
        if frame.kind == "row":
            return row(*items)
        if frame.kind == "set":
            return Law(1, 2, row(*items))
        if frame.awaiting == "=":
            raise self.fail(pos, "tab key without '=value'")
        if frame.awaiting == "value":
            raise self.fail(pos, "missing value after '='")
        return App(Law(1, 2, row(*frame.keys)), row(*items))

    def deliver(self, value: Tree, offset: int) -> tuple[bool, Tree]:
        """Hand a finished expression (starting at ``offset``) to the open frame.

        Returns ``(True, value)`` when there is no open frame: the top-level
        expression is complete.
        """
        if not self.stack:
            return True, value
        frame = self.stack[-1]
        if frame.kind == "tab":
            self.tab_item(frame, value, offset)
            return False, value
        n = len(frame.items)
        if frame.kind == "pin" and n >= 1:
            raise self.fail(offset, "a pin holds exactly one expression")
        if frame.kind == "law":
            if n >= 3:
                raise self.fail(offset, "a law has exactly three parts: name arity body")
            if n < 2 and not isinstance(value, int):
                part = "name" if n == 0 else "arity"
                raise self.fail(offset, f"a law {part} must be a nat")
        frame.items.append(value)
        return False, value

    def tab_item(self, frame: _Frame, value: Tree, offset: int) -> None:
        """Add a key or a value to a tab frame, in ``key=value`` order."""
        if frame.awaiting == "key":
            frame.keys.append(value)
            frame.awaiting = "="
        elif frame.awaiting == "value":
            frame.items.append(value)
            frame.awaiting = "key"
        else:
            raise self.fail(offset, "expected '=' after a tab key")

    def equals(self, pos: int) -> None:
        """Handle ``=``, which is only valid between a tab key and its value."""
        frame = self.stack[-1] if self.stack else None
        if frame is None or frame.kind != "tab" or frame.awaiting != "=":
            raise self.fail(pos, "unexpected '='")
        frame.awaiting = "value"

    # -- atoms ----------------------------------------------------------

    def atom(self, pos: int) -> tuple[Tree, int]:
        """Read a nat, string or bar at ``pos``; return it and the end offset."""
        text = self.text
        ch = text[pos]
        if "0" <= ch <= "9":
            end = _DIGITS.match(text, pos).end()
            value: Tree = parse_decimal(text[pos:end])
        elif ch == '"':
            data, end = self.string(pos)
            value = int.from_bytes(data, "little")
        elif text.startswith('b#"', pos):
            data, end = self.string(pos + 2)
            value = _bar(data)
        elif text.startswith("x#", pos):
            end = _HEX.match(text, pos + 2).end()
            digits = text[pos + 2:end]
            if len(digits) % 2:
                raise self.fail(pos, "a hex bar needs an even number of hex digits")
            value = _bar(bytes.fromhex(digits))
        else:
            raise self.fail(pos, f"unexpected character {ch!r}")
        if end < len(text) and not (text[end] in _DELIMITERS or text[end].isspace()):
            raise self.fail(end, f"unexpected character {text[end]!r} after "
                                 f"{text[pos:end][:20]!r}")
        return value, end

    def string(self, pos: int) -> tuple[bytes, int]:
        """Decode the quoted string starting at ``pos`` (the ``"``) to bytes."""
        text = self.text
        out = bytearray()
        i = pos + 1
        while True:
            m = _STRING_CHUNK.match(text, i)
            if m:
                out += m.group().encode("utf-8")
                i = m.end()
            if i >= len(text):
                raise self.fail(pos, "unterminated string")
            if text[i] == '"':
                return bytes(out), i + 1
            out += self.escape(i)
            i += 4 if text[i + 1:i + 2] == "x" else 2

    def escape(self, i: int) -> bytes:
        """The bytes of the escape sequence whose backslash is at ``i``."""
        code = self.text[i + 1:i + 2]
        if code in _ESCAPES:
            return _ESCAPES[code]
        if code == "x" and _HEX2.match(self.text, i + 2):
            return bytes.fromhex(self.text[i + 2:i + 4])
        if code == "x":
            raise self.fail(i, "bad escape: '\\x' needs two hex digits")
        shown = repr(code) if code else "end of input"
        raise self.fail(i, f"bad escape '\\' followed by {shown}")


def _bar(data: bytes) -> Law:
    """The bar law ``{1 1 N}`` holding ``data``."""
    return Law(1, 1, int.from_bytes(data + b"\x01", "little"))


def read(text: str, filename: str = "<input>") -> Tree:
    """Read one PLAN-notation expression from ``text``.

    Raises :class:`NotationError` (a ``ValueError``) with the position of the
    problem. Nesting depth is unlimited: the parser keeps its own stack.
    """
    return _Reader(text, filename).parse()


# ---------------------------------------------------------------------------
# Printer


def _printable(text: str) -> bool:
    """True if ``text`` can sit between double quotes without escapes."""
    return text.isprintable() and '"' not in text and "\\" not in text


class _Lit(str):
    """Finished output text on the printer's work stack (never mistaken for a tree)."""

    __slots__ = ()


_SPACE, _OPEN, _CLOSE = _Lit(" "), _Lit("("), _Lit(")")
_LT, _GT, _LBRACK, _RBRACK, _RBRACE = (_Lit(c) for c in "<>[]}")
_BYTE_TEXT = [_Lit(str(i)) for i in range(256)]


def _format_nat(n: int) -> str:
    """A nat as ``"text"`` if it spells a printable name (see module doc), else decimal."""
    if 0 <= n < 256:
        return _BYTE_TEXT[n]
    if n < 0:
        raise ValueError(f"not a nat: {n}")
    text = nat_text(n)
    if text is not None and _printable(text) and any(
            c.isalpha() or c == "_" for c in text):
        return f'"{text}"'
    return decimal_text(n)


def _format_bar(data: bytes) -> str:
    """A bar's bytes as ``b#"text"`` when printable UTF-8, else ``x#hex``."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and _printable(text):
        return f'b#"{text}"'
    return "x#" + data.hex()


def _row_items(t: Tree) -> Optional[list[Tree]]:
    """The elements of ``t`` (element 0 first) if it has the exact row shape."""
    if isinstance(t, Law):
        return [] if _is_cow(t, 0) else None
    if not isinstance(t, App):
        return None
    head, args = spine(t)
    if not _is_cow(head, len(args)):
        return None
    args.reverse()
    return args


def _is_cow(t: Tree, n: int) -> bool:
    """True if ``t`` is ``Law(0, n+1, 0)``, the constructor of n-element rows."""
    return (isinstance(t, Law) and t.name == 0 and t.arity == n + 1
            and isinstance(t.body, int) and t.body == 0)


def _set_keys(t: Tree) -> Optional[list[int]]:
    """The keys of ``t`` if it is ``Law(1, 2, row)`` with nat keys strictly ascending."""
    if not (isinstance(t, Law) and t.name == 1 and t.arity == 2):
        return None
    keys = _row_items(t.body)
    if keys is None or not all(isinstance(k, int) for k in keys):
        return None
    if any(a >= b for a, b in zip(keys, keys[1:])):
        return None
    return keys  # type: ignore[return-value]


def _bar_bytes(t: Law) -> Optional[bytes]:
    """The bytes of a bar-shaped law ``{1 1 N}``, or None."""
    n = t.body
    if t.name != 1 or t.arity != 1 or not isinstance(n, int) or n <= 0:
        return None
    size, extra = divmod(n.bit_length() - 1, 8)
    if extra:
        return None
    return n.to_bytes(size + 1, "little")[:size]


def _spaced(first: _Lit, items: list, last: _Lit) -> list:
    """``first``, then ``items`` separated by spaces, then ``last``."""
    out: list = [first]
    append = out.append
    for item in items:
        append(item)
        append(_SPACE)
    if items:
        out[-1] = last
    else:
        append(last)
    return out


def _tab_parts(keys: list[int], values: list[Tree]) -> list:
    """Pieces of ``#[k=v ...]``: formatted keys are strings, values stay trees."""
    parts: list = [_Lit("#[")]
    for i, (k, v) in enumerate(zip(keys, values)):
        parts.extend((_Lit((" " if i else "") + _format_nat(k) + "="), v))
    parts.append(_RBRACK)
    return parts


def _law_parts(t: Law) -> list:
    """Pieces of a law: ``[]``, a set, a bar or the plain ``{n a b}``."""
    if _is_cow(t, 0):
        return [_Lit("[]")]
    keys = _set_keys(t)
    if keys is not None:
        return [_Lit("%[" + " ".join(_format_nat(k) for k in keys) + "]")]
    data = _bar_bytes(t)
    if data is not None:
        return [_Lit(_format_bar(data))]
    if not isinstance(t.name, int) or not isinstance(t.arity, int):
        raise TypeError(f"law name and arity must be nats: {t!r}")
    return [_Lit(f"{{{_format_nat(t.name)} {_format_nat(t.arity)} "), t.body, _RBRACE]


def _app_parts(t: App) -> list:
    """Pieces of an application: a row, a tab or the flattened ``(f x y)``."""
    head, args = spine(t)
    if _is_cow(head, len(args)):
        args.reverse()
        return _spaced(_LBRACK, args, _RBRACK)
    if len(args) == 1:
        keys = _set_keys(head)
        if keys is not None:
            values = _row_items(args[0])
            if values is not None and len(values) == len(keys):
                return _tab_parts(keys, values)
    args.insert(0, head)
    return _spaced(_OPEN, args, _CLOSE)


def _parts(t: Tree) -> list:
    """One node's output: text to emit (:class:`_Lit`) and subtrees still to print."""
    if isinstance(t, Pin):
        return [_LT, t.item, _GT]
    if isinstance(t, Law):
        return _law_parts(t)
    if isinstance(t, App):
        return _app_parts(t)
    raise TypeError(f"not a PLAN tree: {type(t).__name__}")


def _render(tree: Tree, limit: Optional[int]) -> list[str]:
    """The printed text of ``tree`` as a list of strings, without recursion.

    A work stack holds finished text (:class:`_Lit`) and subtrees still to
    print. With a ``limit``, stop once more than ``limit`` characters are out.
    """
    out: list[str] = []
    size = 0
    todo: list = [tree]
    pop, push, emit = todo.pop, todo.extend, out.append
    while todo:
        item = pop()
        if type(item) is _Lit:
            emit(item)
        elif isinstance(item, int):
            emit(_format_nat(item))
        else:
            push(reversed(_parts(item)))
            continue
        if limit is not None:
            size += len(out[-1])
            if size > limit:
                break
    return out


def show(tree: Tree, width: Optional[int] = None) -> str:
    """Print ``tree`` in PLAN notation; ``read(show(t))`` is equal to ``t``.

    With ``width``, output longer than ``width`` characters is cut to
    ``width - 1`` characters followed by ``…`` (for display only: a cut
    string does not read back). Printing stops early in that case, so a huge
    tree costs only about ``width`` work.
    """
    text = "".join(_render(tree, width))
    if width is not None and len(text) > width:
        return text[: max(width - 1, 0)] + "…"
    return text

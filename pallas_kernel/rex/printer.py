"""Printing Rex trees: wide (one line) and tall (layout) forms.

The style is the reference's (``lib/Rex/Print.hs``): OPEN nodes print tall,
the rune right-aligned so its last byte sits at the node's column, closed
sons packed after it in lines of about 40 columns, open sons in a staircase
(the last one 4 columns in, each earlier one 4 more), trailing closed sons
2 columns in, and the heir at the node's own column; a line that starts
past the end of the previous one is then moved up onto it. Everything else
prints wide.

Unlike the reference, reading the output gives back the same tree for every
tree the reader can build. The reference's defects are avoided:

* an heir that would glue onto what precedes it is parenthesised:
  ``f(x)`` (a word heir after a word) and ``a(b+c)`` (a SHUT heir);
* a line string inside a closed form prints as a line string when it ends
  the line (``$} x``, ``x} foo``), continuing lines at the same column;
* an INFX son that is a ``|`` NEST with an heir keeps its parentheses.

Trees no source can produce (a PREF without exactly one son, an OPEN node
inside parens, a word with non-word characters, an embedded value, ...)
still print, as the nearest readable form; :func:`show` with
``strict=True`` refuses them instead.

Both printers work with explicit task stacks, so deep trees are fine.
"""

from __future__ import annotations

from typing import Optional

from ..errors import PallasError
from .model import RUNE_CHARS, WORD_CHARS, Embed, Leaf, Node, Rex

WIDTH = 40
_DELIMITERS = "_|#'~!$%&*+,-./:<=>?@\\^`" + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" + "()[]{};\""


class Unprintable(PallasError, ValueError):
    """The tree has no exact textual form (raised by ``show(strict=True)``)."""


class _Tail:
    """A line string ending a wide form: its text and the texts of the line
    strings chained below it."""

    __slots__ = ("texts",)

    def __init__(self, texts: list[str]):
        self.texts = texts


#: how much of an embedded value the printer shows
EMBED_LIMIT = 60


def _embedded_text(value: object) -> str:
    """An embedded value in PLAN notation, cut to EMBED_LIMIT characters
    (never a Python object's address: output must not change between runs)."""
    from .. import plan          # the core layer; imported late: printing embeds is rare

    try:
        text = plan.show(value)
    except (PallasError, TypeError):
        text = "?"
    return text if len(text) <= EMBED_LIMIT else text[:EMBED_LIMIT] + "..."


def _width(text: str) -> int:
    """Columns a text takes: the reader counts bytes of UTF-8."""
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def is_word(text: str) -> bool:
    return bool(text) and all(c in WORD_CHARS for c in text)


def is_rune(text: str) -> bool:
    return bool(text) and all(c in RUNE_CHARS for c in text)


def text_form(text: str) -> Optional[str]:
    """A string literal reading back as ``text`` (TEXT), or None if none
    exists (a newline, or every delimiter used)."""
    if "\n" in text:
        return None
    depth = 0
    for c in text:
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth < 0:
                break
    if depth == 0:
        return "{" + text + "}"
    if '"' not in text:
        return '"' + text + '"'
    for x in _DELIMITERS:
        if x not in text:
            return "}" + x + text + x
    return None


def _line_chain(rex: Leaf) -> Optional[list[str]]:
    """The texts of a LINE leaf and the LINE leaves chained as its heirs, or
    None if the chain holds anything else."""
    texts = []
    cur: Optional[Rex] = rex
    while cur is not None:
        if not (isinstance(cur, Leaf) and cur.shape == "LINE"):
            return None
        texts.append(cur.text)
        cur = cur.heir
    return texts


class _Wide:
    """One wide rendering; ``flaws`` collects what could not be printed exactly."""

    def __init__(self, flaws: list[str]):
        self.flaws = flaws
        self.out: list[object] = []

    def _last_char(self) -> str:
        for p in reversed(self.out):
            if isinstance(p, _Tail):
                return "}"
            if p:
                return p[-1]
        return ""

    def _text(self, text: str) -> str:
        form = text_form(text)
        if form is None:
            self.flaws.append(f"text {text!r} has no string form")
            return "{" + text.replace("\n", " ") + "}"
        return form

    def render(self, rex: Rex) -> tuple[str, Optional[list[str]]]:
        """(line, chained line-string texts or None)."""
        tasks: list[object] = [("t", rex, False)]
        while tasks:
            task = tasks.pop()
            if isinstance(task, str):
                self.out.append(task)
            elif task[0] == "t":
                self._tight(task[1], task[2], tasks)
            else:
                self._heir(task[1], tasks)
        tail = None
        self.tail_col = 0
        if self.out and isinstance(self.out[-1], _Tail):
            texts = self.out.pop().texts
            tail = texts[1:]
            self.tail_col = sum(_width(p) if isinstance(p, str) else 0 for p in self.out)
            self.out.append("} " + texts[0] if texts[0] else "}")
        for k, p in enumerate(self.out):
            if isinstance(p, _Tail):
                self.flaws.append("a line string is followed by more on its line")
                self.out[k] = self._text(" ".join(p.texts))
        return "".join(self.out), tail

    def _heir(self, h: Rex, tasks: list) -> None:
        """Print an heir right after what precedes it. Only its head is
        parenthesised when needed (a word after a word; a PREF or SHUT), so
        the rest of its chain, which may end in a line string, stays bare:
        juxtaposed elements append to the end of the chain either way."""
        if isinstance(h, Leaf) and h.shape == "WORD" and is_word(h.text) and self._last_char() in WORD_CHARS:
            self.out.append("(" + h.text + ")")
            if h.heir is not None:
                tasks.append(("h", h.heir))
            return
        tasks.append(("t", h, True))

    def _tight(self, r: Rex, atomic: bool, tasks: list) -> None:
        """Push the tasks that print ``r`` with its heir chain; ``atomic``
        asks for parens around a PREF or SHUT."""
        if isinstance(r, Embed):
            self.flaws.append("an embedded value has no source form")
            self.out.append(self._text(f"<embedded {_embedded_text(r.value)}>"))
            return
        if isinstance(r, Leaf) and r.shape == "LINE" and _line_chain(r) is not None:
            self.out.append(_Tail(_line_chain(r)))  # the chain prints below
            return
        if r.heir is not None:
            tasks.append(("h", r.heir))
        if isinstance(r, Leaf):
            self._leaf(r, tasks)
            return
        shape, rune, sons = r.shape, r.rune, r.sons
        if not is_rune(rune):
            self.flaws.append(f"invalid rune {rune!r}")
        if shape == "PREF" and len(sons) != 1 or shape in ("SHUT", "INFX") and len(sons) < 2:
            self.flaws.append(f"{shape} with {len(sons)} sons")
            shape = "NEST"
        if shape == "OPEN":
            self.flaws.append("an OPEN node inside a closed form")
            shape = "NEST"
        if shape in ("PREF", "SHUT") and (atomic or r.heir is not None):
            self.out.append("(")
            tasks.append(")")
        if shape == "PREF":
            tasks.append(("t", sons[0], isinstance(sons[0], Node) and sons[0].shape == "PREF"))
            tasks.append(rune)
        elif shape == "SHUT":
            self._join(tasks, [("t", s, True) for s in sons], rune)
        elif shape == "INFX":
            items = []
            for s in sons:
                if isinstance(s, Node) and s.shape == "NEST" and s.rune == "|" and len(s.sons) >= 2 and s.heir is None:
                    items.append([("t", x, False) for x in s.sons])
                else:
                    items.append([("t", s, False)])
            seq: list[object] = ["("]
            for k, group in enumerate(items):
                if k:
                    seq.append(f" {rune} ")
                for j, t in enumerate(group):
                    if j:
                        seq.append(" ")
                    seq.append(t)
            seq.append(")")
            tasks.extend(reversed(seq))
        else:
            self._nest(rune, sons, tasks)

    def _leaf(self, r: Leaf, tasks: list) -> None:
        if r.shape == "WORD":
            if is_word(r.text):
                self.out.append(r.text)
            else:
                self.flaws.append(f"word {r.text!r} has non-word characters")
                self.out.append(self._text(r.text))
        elif r.shape == "LINE":
            self.flaws.append("a line string with a heir that is not a line string")
            self.out.append(self._text(r.text))
        else:
            self.out.append(self._text(r.text))

    def _nest(self, rune: str, sons: tuple, tasks: list) -> None:
        kids = [("t", s, False) for s in sons]
        if rune == ",":
            seq: list[object] = ["["]
            body = kids
        elif rune == "|" and len(sons) != 1:
            seq = ["("]
            body = kids
        else:
            seq = ["(", rune] + ([" "] if kids else [])
            body = kids
        for k, t in enumerate(body):
            if k:
                seq.append(" ")
            seq.append(t)
        seq.append("]" if rune == "," else ")")
        tasks.extend(reversed(seq))

    @staticmethod
    def _join(tasks: list, items: list, sep: str) -> None:
        seq: list[object] = []
        for k, t in enumerate(items):
            if k:
                seq.append(sep)
            seq.append(t)
        tasks.extend(reversed(seq))


def wide(rex: Rex, flaws: Optional[list[str]] = None) -> str:
    """The one-line form of a tree (an OPEN node prints as a NEST, which
    changes its shape; use :func:`show` for blocks)."""
    text, tail = _Wide(flaws if flaws is not None else []).render(rex)
    if tail:
        text += "".join(" } " + t for t in tail)
        if flaws is not None:
            flaws.append("a chain of line strings in a one-line form")
    return text


# -- Tall form ----------------------------------------------------------------


def _need(rex: Rex) -> int:
    """The least column an OPEN node (and the OPEN heirs at its column) can
    sit at: its runes' last bytes may not fall left of column 0."""
    need = 0
    cur: Optional[Rex] = rex
    while isinstance(cur, Node) and cur.shape == "OPEN":
        need = max(need, len(cur.rune) - 1)
        cur = cur.heir
    return need


class _Tall:
    """Lines of a tall rendering: (column, text, ends with a line string)."""

    def __init__(self, flaws: list[str]):
        self.flaws = flaws
        self.lines: list[list] = []
        self.wides: dict[int, tuple[str, Optional[list[str]], int]] = {}

    def _wide(self, r: Rex) -> tuple[str, Optional[list[str]], int]:
        """(text, chained line strings or None, column of the tail's ``}``)."""
        got = self.wides.get(id(r))
        if got is None:
            w = _Wide(self.flaws)
            text, tail = w.render(r)
            got = self.wides[id(r)] = (text, tail, w.tail_col)
        return got

    def _phrasic(self, r: Rex) -> bool:
        if isinstance(r, Node) and r.shape == "OPEN":
            return False
        if isinstance(r, Leaf) and r.shape == "LINE":
            return False
        return self._wide(r)[1] is None

    def render(self, rex: Rex) -> list[list]:
        tasks: list[tuple] = [("item", rex, _need(rex))]
        while tasks:
            task = tasks.pop()
            if task[0] == "line":
                self.lines.append([task[1], task[2], task[3]])
            elif task[0] == "item":
                self._item(task[1], task[2], tasks)
            else:
                self._open(task[1], task[2], tasks)
        return self.lines

    def _item(self, r: Rex, col: int, tasks: list) -> None:
        if isinstance(r, Node) and r.shape == "OPEN":
            self._open(r, col, tasks)
            return
        if isinstance(r, Leaf) and r.shape == "LINE" and _line_chain(r) is not None:
            texts = _line_chain(r)
            for t in reversed(texts):
                tasks.append(("line", col, "} " + t if t else "}", True))
            return
        text, tail, tail_col = self._wide(r)
        if tail is None:
            tasks.append(("line", col, text, False))
            return
        at = col + tail_col
        for t in reversed(tail):
            tasks.append(("line", at, "} " + t if t else "}", True))
        tasks.append(("line", col, text, True))

    def _pack(self, phrases: list[str], first: str, col: int, more_col: int) -> list[tuple]:
        """Lines holding the phrases greedily: the first starts with ``first``."""
        lines = []
        cur, cur_col = first, col
        for p in phrases:
            if cur and len(cur) + 1 + len(p) > WIDTH and cur != first:
                lines.append(("line", cur_col, cur, False))
                cur, cur_col = p, more_col
            else:
                cur = cur + " " + p if cur else p
        if cur:
            lines.append(("line", cur_col, cur, False))
        return lines

    def _open(self, n: Node, d: int, tasks: list) -> None:
        if not is_rune(n.rune):
            self.flaws.append(f"invalid rune {n.rune!r}")
        sons = list(n.sons)
        a = 0
        while a < len(sons) and self._phrasic(sons[a]):
            a += 1
        b = len(sons)
        while b > a and self._phrasic(sons[b - 1]):
            b -= 1
        out: list[tuple] = []
        rune_col = d + 1 - len(n.rune)
        out += self._pack([self._wide(s)[0] for s in sons[:a]], n.rune, rune_col, d + 2)
        groups: list[list[Rex]] = []
        for s in sons[a:b]:
            if self._phrasic(s):
                if groups and isinstance(groups[-1], list) and groups[-1] and self._phrasic(groups[-1][0]):
                    groups[-1].append(s)
                    continue
                groups.append([s])
            else:
                groups.append([s])
        cols = [0] * len(groups)
        nxt = d
        for k in range(len(groups) - 1, -1, -1):
            g = groups[k]
            need = 0 if self._phrasic(g[0]) else _need(g[0])
            nxt = cols[k] = max(nxt + 4, need)
        for g, c in zip(groups, cols):
            if self._phrasic(g[0]):
                out += self._pack([self._wide(s)[0] for s in g], "", c, c)
            else:
                out.append(("item", g[0], c))
        out += self._pack([self._wide(s)[0] for s in sons[b:]], "", d + 2, d + 2)
        if n.heir is not None:
            out.append(("item", n.heir, d))
        tasks.extend(reversed(out))


def _massage(lines: list[list]) -> list[str]:
    """Move each line that starts past the end of the previous one up onto
    it (the parse depends only on columns, so the tree is the same); a line
    ending in a line string takes nothing after it."""
    merged: list[list] = []
    for col, text, ends in lines:
        if merged:
            pcol, ptext, pends = merged[-1]
            end = pcol + _width(ptext)
            if not pends and col > end:
                merged[-1] = [pcol, ptext + " " * (col - end) + text, ends]
                continue
        merged.append([col, text, ends])
    return [" " * col + text for col, text, _ in merged]


def show(rex: Rex, strict: bool = False) -> str:
    """A block's text (no final newline): reading it gives back ``rex``.
    With ``strict``, raise :class:`Unprintable` for trees that have no
    exact form instead of printing the nearest one."""
    flaws: list[str] = []
    if isinstance(rex, Node) and rex.shape == "OPEN" or isinstance(rex, Leaf) and rex.shape == "LINE":
        lines = _Tall(flaws).render(rex)
        text = "\n".join(_massage(lines))
    else:
        w = _Wide(flaws)
        text, tail = w.render(rex)
        if tail:  # only a rune block can continue a line string: keep the text anyway
            flaws.append("a top-level line has a chain of line strings")
            text += "".join("\n" + " " * w.tail_col + ("} " + t if t else "}") for t in tail)
    if strict and flaws:
        raise Unprintable(flaws[0])
    return text


def readable(rex: Rex) -> bool:
    """Whether ``show`` prints ``rex`` exactly (it reads back as ``rex``)."""
    try:
        show(rex, strict=True)
    except Unprintable:
        return False
    return True

"""The closed-form policy: what a clump, a ``( .. )`` and a ``[ .. ]`` mean.

Inside one clump (no spaces):

* elements written together are an heir chain: ``f(x)`` is ``f`` with heir
  ``x``, ``a b c`` glued is ``a`` -> ``b`` -> ``c``;
* a leading rune is a prefix over the whole rest: ``-a+b`` is ``-(a+b)``;
* runes between elements are tight infix (SHUT), regrouped left to right
  whenever the rune changes: ``a+b*c`` is ``(a+b)*c``. There is no precedence.

Inside parens the children are clumps; a clump that is a lone rune is a
*standalone* rune. ``(r a b)`` is NEST r (and a later standalone rune opens
a nested prefix form over the rest), ``(a b)`` is NEST ``|``, ``(a)`` is just
``a``, ``(f x + g y)`` is INFX ``+`` over the groups ``(f x)`` and ``(g y)``.
Brackets ``[a b]`` are NEST ``,``; standalone runes in them are dropped (the
validator reports them).

Nested tokens are turned into trees innermost first (each line lists them in
closing order), so nothing here recurses on the depth of the input.
"""

from __future__ import annotations

import codecs
from typing import Optional

from .lexer import BRAK, CORD, LINE, PARA, QUOT, RUNE, WORD, Tok
from .model import Rex, Span, add_heir, make_leaf, make_node, new_span


def _span(t: Tok) -> Span:
    line = t.line
    return new_span(Span, line.file, line.num, t.off + 1, line.data)


def _text(data: bytes) -> str:
    """String bytes as text, decoded leniently as the reference does: each
    byte that is not part of a valid UTF-8 sequence becomes one U+FFFD (so a
    truncated 3-byte sequence gives two, not one as Python's "replace" would)."""
    return data.decode("utf-8", "rex-lenient")


def _lenient(err: UnicodeDecodeError) -> tuple[str, int]:
    """The codec error handler of :func:`_text`: replace one byte, go on."""
    return "\ufffd", err.start + 1


codecs.register_error("rex-lenient", _lenient)


def element_rex(t: Tok) -> Rex:
    """The tree of one element of a clump (nested forms must be done already)."""
    kind = t.kind
    if kind == WORD:  # the common case, inlined
        line = t.line
        off = t.off
        data = line.data
        return make_leaf("WORD", data[off:t.end].decode("ascii"), None,
                         new_span(Span, line.file, line.num, off + 1, data))
    if kind == CORD:
        return make_leaf("TEXT", _text(t.bar()[1:-1]), None, _span(t))
    if kind == QUOT:
        return make_leaf("TEXT", _text(t.bar()[2:-1]), None, _span(t))
    if kind == LINE:
        heir: Optional[Rex] = None
        for m in reversed(t.more):
            heir = make_leaf("LINE", _text(m.bar()[2:]), heir, _span(m))
        return make_leaf("LINE", _text(t.bar()[2:]), heir, _span(t))
    if kind == PARA or kind == BRAK:
        return t.rex
    raise ValueError(f"no tree for a token of kind {kind} (the block has errors)")


def _heir_seq(elems: list[Tok]) -> Rex:
    """Elements written together: the first, with each next one appended to
    the end of the heir chain. Appending is associative, so the chain is
    built from the right: each element's own chain is copied once, and
    ``f(a)(b)(c)..`` costs linear time, not quadratic."""
    out = element_rex(elems[-1])
    for e in reversed(elems[:-1]):
        out = add_heir(element_rex(e), out)
    return out


def clump_rex(c: list[Tok]) -> Rex:
    """The tree of a clump that is not a lone rune."""
    if len(c) == 1:  # the common case: one word, string or nested form
        t = c[0]
        if t.kind == WORD:  # element_rex's first case, inlined: the most common of all
            line = t.line
            off = t.off
            data = line.data
            return make_leaf("WORD", data[off:t.end].decode("ascii"), None,
                             new_span(Span, line.file, line.num, off + 1, data))
        return element_rex(t)
    if c[0].kind == RUNE:
        return make_node("PREF", c[0].bar().decode("ascii"), (clump_rex(c[1:]),), None, _span(c[0]))
    start = _span(c[0])
    groups: list[list[Tok]] = [[]]
    runes: list[str] = []
    for e in c:
        if e.kind == RUNE:
            runes.append(e.bar().decode("ascii"))
            groups.append([])
        else:
            groups[-1].append(e)
    if not runes:
        return _heir_seq(groups[0])
    acc = [_heir_seq(groups[0])]
    rune = runes[0]
    for k, g in enumerate(groups[1:], 1):
        acc.append(_heir_seq(g))
        nxt = runes[k] if k < len(runes) else None
        if nxt is not None and nxt != rune:
            acc = [make_node("SHUT", rune, tuple(acc), None, start)]
            rune = nxt
    return make_node("SHUT", rune, tuple(acc), None, start)


def _standalone(c: list[Tok]) -> Optional[str]:
    """The rune of a clump that is a lone rune, else None."""
    if len(c) == 1 and c[0].kind == RUNE:
        return c[0].bar().decode("ascii")
    return None


def _paren_seq(items: list[list[Tok]], span: Span) -> Rex:
    """A group of items: one item is itself, several are NEST ``|``."""
    if len(items) == 1:
        return clump_rex(items[0])
    return make_node("NEST", "|", tuple([clump_rex(c) for c in items]), None, span)


def _prefixed(rune: str, rest: list[list[Tok]], span: Span) -> Rex:
    """``(r a b s c d)``: NEST r over the items, where each later standalone
    rune s opens a nested NEST s over everything after it."""
    segments: list[tuple[str, list[Rex]]] = [(rune, [])]
    for c in rest:
        r = _standalone(c)
        if r is None:
            segments[-1][1].append(clump_rex(c))
        else:
            segments.append((r, []))
    out: Optional[Rex] = None
    for r, items in reversed(segments):
        if out is not None:
            items.append(out)
        out = make_node("NEST", r, tuple(items), None, span)
    return out


def paren_rex(t: Tok) -> Rex:
    """The tree of a ``( .. )`` token."""
    span = _span(t)
    kids = t.kids
    if not kids:
        return make_node("NEST", "|", (), None, span)
    first = _standalone(kids[0])
    if first is not None:
        return _prefixed(first, kids[1:], span)
    # Infix mode: groups of items between standalone runes.
    k = 0
    group: list[list[Tok]] = []
    while k < len(kids) and _standalone(kids[k]) is None:
        group.append(kids[k])
        k += 1
    if k == len(kids):
        return _paren_seq(group, span)
    rune = _standalone(kids[k])
    acc = [_paren_seq(group, span)]
    k += 1
    while True:
        if k < len(kids) and _standalone(kids[k]) is not None:
            # A rune right after an infix rune: prefix form for the rest.
            acc.append(_prefixed(_standalone(kids[k]), kids[k + 1:], span))
            return make_node("INFX", rune, tuple(acc), None, span)
        group = []
        while k < len(kids) and _standalone(kids[k]) is None:
            group.append(kids[k])
            k += 1
        if k == len(kids):
            acc.append(_paren_seq(group, span) if group else make_node("NEST", "|", (), None, span))
            return make_node("INFX", rune, tuple(acc), None, span)
        acc.append(_paren_seq(group, span))
        nxt = _standalone(kids[k])
        k += 1
        if nxt != rune:
            acc = [make_node("INFX", rune, tuple(acc), None, span)]
            rune = nxt


def brak_rex(t: Tok) -> Rex:
    """The tree of a ``[ .. ]`` token: NEST ``,`` over its items."""
    sons = tuple([clump_rex(c) for c in t.kids if _standalone(c) is None])
    return make_node("NEST", ",", sons, None, _span(t))


def nested_rex(t: Tok) -> Rex:
    """The tree of a PARA or BRAK token whose inner forms are done."""
    return paren_rex(t) if t.kind == PARA else brak_rex(t)

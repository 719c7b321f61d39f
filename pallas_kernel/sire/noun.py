"""The PLAN form of Sire ASTs and bindings, as macros see them.

The compiler state that macros receive holds bindings as PLAN values, and a
binding holds the AST of its code, so both encodings must be bit-exact with
the reference (``sireNoun`` and ``mkNewBind`` in ``lib/Sire/Types.hs``,
read back by ``getSyr`` and ``getBinding`` in ``lib/Sire.hs``):

    V n        n                                  (a bare nat)
    K x        [%K x]
    G b        [%G bindingPin]
    A f x      [%A f x]
    L v b      [%L v b]
    R vs b     [%R [v1 v2 ...] b]
    M x        [%M x]
    F lam      [%F pin mark recr tag args body]   (flags are 0 or 1)

    binding    <[key value code location name props]>

``%K`` is the nat of the text ``K``; rows are the PLAN rows of
:func:`pallas_kernel.plan.tree.row`. Both directions walk without recursion, and
decoding shares: one binding pin gives one :class:`~.ast.Bind`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Optional

from ..errors import SireError
from ..plan.notation import show
from ..plan.tree import Pin, Tree, row, text_nat
from ..plan.view import row_items
from .ast import A, Bind, F, G, K, L, Lam, M, R, Sire, V
from .walk import Step, run

_K, _G, _A, _L, _R, _M, _F = (text_nat(c) for c in "KGALRMF")

#: Decoded bindings by the id of their pin (the pin is kept alive with it).
BindCache = dict[int, tuple[Tree, Bind]]


def sire_noun(expr: Sire) -> Tree:
    """The PLAN form of an AST (each binding's pin is built once, and shared
    by all references to it)."""
    return run(_encode(expr, {}))


def bind_noun(bind: Bind) -> Tree:
    """The PLAN form of a binding: a pinned row of six."""
    return run(_encode_bind(bind, {}))


def with_noun(bind: Bind) -> Bind:
    """The binding with its PLAN form computed and remembered."""
    return bind if bind.noun is not None else replace(bind, noun=bind_noun(bind))


def _encode(e: Sire, pins: dict[int, tuple[Bind, Tree]]) -> Step[Tree]:
    """Generator form of :func:`sire_noun` (see :mod:`.walk`); ``pins``
    holds the binding pins built so far, by binding identity."""
    match e:
        case V(index):
            return index
        case K(value):
            return row(_K, value)
        case G(bind):
            return row(_G, (yield _encode_bind(bind, pins)))
        case A(f, x):
            f_noun = yield _encode(f, pins)
            return row(_A, f_noun, (yield _encode(x, pins)))
        case L(v, b):
            v_noun = yield _encode(v, pins)
            return row(_L, v_noun, (yield _encode(b, pins)))
        case R(vs, b):
            v_nouns = []
            for v in vs:
                v_nouns.append((yield _encode(v, pins)))
            return row(_R, row(*v_nouns), (yield _encode(b, pins)))
        case M(x):
            return row(_M, (yield _encode(x, pins)))
        case F(lam):
            body = yield _encode(lam.body, pins)
            return row(_F, int(lam.pin), int(lam.mark), int(lam.recr), lam.tag,
                       lam.args, body)
    raise SireError(f"not a Sire AST node: {type(e).__name__}")


def _encode_bind(bind: Bind, pins: dict[int, tuple[Bind, Tree]]) -> Step[Tree]:
    """A binding's pin: its known noun, else built once per binding."""
    if bind.noun is not None:
        return bind.noun
    hit = pins.get(id(bind))
    if hit is not None and hit[0] is bind:
        return hit[1]
    code = yield _encode(bind.code, pins)
    noun = Pin(row(bind.key, bind.value, code, bind.location, bind.name, bind.props))
    pins[id(bind)] = (bind, noun)
    return noun


def sire_from_noun(noun: Tree, cache: Optional[BindCache] = None) -> Sire:
    """The AST a PLAN value encodes; a clear error if it encodes none.

    ``cache`` shares decoded bindings between calls (pass the same dict to
    decode a whole compiler state once).
    """
    return run(_decode(noun, {} if cache is None else cache))


def bind_from_noun(noun: Tree, cache: Optional[BindCache] = None) -> Bind:
    """The binding a binding pin encodes (see :func:`sire_from_noun`)."""
    return run(_decode_bind(noun, {} if cache is None else cache))


def _bad(what: str, value: Tree) -> SireError:
    """An error about a malformed encoding, showing (the start of) the value."""
    text = show(value)
    if len(text) > 200:
        text = text[:200] + "..."
    return SireError(f"bad {what}: {text}")


def _decode(noun: Tree, cache: BindCache) -> Step[Sire]:
    """Generator form of :func:`sire_from_noun`."""
    if isinstance(noun, int):
        return V(noun)
    items = row_items(noun)
    if not items or not isinstance(items[0], int):
        raise _bad("Sire AST", noun)
    tag, rest = items[0], items[1:]
    if tag == _K and len(rest) == 1:
        return K(rest[0])
    if tag == _G and len(rest) == 1:
        return G((yield _decode_bind(rest[0], cache)))
    if tag in (_A, _L) and len(rest) == 2:
        first = yield _decode(rest[0], cache)
        second = yield _decode(rest[1], cache)
        return A(first, second) if tag == _A else L(first, second)
    if tag == _R and len(rest) == 2:
        binds = row_items(rest[0])
        if binds is None:
            raise _bad("letrec bindings (not a row)", rest[0])
        values = []
        for v in binds:
            values.append((yield _decode(v, cache)))
        return R(tuple(values), (yield _decode(rest[1], cache)))
    if tag == _M and len(rest) == 1:
        return M((yield _decode(rest[0], cache)))
    if tag == _F and len(rest) == 6:
        pin, mark, recr, lam_tag, args, body = rest
        if not (isinstance(lam_tag, int) and isinstance(args, int)):
            raise _bad("lambda (tag and arity must be nats)", noun)
        return F(Lam(pin=_flag(pin, noun), mark=_flag(mark, noun), recr=_flag(recr, noun),
                     tag=lam_tag, args=args, body=(yield _decode(body, cache))))
    raise _bad("Sire AST", noun)


def _flag(value: Tree, where: Tree) -> bool:
    """A lambda flag: 0 or 1."""
    if value == 0 or value == 1:
        return bool(value)
    raise _bad("lambda flag (must be 0 or 1)", where)


def _decode_bind(noun: Tree, cache: BindCache) -> Step[Bind]:
    """Decode a binding pin, once per pin object."""
    hit = cache.get(id(noun))
    if hit is not None and hit[0] is noun:
        return hit[1]
    items = row_items(noun.item) if isinstance(noun, Pin) else None
    if items is None or len(items) != 6 or not isinstance(items[0], int):
        raise _bad("binding (not a pinned row of six)", noun)
    key, value, code, location, name, props = items
    bind = Bind(key=key, value=value, code=(yield _decode(code, cache)),
                location=location, name=name, props=props, noun=noun)
    cache[id(noun)] = (noun, bind)
    return bind

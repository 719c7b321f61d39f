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

``%K`` is the nat of the text ``K``. This is the one codec of both: the
front end's :class:`~.state.State` builds its PLAN form with it and reads
back the states macros return. Bindings are core values (pins), and a
``known`` cache (one per state lineage, ``State.known``) maps each binding
key to the binding and its pin, so a binding is made into a pin once, and a
pin read back is the known binding again when its hash agrees. Every walk
runs on the :mod:`.walk` trampoline, across bindings too (a binding's code
refers to bindings whose code refers to bindings...), so neither a deep AST
nor a long chain of bindings grows the Python stack.
"""

from __future__ import annotations

from functools import partial
from typing import Optional

from ..errors import SireError
from .. import _core
from ..plan import Value, from_tree
from ..plan import view
from ..plan.tree import Pin, text_nat
from .ast import A, Bind, F, G, K, L, Lam, LazyCode, M, R, Sire, V
from .walk import Step, run

_K, _G, _A, _L, _R, _M, _F = (text_nat(c) for c in "KGALRMF")

#: bindings already made into pins or read from them, by key: (bind, its
#: pin). Each state lineage has its own (``State.known``, shared by copies);
#: nothing is cached process-wide.
Known = dict  # of key (int) -> tuple[Bind, Value], and pin hash (bytes) -> Bind

# The one view of trees and values (:mod:`pallas_kernel.plan.view`), raising
# SireError here: a macro gave a malformed state, binding or AST.
layer = view.layer
nat_of = partial(view.nat_of, error=SireError)
row_items = partial(view.row_items, error=SireError)
tab_items = partial(view.tab_items, error=SireError)


# ----- encoding ------------------------------------------------------------------

def encode_ast(expr: Sire, known: Optional[Known] = None) -> Value:
    """The reference's PLAN encoding of an AST (``sireNoun``), as a core
    value (``known`` caches the binding pins by key)."""
    return _core.build(run(_encode(expr, {} if known is None else known, {})))


def bind_pin(b: Bind, known: Optional[Known] = None) -> Value:
    """The binding's pin ``PIN [key value code location name props]`` (the
    known one if ``known`` holds this very binding)."""
    if known is not None:
        hit = known.get(b.key)      # made before: no walk to start
        if hit is not None and hit[0] is b:
            return hit[1]
    return run(_bind_pin(b, {} if known is None else known, {}))


def _leaf(x: object) -> object:
    """A constant as a leaf of :func:`_core.build`: nats and core values as
    they are, trees read into the core."""
    return x if isinstance(x, (int, Value)) else from_tree(x)


# The encoding is built as nested tuples (rows) with nats and core values
# at the leaves, which the core turns into a value in one call
# (``_core.build``), with no tree object per node.
Nest = object


def _encode(e: Sire, known: Known, done: dict[int, Nest]) -> Step[Nest]:
    """Generator form of :func:`encode_ast` (see :mod:`.walk`); ``done``
    holds the nodes encoded so far, so a shared subtree is encoded once
    (and built once: the core shares a tuple met twice)."""
    hit = done.get(id(e))
    if hit is not None:
        return hit
    match e:
        case V(i):
            out = i
        case K(x):
            out = (_K, _leaf(x))
        case G(b):
            out = (_G, (yield _bind_pin(b, known, done)))
        case A(f, x):
            fo = yield _encode(f, known, done)
            xo = _encoded_leaf(x, known, done)
            out = (_A, fo, (yield _encode(x, known, done)) if xo is None else xo)
        case L(v, b):
            out = (_L, (yield _encode(v, known, done)), (yield _encode(b, known, done)))
        case R(vs, b):
            items = []
            for v in vs:
                items.append((yield _encode(v, known, done)))
            out = (_R, tuple(items), (yield _encode(b, known, done)))
        case M(x):
            out = (_M, (yield _encode(x, known, done)))
        case F(lam):
            body = yield _encode(lam.body, known, done)
            out = (_F, int(lam.pin), int(lam.mark), int(lam.recr), lam.tag, lam.args, body)
        case _:
            raise SireError(f"not a Sire AST node: {type(e).__name__}")
    done[id(e)] = out
    return out


def _encoded_leaf(e: Sire, known: Known, done: dict[int, Nest]) -> Optional[Nest]:
    """What :func:`_encode` gives for a variable, a constant or a global
    whose pin is known, without starting a walk; None for other nodes."""
    if isinstance(e, V):
        return e.index
    if isinstance(e, K):
        hit = done.get(id(e))
        if hit is None:
            hit = done[id(e)] = (_K, _leaf(e.value))
        return hit
    if isinstance(e, G):
        pin = known.get(e.bind.key)
        if pin is not None and pin[0] is e.bind:
            return (_G, pin[1])
    return None


def _bind_pin(b: Bind, known: Known, done: dict[int, Nest]) -> Step[Value]:
    """Generator form of :func:`bind_pin`."""
    hit = known.get(b.key)
    if hit is not None and hit[0] is b:
        return hit[1]
    code = _leaf(b.code.source) if isinstance(b.code, LazyCode) else (yield _encode(b.code, known, done))
    item = _core.build((b.key, _leaf(b.value), code, _leaf(b.location), _leaf(b.name), _leaf(b.props)))
    pin = from_tree(Pin(item)).force()
    known[b.key] = (b, pin)
    known[pin.pin_hash()] = b
    return pin


# ----- decoding ------------------------------------------------------------------

def decode_ast(t: object, known: Optional[Known] = None) -> Sire:
    """An AST from its PLAN encoding (``getSyr``), a tree or a core value;
    a SireError naming the part that encodes no AST."""
    return run(_decode(t, {} if known is None else known))


def bind_of_pin(p: object, known: Optional[Known] = None) -> Bind:
    """The binding a pin encodes (``getBinding``): the known binding of its
    key when the pin has the same hash (a structural comparison would walk
    whole values), else a new one, remembered in ``known`` when ``p`` is a
    core value."""
    if known is not None and isinstance(p, Value) and p.kind == "pin":
        hit = known.get(p.pin_hash())      # the same pin seen before: no decoding
        if hit is not None:
            return hit
    return _bind_of_pin(p, {} if known is None else known)


def _decode(t: object, known: Known) -> Step[Sire]:
    """Generator form of :func:`decode_ast`."""
    v = layer(t)
    if isinstance(v, int):
        return V(v)
    items = row_items(v, "Sire code")
    tag = nat_of(items[0], "a Sire code tag") if items else None
    if tag == _K and len(items) == 2:
        return K(items[1])
    if tag == _G and len(items) == 2:
        return G(_bind_of_pin(items[1], known))
    if tag in (_A, _L) and len(items) == 3:
        first = yield _decode(items[1], known)
        second = yield _decode(items[2], known)
        return A(first, second) if tag == _A else L(first, second)
    if tag == _R and len(items) == 3:
        values = []
        for item in row_items(items[1], "letrec bindings"):
            values.append((yield _decode(item, known)))
        return R(tuple(values), (yield _decode(items[2], known)))
    if tag == _M and len(items) == 2:
        return M((yield _decode(items[1], known)))
    if tag == _F and len(items) == 7:
        pin, mark, recr = (_flag(i) for i in items[1:4])
        ltag, nargs = (nat_of(i, "a lambda's tag or arity") for i in items[4:6])
        return F(Lam(pin, mark, recr, ltag, nargs, (yield _decode(items[6], known))))
    name = view.name_text(tag) if tag is not None else "none"
    raise SireError(f"malformed Sire code: tag {name} with {len(items) - 1} fields")


def _flag(t: object) -> bool:
    """A lambda flag: the nat 0 or 1."""
    n = nat_of(t, "a lambda flag")
    if n not in (0, 1):
        raise SireError(f"a lambda flag is {n}, not 0 or 1")
    return bool(n)


def _bind_of_pin(p: object, known: Known) -> Bind:
    """:func:`bind_of_pin` with a cache (its code is decoded lazily, so
    this never recurses)."""
    t = layer(p)
    if not isinstance(t, Pin):
        raise SireError("a binding is not a pin")
    items = row_items(t.item, "a binding")
    if len(items) != 6:
        raise SireError("a binding is not a row of six")
    key = nat_of(items[0], "a binding key")
    hit = known.get(key)
    if hit is not None and isinstance(p, Value) and (
            hit[1] is p or hit[1].pin_hash() == p.pin_hash()):
        return hit[0]
    b = Bind(key=key, value=items[1], code=LazyCode(items[2], partial(decode_ast, known=known)),
             location=nat_of(items[3], "a binding location"),
             name=nat_of(items[4], "a binding name"), props=items[5])
    if isinstance(p, Value):
        known[key] = (b, p)
        known[p.pin_hash()] = b
    return b

"""Ingest: the inlined de Bruijn AST to keyed expressions, simplifying.

Every binder gets an integer key from a supply that starts at 0; variables
become references to keys (:class:`~.codegen.VAR`), constants and globals
become values (:class:`~.codegen.VAL`). On the way, as the reference does
(``ingest`` in ``lib/Sire/Backend.hs``):

* an application of two constants is folded into one constant when the
  result is still a *partial* application (the head's true arity is above 1),
  so no user code runs at compile time;
* a ``@`` binding whose value is a constant or a variable is substituted; only
  an application gets a key (and a let binding);
* ``@@`` bindings each get a key and are never simplified;
* a lambda is compiled on the spot into a law (:func:`~.codegen.compile_fun`),
  applied to its free variables. Its keys come from a supply starting where
  the enclosing one stands, which does not advance the enclosing supply.
"""

from __future__ import annotations

from typing import Optional

from ..errors import SireError
from ..plan import Value
from ..plan.tree import App, Law, Pin, Tree
from .ast import A, F, G, K, L, Lam, M, R, Sire, V
from .codegen import APP, VAL, VAR, Exp, Fun, compile_fun
from .walk import Links, Step, nth, push, push_all, run


class _Supply:
    """The state of one function's ingest: its let bindings and next key.

    ``arities`` is shared by all the functions of one compilation: it caches
    the true arity of applications made by folding, so that folding a long
    spine of constants does not walk the spine again at every step (it keeps
    the folded value alive so that its ``id`` stays valid).
    """

    __slots__ = ("bin", "next", "arities")

    def __init__(self, start: int, arities: dict[int, tuple[Tree, int]]) -> None:
        self.bin: dict[int, Exp] = {}
        self.next = start
        self.arities = arities

    def gensym(self) -> int:
        """A fresh key."""
        key = self.next
        self.next += 1
        return key


def ingest(expr: Sire) -> tuple[Exp, dict[int, Exp], int]:
    """Ingest a closed expression: its body, its let bindings and the next
    unused key."""
    supply = _Supply(0, {})
    body = run(_go(supply, None, expr))
    return body, supply.bin, supply.next


def _where() -> str:
    return "the expression being compiled"


def _go(st: _Supply, scope: Links, e: Sire) -> Step[Exp]:
    """Ingest ``e`` where ``scope`` maps de Bruijn indices to expressions."""
    while True:
        match e:
            case V(index):
                return nth(scope, index, _where)
            case M(x):
                e = x
            case G(bind):
                return VAL(_plan_value(bind.value, "the value of a global"))
            case K(value):
                return VAL(_plan_value(value, "a constant"))
            case A():
                args = []               # the spine, walked here: a frame less per argument
                while isinstance(e, A):
                    args.append(e.x)
                    e = e.f
                out = yield _go(st, scope, e)
                for x in reversed(args):
                    xr = _leaf(scope, x)
                    if xr is None:
                        xr = yield _go(st, scope, x)
                    out = _fold(st, out, xr)
                return out
            case L(v, b):
                vr = yield _go(st, scope, v)
                if isinstance(vr, APP):
                    key = st.gensym()
                    st.bin[key] = vr
                    vr = VAR(key)
                scope = push(vr, scope)
                e = b
            case R(vs, b):
                keys = [st.gensym() for _ in vs]
                scope = push_all([VAR(k) for k in keys], scope)
                for v, key in zip(vs, keys):
                    st.bin[key] = yield _go(st, scope, v)
                e = b
            case F(lam):
                return (yield _lambda(st, scope, lam))
            case _:
                raise SireError(f"not a Sire AST node: {type(e).__name__}")


def _leaf(scope: Links, e: Sire) -> Optional[Exp]:
    """What :func:`_go` gives for a variable, global or constant, without
    starting a walk; None for other nodes."""
    if isinstance(e, V):
        return nth(scope, e.index, _where)
    if isinstance(e, G):
        return VAL(_plan_value(e.bind.value, "the value of a global"))
    if isinstance(e, K):
        return VAL(_plan_value(e.value, "a constant"))
    return None


def _plan_value(value: object, what: str) -> Tree:
    """``value`` if it is a PLAN tree at its top (deeper nodes are checked
    when the core reads the law), else a clear error."""
    if isinstance(value, (App, Law, Pin, Value)) or (
            isinstance(value, int) and not isinstance(value, bool) and value >= 0):
        return value
    raise SireError(f"{what} is not a PLAN value: {value!r:.80}")


def _lambda(st: _Supply, scope: Links, lam: Lam) -> Step[Exp]:
    """A lambda, compiled to a law and applied to its free variables."""
    for field, n in (("arity", lam.args), ("tag", lam.tag)):
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise SireError(f"a lambda's {field} must be a nat, not {n!r:.80}")
    slf = st.gensym()
    arg = [st.gensym() for _ in range(lam.args)]
    inner = _Supply(st.next, st.arities)
    env = push_all([VAR(k) for k in reversed(arg)] + [VAR(slf)], scope)
    bod = yield _go(inner, env, lam.body)
    fun = Fun(pin=lam.pin, tag=lam.tag, slf=slf, arg=tuple(arg), bin=inner.bin, bod=bod)
    law, free = compile_fun(inner.next, fun)
    out: Exp = VAL(law)
    for key in free:
        out = APP(out, VAR(key))
    return out


def _fold(st: _Supply, fr: Exp, xr: Exp) -> Exp:
    """``(fr xr)``, as one constant when both are constants and the result
    is still a partial application."""
    if isinstance(fr, VAL) and isinstance(xr, VAL):
        arity = true_arity(fr.value, st.arities)
        if arity > 1:
            folded = App(fr.value, xr.value)
            st.arities[id(folded)] = (folded, arity - 1)
            return VAL(folded)
    return APP(fr, xr)


def true_arity(value: Tree, known: dict[int, tuple[Tree, int]]) -> int:
    """How many more arguments a value in normal form takes before it runs.

    Opcodes 0, 1 and 2 take 3, 5 and 3; other nats 1; a law its arity; a pin
    that of its item; an application that of its head minus its arguments.
    ``known`` caches applications already measured (see :class:`_Supply`).
    """
    applied = 0
    while True:
        if isinstance(value, App):
            hit = known.get(id(value))
            if hit is not None and hit[0] is value:
                return max(hit[1] - applied, 0)
            applied += 1
            value = value.fun
        elif isinstance(value, Pin):
            value = value.item
        elif isinstance(value, Law):
            return max(value.arity - applied, 0)
        elif isinstance(value, Value):  # a core value: look at its top layer
            value = value.layer()
        else:
            return max({0: 3, 1: 5, 2: 3}.get(value, 1) - applied, 0)

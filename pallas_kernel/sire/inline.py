"""The inliner: one pass over the AST that inlines only what is asked for.

A lambda is inlined at a call that saturates it when the call is marked
(``**f x``, ``**(f x)``, ``(x @ f 3)(**x)``) or the lambda itself is marked
(``(**f x)=...``). Recursive lambdas (``Lam.recr``) are never inlined, and
nothing is inlined through a letrec binder. Inlining is let-binding: the
call becomes one let for a dummy self (``K 0``) and one per argument around
the lambda's original body, and that is inlined again, so known callbacks
inline in turn. Later passes (ingest, code generation) substitute the lets
that are constants, variables or used once.

The algorithm and its output are those of the reference (``inline`` in
``lib/Sire/Backend.hs``), term for term:

* the result of inlining is a pair (output, *pot*); a pot records a lambda
  that could still be inlined: the original lambda, whether the call is
  marked, the depth where it was found, how many arguments it still needs
  and the arguments it got (each with the depth it was found at);
* pending arguments float into a let's body; the pot of a global comes from
  the binding's stored code, so aliases of inline functions inline too.

Where the reference computes a global's pot lazily (it never inlines the
global's body, nor the arguments its pot stores unless the pot is expanded),
:func:`_code_pot` computes only the pot, which gives the same result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ..errors import SireError
from .ast import A, F, G, K, L, Lam, M, R, Sire, V, code_of, tag_text
from .walk import Links, Step, nth, push, push_all, run

#: How many inline expansions one compilation may do before it is taken for
#: a non-terminating inline (``(**w x)=(x x)`` applied to itself); the
#: reference would loop forever.
EXPANSION_LIMIT = 100_000


@dataclass(frozen=True, slots=True)
class Arg:
    """An argument expression ``x`` found at depth ``d``: already inlined,
    unless ``raw`` (an argument stored in a global's code, inlined only if
    the pot is ever expanded; see :func:`_code_pot`)."""

    d: int
    x: Sire
    raw: bool = False


@dataclass(frozen=True, slots=True)
class Pot:
    """An inline potential: lambda ``fn`` found at depth ``deep``, still
    needing ``need`` arguments, having got ``args`` (newest first)."""

    fn: Lam
    marked: bool
    deep: int
    need: int
    args: Links


Res = tuple[Sire, Optional[Pot]]


class _Budget:
    """Counts expansions, to turn a non-terminating inline into an error."""

    __slots__ = ("left",)

    def __init__(self, limit: int) -> None:
        self.left = limit

    def spend(self, pot: Pot) -> None:
        """Account for one expansion of ``pot``'s lambda."""
        self.left -= 1
        if self.left < 0:
            raise SireError(
                f"inlining does not terminate: more than {EXPANSION_LIMIT} "
                f"expansions (last of the lambda tagged {tag_text(pot.fn.tag)})")


def inline(expr: Sire) -> Sire:
    """The inlined form of a closed expression (depth 0, empty scope)."""
    out, _ = run(_inline(_Budget(EXPANSION_LIMIT), 0, None, None, expr))
    return out


def move_to(frm: int, to: int, bound: int, expr: Sire) -> Sire:
    """``expr`` found at depth ``frm``, relocated to depth ``to``: every
    variable at or above ``bound`` (free at the top) shifts by ``to - frm``."""
    if frm == to or isinstance(expr, (K, G)):
        return expr
    if isinstance(expr, V):
        return V(expr.index + to - frm) if expr.index >= bound else expr
    return run(_move(to - frm, bound, expr))


def _move(shift: int, bound: int, e: Sire) -> Step[Sire]:
    """Generator form of :func:`move_to` (see :mod:`.walk`)."""
    match e:
        case V(index):
            return V(index + shift) if index >= bound else e
        case M(x):
            return M((yield _move(shift, bound, x)))
        case A(f, x):
            f2 = yield _move(shift, bound, f)
            if isinstance(x, (K, G)):
                return A(f2, x)
            if isinstance(x, V):
                return A(f2, V(x.index + shift) if x.index >= bound else x)
            return A(f2, (yield _move(shift, bound, x)))
        case L(v, b):
            v2 = yield _move(shift, bound, v)
            return L(v2, (yield _move(shift, bound + 1, b)))
        case R(vs, b):
            inner = bound + len(vs)
            vs2 = []
            for v in vs:
                vs2.append((yield _move(shift, inner, v)))
            return R(tuple(vs2), (yield _move(shift, inner, b)))
        case F(lam):
            body = yield _move(shift, bound + 1 + lam.args, lam.body)
            return F(_with_body(lam, body))
    return e


def _with_body(lam: Lam, body: Sire) -> Lam:
    """The lambda with another body (``dataclasses.replace``, without its
    cost: this is on the inliner's hot path)."""
    return Lam(lam.pin, lam.mark, lam.recr, lam.tag, lam.args, body)


def _where() -> str:
    return "the expression being inlined"


def _inline(budget: _Budget, d: int, env: Links, params: Links, e: Sire) -> Step[Res]:
    """Inline ``e`` found at depth ``d`` in scope ``env`` (a pot or None per
    binder), applied to the pending arguments ``params`` (first one first)."""
    while isinstance(e, A):
        x = e.x
        if isinstance(x, (K, G, V)):
            # an argument constant, global or variable inlines to itself (its
            # pot, dropped here, is not computed: the reference's is lazy)
            if isinstance(x, V):
                nth(env, x.index, _where)   # but it must be bound
            params = push(Arg(d, x), params)
        else:
            x_out, _ = yield _inline(budget, d, env, None, x)
            params = push(Arg(d, x_out), params)
        e = e.f
    match e:
        case K():
            res: Res = (e, None)
        case V(index):
            res = (e, nth(env, index, _where))
        case G(bind):
            res = (e, (yield _code_pot(budget, d, code_of(bind))))
        case M(x):
            out, pot = yield _inline(budget, d, env, None, x)
            res = (out, _marked(pot))
        case F(lam):
            res = yield _inline_lambda(budget, d, env, lam)
        case L(v, b):
            v_out, v_pot = yield _inline(budget, d, env, None, v)
            b_out, _ = yield _inline(budget, d + 1, push(v_pot, env), params, b)
            return (L(v_out, b_out), None)
        case R(vs, b):
            inner_d = d + len(vs)
            inner_env = push_all([None] * len(vs), env)
            vs_out = []
            for v in vs:
                v_out, _ = yield _inline(budget, inner_d, inner_env, None, v)
                vs_out.append(v_out)
            b_out, _ = yield _inline(budget, inner_d, inner_env, params, b)
            return (R(tuple(vs_out), b_out), None)
        case _:
            raise SireError(f"not a Sire AST node: {type(e).__name__}")
    return (yield _reapply(budget, d, env, params, res))


def _inline_lambda(budget: _Budget, d: int, env: Links, lam: Lam) -> Step[Res]:
    """A lambda: its body inlined under its binders, and a pot of the
    *original* lambda unless it is recursive."""
    need = lam.args
    body_env = push_all([None] * (1 + need), env)
    body, _ = yield _inline(budget, d + 1 + need, body_env, None, lam.body)
    pot = None if lam.recr else Pot(lam, lam.mark, d, need, None)
    return (F(_with_body(lam, body)), pot)


def _marked(pot: Optional[Pot]) -> Optional[Pot]:
    """The pot of ``**x``: that of ``x``, marked for inlining."""
    return None if pot is None else Pot(pot.fn, True, pot.deep, pot.need, pot.args)


def _feed(pot: Optional[Pot], arg: Arg) -> Optional[Pot]:
    """The pot after one more argument: none left once it is saturated."""
    if pot is None or pot.need <= 0:
        return None
    return Pot(pot.fn, pot.marked, pot.deep, pot.need - 1, push(arg, pot.args))


def _reapply(budget: _Budget, d: int, env: Links, params: Links, res: Res) -> Step[Res]:
    """Apply an inlined head to the pending arguments, expanding the head
    as soon as it is a saturated, marked lambda."""
    out, pot = res
    if params is None and (pot is None or pot.need or not pot.marked):
        return res
    while True:
        if pot is not None and pot.need == 0 and pot.marked:
            budget.spend(pot)
            expansion = yield _expand(budget, d, pot)
            return (yield _inline(budget, d, env, params, expansion))
        if params is None:
            return (out, pot)
        arg, params = params
        out = A(out, move_to(arg.d, d, 0, arg.x))
        pot = _feed(pot, arg)


def _expand(budget: _Budget, d: int, pot: Pot) -> Step[Sire]:
    """The call of a saturated pot, at depth ``d``: lets binding a dummy self
    (``K 0``) and then each argument, first to last, around the body."""
    body = move_to(pot.deep, d, 1 + pot.fn.args, pot.fn.body)
    args = [Arg(d, K(0))]
    newest_first = []
    cell = pot.args
    while cell is not None:
        newest_first.append(cell[0])
        cell = cell[1]
    args.extend(reversed(newest_first))
    values = []
    for n, a in enumerate(args):
        x = a.x
        if a.raw:  # closed code: inlining it now gives what inlining it earlier would
            x, _ = yield _inline(budget, a.d, None, None, x)
        values.append(move_to(a.d, d + n, 0, x))
    for v in reversed(values):
        body = L(v, body)
    return body


def _code_pot(budget: _Budget, d: int, code: Sire) -> Step[Optional[Pot]]:
    """The pot that inlining a global's code (closed, empty scope) at depth
    ``d`` would give. Like the reference, which computes it lazily, this
    inlines nothing but the head: the arguments the pot stores are kept raw
    and inlined only if the pot is expanded."""
    params: Links = None
    e = code
    while isinstance(e, A):
        params = push(Arg(d, e.x, raw=True), params)
        e = e.f
    match e:
        case K():
            pot = None
        case V(index):
            raise SireError(f"a global's code refers to variable {index}, "
                            "which it cannot have bound")
        case G(bind):
            pot = yield _code_pot(budget, d, code_of(bind))
        case M(x):
            pot = _marked((yield _code_pot(budget, d, x)))
        case F(lam):
            pot = None if lam.recr else Pot(lam, lam.mark, d, lam.args, None)
        case _:
            return None  # a let or letrec has no pot
    while pot is not None:
        if pot.need == 0 and pot.marked:
            return None  # the call would be expanded into lets: no pot
        if params is None:
            return pot
        arg, params = params
        pot = _feed(pot, arg)
    return None

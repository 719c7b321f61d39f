"""A small named-variable notation for Sire ASTs, for the backend's tests.

The Rex reader and the Sire front end are built elsewhere; to write backend
tests that read like Sire, terms are Python values here and :func:`term`
resolves names to de Bruijn indices the way the reference front end does:

    7                         K 7 (an int is a constant nat)
    "x"                       the innermost local x, else the global x
    [f, x, y]                 (f x y)
    ("**", e)                 **e
    ("@", "x", v, b)          @ x v b
    ("@@", [("a", v), ...], b)  @@ = a v ... b   (index 0 = the first binding)
    ("&", ["a", "b"], body)   (a b & body): anonymous, tag 0
    ("?", "f", ["a"], body)   (f a ? body): named, recr from the body
    ("??", "f", ["a"], body)  the same, pinned
    ("**?", "f", ["a"], body) (**f a ? body): always inline
    ("K", tree)               a constant PLAN tree

Globals live in a :class:`Scope`; ``scope.define("(**I x)=x")``-like calls
are spelled ``scope.law("I", ["x"], "x", mark=True)`` and bind a pinned law
whose code is kept, as a top-level definition does.

This helper recurses on its input; test terms are small.

Also here, for every Sire test: :func:`assert_plan` (a tree is exactly what
the PLAN notation spells) and :func:`shallow_stack` (no recursion on depth).
"""

from __future__ import annotations

import contextlib
import inspect
import sys
from typing import Any, Iterator

from pallas_kernel.plan import notation
from pallas_kernel.plan.tree import Tree, equal as tree_equal
from pallas_kernel.sire.ast import A, Bind, F, G, K, L, Lam, M, R, Sire, V, apply, make_lam
from pallas_kernel.sire.backend import compile_expr, compile_lambda
from pallas_kernel.plan.tree import App, text_nat


class Scope:
    """Global bindings by name, as the compiler state would hold them."""

    def __init__(self) -> None:
        self.binds: dict[str, Bind] = {}
        self.next_key = 1

    def law(self, name: str, args: list[str], body: Any, mark: bool = False) -> Bind:
        """``(name args...)=body`` (``(**name args...)=body`` if mark)."""
        env = tuple(reversed(args)) + (name,)
        lam = make_lam(text_nat(name), len(args), term(body, env, self), pin=True, mark=mark)
        return self._bind(name, compile_lambda(lam), F(lam))

    def value(self, name: str, body: Any) -> Bind:
        """``name=body``: the value of the expression, with its code kept."""
        code = term(body, (), self)
        value = App(compile_expr(code), 0)
        from pallas_kernel import plan

        return self._bind(name, plan.evaluate(value).to_tree(), code)

    def _bind(self, name: str, value: Any, code: Sire) -> Bind:
        bind = Bind(key=self.next_key, value=value, code=code, name=text_nat(name))
        self.next_key += 1
        self.binds[name] = bind
        return bind


def term(t: Any, env: tuple = (), scope: Scope | None = None) -> Sire:
    """The AST of a term (see the module docstring); ``env`` lists the local
    names, innermost first (None for the unnamed self of ``&``)."""
    if isinstance(t, bool):
        raise TypeError("use 0 and 1")
    if isinstance(t, int):
        return K(t)
    if isinstance(t, str):
        if t in env:
            return V(env.index(t))
        if scope is not None and t in scope.binds:
            return G(scope.binds[t])
        raise KeyError(f"unbound name {t!r}")
    if isinstance(t, list):
        f, *xs = [term(x, env, scope) for x in t]
        return apply(f, *xs)
    op = t[0]
    if op == "K":
        return K(t[1])
    if op == "**":
        return M(term(t[1], env, scope))
    if op == "@":
        _, name, v, b = t
        return L(term(v, env, scope), term(b, (name,) + env, scope))
    if op == "@@":
        _, binds, b = t
        inner = tuple(n for n, _ in binds) + env
        return R(tuple(term(v, inner, scope) for _, v in binds), term(b, inner, scope))
    if op == "&":
        _, args, body = t
        inner = tuple(reversed(args)) + (None,) + env
        return F(Lam(pin=False, mark=False, recr=False, tag=0, args=len(args),
                     body=term(body, inner, scope)))
    if op in ("?", "??", "**?"):
        _, name, args, body = t
        inner = tuple(reversed(args)) + (name,) + env
        return F(make_lam(text_nat(name), len(args), term(body, inner, scope),
                          pin=(op == "??"), mark=(op == "**?")))
    raise ValueError(f"unknown term form {op!r}")


__all__ = ["Scope", "term", "A", "plan_of", "assert_plan", "shallow_stack"]


def plan_of(text: str) -> Tree:
    """A PLAN tree written in the notation."""
    return notation.read(text)


def assert_plan(got: Tree, want: str) -> None:
    """``got`` is exactly the tree ``want`` spells."""
    assert tree_equal(got, plan_of(want)), f"got {notation.show(got)}, want {want}"


@contextlib.contextmanager
def shallow_stack(headroom: int = 120) -> Iterator[None]:
    """Run a block with Python's recursion limit only ``headroom`` frames
    above the current depth, so that any recursion that grows with the
    input's depth fails loudly instead of passing by luck."""
    depth = len(inspect.stack(0))
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + headroom)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def run_source(source: str, file: str = "<test>") -> tuple:
    """Every block of ``source`` run on a fresh state: the final state and
    the (kind, payload) pairs the commands reported. A Rex error fails the
    test; a Sire failure is raised."""
    from pallas_kernel import rex
    from pallas_kernel.sire.commands import run_block
    from pallas_kernel.sire.state import State

    seen: list = []
    st = State()
    for block in rex.read_blocks(source, file):
        assert not block.errors, block.errors
        st = run_block(st, block.rex, file, lambda k, x: seen.append((k, x)))
    return st, seen

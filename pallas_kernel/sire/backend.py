"""The backend's entry points: a Sire AST to PLAN.

An expression compiles, as in the reference (``eval`` in
``lib/Sire/Backend.hs``), to a law of one ignored argument, ``{0 1 body}``,
whose application to 0 is the expression's value: inline, ingest (the body's
keys start at 0, leaving ``n`` as the next key), then compile the function
whose self is key ``n`` and whose argument is key ``n + 1``.

The ``compile_*`` functions and :func:`expr_tree` are pure, from AST to PLAN
tree; :func:`evaluate` and :func:`lazy_value` hand the tree to the core
(:mod:`pallas_kernel.plan`) to run.
"""

from __future__ import annotations

from ..errors import SireError
from ..plan import Value, from_tree
from ..plan.tree import App, Tree
from .ast import F, Lam, Sire, tag_text
from .codegen import VAL, Fun, compile_fun
from .ingest import ingest
from .inline import inline


def compile_expr(expr: Sire) -> Tree:
    """The law ``{0 1 body}`` whose application to 0 gives the value of the
    closed expression ``expr``."""
    body, bindings, n = ingest(inline(expr))
    wrapper = Fun(pin=False, tag=0, slf=n, arg=(n + 1,), bin=bindings, bod=body)
    law, free = compile_fun(n + 2, wrapper)
    if free:  # ingest resolves every variable, so nothing can be left free
        raise SireError(f"the expression has free keys {free}")
    return law


def expr_tree(expr: Sire) -> Tree:
    """The unevaluated PLAN expression ``(law 0)`` for ``expr`` (see
    :func:`compile_expr`)."""
    return App(compile_expr(expr), 0)


def lazy_value(expr: Sire) -> Value:
    """The value of a closed expression, not yet evaluated (as the
    reference's ``eval`` gives it): forcing it runs the code."""
    return from_tree(expr_tree(expr))


def evaluate(expr: Sire) -> Value:
    """The value of a closed expression in normal form, as
    :func:`pallas_kernel.plan.evaluate` gives a tree's."""
    return lazy_value(expr).force()


def compile_lambda(lam: Lam) -> Tree:
    """The law of a closed lambda (a pin if ``lam.pin``), as a top-level
    definition ``(f x)=...`` binds it: what :func:`evaluate` of ``F lam``
    gives, without the wrapper."""
    body, _, _ = ingest(inline(F(lam)))
    if not isinstance(body, VAL):  # only a lambda with free variables is applied
        raise SireError(f"the lambda {tag_text(lam.tag)} is not closed")
    return body.value

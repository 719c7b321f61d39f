"""The Sire AST: what the front end produces and the backend compiles.

Variables are de Bruijn indices (0 is the innermost binder). The node kinds:

    V(i)         variable: the i-th enclosing binder
    K(x)         a constant PLAN value (a tree)
    G(bind)      a global: the binding's value, read when the code was read
    A(f, x)      application
    L(v, b)      let: ``v`` is read outside, ``b`` under one new binder
    R(vs, b)     letrec: all of ``vs`` and ``b`` see ``len(vs)`` new binders,
                 index 0 being the *first* binding
    M(x)         an inline mark (``**x``)
    F(lam)       a lambda: the body sees ``1 + lam.args`` new binders; V0 is
                 the last argument, V(args-1) the first and V(args) the
                 function itself

Nodes are frozen and compared by identity (a deep AST must not be compared
or printed by recursion); :func:`equal` compares two ASTs without recursion.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from ..plan import tree as _tree
from ..plan.tree import Tree


@dataclass(frozen=True, slots=True, eq=False)
class Bind:
    """A global binding, as the compiler state records it.

    ``value`` is what references to the binding compile to; ``code`` is the
    AST it was read from, which the inliner consults (an alias of an inline
    function inlines too), or a :class:`LazyCode` for a binding read back
    from PLAN: read it with :func:`code_of`. ``location`` is the module (a name nat) it was
    defined in, ``name`` its name nat and ``props`` its properties value.
    Its PLAN form (a pin, :func:`.noun.bind_pin`) is cached by the state
    that holds it, not here.
    """

    key: int
    value: Tree
    code: "Sire"
    location: Tree = 0
    name: Tree = 0
    props: Tree = 0


class LazyCode:
    """The code of a binding read back from its PLAN form, decoded only when
    first asked for (:func:`code_of`): a state read from the cache or from a
    macro holds thousands of bindings whose ASTs the inliner never visits.
    ``source`` is the encoded AST, which re-encoding reuses as it is."""

    __slots__ = ("source", "_decode", "_ast")

    def __init__(self, source: object, decode) -> None:
        self.source = source
        self._decode = decode
        self._ast = None

    def get(self) -> "Sire":
        if self._ast is None:
            self._ast = self._decode(self.source)
        return self._ast


def code_of(bind: "Bind") -> "Sire":
    """A binding's AST, decoding it first if it was read back lazily."""
    code = bind.code
    return code.get() if isinstance(code, LazyCode) else code


@dataclass(frozen=True, slots=True, eq=False)
class Lam:
    """A lambda: ``pin`` makes it a pinned law, ``mark`` inlines it at every
    saturated call, ``recr`` says the body refers to the function itself (so
    it is never inlined), ``tag`` is the law's name and ``args`` its arity."""

    pin: bool
    mark: bool
    recr: bool
    tag: int
    args: int
    body: "Sire"


@dataclass(frozen=True, slots=True, eq=False)
class V:
    """A variable, by de Bruijn index."""

    index: int


@dataclass(frozen=True, slots=True, eq=False)
class K:
    """A constant value."""

    value: Tree


@dataclass(frozen=True, slots=True, eq=False)
class G:
    """A reference to a global binding."""

    bind: Bind


@dataclass(frozen=True, slots=True, eq=False)
class A:
    """An application ``(f x)``."""

    f: "Sire"
    x: "Sire"


@dataclass(frozen=True, slots=True, eq=False)
class L:
    """A non-recursive let: ``v`` outside, ``b`` under one more binder."""

    v: "Sire"
    b: "Sire"


@dataclass(frozen=True, slots=True, eq=False)
class R:
    """A recursive let of ``len(vs)`` bindings (index 0 = the first)."""

    vs: tuple["Sire", ...]
    b: "Sire"


@dataclass(frozen=True, slots=True, eq=False)
class M:
    """An inline mark: inline ``x`` once it is saturated."""

    x: "Sire"


@dataclass(frozen=True, slots=True, eq=False)
class F:
    """A lambda expression."""

    lam: Lam


Sire = Union[V, K, G, A, L, R, M, F]


def apply(f: Sire, *args: Sire) -> Sire:
    """``(f a1 ... an)`` as nested :class:`A` nodes."""
    for x in args:
        f = A(f, x)
    return f


def has_ref_to(depth: int, expr: Sire) -> bool:
    """Whether ``expr`` mentions the variable that is ``V depth`` at its top.

    The front end uses it to set ``Lam.recr``: a lambda of ``n`` arguments
    refers to itself when ``has_ref_to(n, body)``.
    """
    todo: list[tuple[int, Sire]] = [(depth, expr)]
    while todo:
        d, e = todo.pop()
        match e:
            case V(index):
                if index == d:
                    return True
            case L(v, b):
                todo.append((d, v))
                todo.append((d + 1, b))
            case R(vs, b):
                inner = d + len(vs)
                todo.append((inner, b))
                todo.extend((inner, v) for v in vs)
            case A(f, x):
                todo.append((d, f))
                todo.append((d, x))
            case M(x):
                todo.append((d, x))
            case F(lam):
                todo.append((d + 1 + lam.args, lam.body))
    return False


def tag_text(tag: int) -> str:
    """A law tag for messages: its text in quotes if it spells printable
    text, else the number."""
    text = _tree.nat_text(tag)
    return repr(text) if text and text.isprintable() else str(tag)


def make_lam(tag: int, args: int, body: Sire, pin: bool = False,
             mark: bool = False) -> Lam:
    """A named lambda (``?``, ``??`` or a law definition), with ``recr`` set
    from the body as the reference front end sets it."""
    return Lam(pin=pin, mark=mark, recr=has_ref_to(args, body), tag=tag,
               args=args, body=body)


def equal(a: Sire, b: Sire) -> bool:
    """Structural equality of two ASTs, without recursion.

    Constants compare as PLAN trees; globals compare by binding identity.
    """
    todo: list[tuple[Sire, Sire]] = [(a, b)]
    while todo:
        x, y = todo.pop()
        if x is y:
            continue
        if type(x) is not type(y):
            return False
        match x:
            case V(index):
                if index != y.index:
                    return False
            case K(value):
                if not _tree.equal(value, y.value):
                    return False
            case G(bind):
                if bind is not y.bind:
                    return False
            case A(f, arg):
                todo.append((f, y.f))
                todo.append((arg, y.x))
            case L(v, body):
                todo.append((v, y.v))
                todo.append((body, y.b))
            case R(vs, body):
                if len(vs) != len(y.vs):
                    return False
                todo.extend(zip(vs, y.vs))
                todo.append((body, y.b))
            case M(inner):
                todo.append((inner, y.x))
            case F(lam):
                other = y.lam
                if (lam.pin, lam.mark, lam.recr, lam.tag, lam.args) != (
                        other.pin, other.mark, other.recr, other.tag, other.args):
                    return False
                todo.append((lam.body, other.body))
    return True

"""Reading Rex as Sire expressions: Rex trees to the AST (:mod:`.ast`).

This follows ``readExpr`` of the reference (``lib/Sire.hs``): a node whose
rune is bound in scope is a macro call and is expanded first (even for the
built-in runes); other nodes are the primitive forms ``| - ** @ @@ ^ & ? ??
.`` and their ``#`` twins; leaves are numbers, strings, line strings and
names, and the odd leaves (``0xff``, a leaf with an heir) go to the ``#``
macro. Names resolve to the innermost local (a de Bruijn index), then to the
scope (a global binding, bound statically).

A :class:`Reader` works on one block: it holds the state (macros may change
it) and the block, so failures can name their place.
"""

from __future__ import annotations

from typing import Iterable, Optional

from ..errors import MalformedRex, PlanCrash, PlanError, SireError
from ..plan.notation import parse_decimal
from ..plan import Value, from_tree
from ..rex import Embed, Leaf, Node, Rex, Span, from_plan
from ..rex.encoding import to_value
from ..plan.tree import App, Law, text_nat
from ..plan.view import name_text
from .ast import A, F, G, K, L, Lam, M, R, Sire, V, has_ref_to
from .failure import SireFailure
from .noun import nat_of, row_items
from .state import State
from .walk import Step, run

Env = list  # of Optional[int]: binder names, innermost first

EXPR_RUNES = frozenset(["|", "#|", "-", "#-", "**", "#**", "@", "#@", "@@", "#@@",
                        "^", "#^", "&", "#&", "?", "#?", "??", "#??", ".", "#."])

_C3 = Law(0, 4, 0)
_ERR = App(_C3, 0)
_OK = App(_C3, 1)
_UNDERSCORE = text_nat("_")
_ERR_V = from_tree(_ERR).force()
_OK_V = from_tree(_OK).force()


_NAMES: dict[str, int] = {}   # word texts met before, as nats (bounded)


def _name_nat(text: str) -> int:
    """``text_nat`` of a word, through a small cache: names recur."""
    n = _NAMES.get(text)
    if n is None:
        n = text_nat(text)
        if len(_NAMES) < 65536:
            _NAMES[text] = n
    return n


def kids(rex: Node | Leaf) -> list[Rex]:
    """Sons followed by the heir, as most forms read them."""
    out = list(rex.sons) if isinstance(rex, Node) else []
    if rex.heir is not None:
        out.append(rex.heir)
    return out


def is_decimal(text: str) -> bool:
    """Whether ``text`` is a run of ASCII digits (a numeric leaf)."""
    return text.isascii() and text.isdigit()


def try_key(rex: Rex) -> Optional[int]:
    """The nat a key leaf names (``readKey``): digits, a word or a text,
    with no heir; None otherwise."""
    if not isinstance(rex, Leaf) or rex.heir is not None:
        return None
    if rex.shape == "TEXT":
        return text_nat(rex.text)
    if rex.shape != "WORD" or not rex.text:
        return None
    if "0" <= rex.text[0] <= "9":
        return parse_decimal(rex.text) if is_decimal(rex.text) else None
    return text_nat(rex.text)


class Scope:
    """The local binders in scope while an expression is read.

    Binders are bound and unbound in nesting order (the reader binds a
    form's names, reads what is under them, then unbinds them), so a name's
    levels form a stack and lookup is O(1) however deep the nesting: the de
    Bruijn index of a name is the number of binders made after it.
    """

    __slots__ = ("depth", "levels")

    def __init__(self, env: Iterable[Optional[int]] = ()):
        self.depth = 0
        self.levels: dict[int, list[int]] = {}
        self.bind(list(env)[::-1])  # ``env`` is innermost first

    def bind(self, names: list[Optional[int]]) -> None:
        """Bind ``names`` in order: the last one is the innermost (index 0).
        A None binder (an anonymous lambda's self) takes an index but no name."""
        for n in names:
            if n is not None:
                self.levels.setdefault(n, []).append(self.depth)
            self.depth += 1

    def unbind(self, names: list[Optional[int]]) -> None:
        """Undo :meth:`bind` of the same names."""
        for n in reversed(names):
            self.depth -= 1
            if n is not None:
                self.levels[n].pop()

    def index(self, name: int) -> Optional[int]:
        """The de Bruijn index of the innermost binder of ``name``, if any."""
        levels = self.levels.get(name)
        return self.depth - 1 - levels[-1] if levels else None


class Reader:
    """Reads the expressions of one block against a state.

    Reading is recursive in the reference; here each step is a generator
    run by :func:`.walk.run` (a sub-expression is read by yielding its
    generator), so a block nested to any depth reads with a flat Python
    stack.
    """

    def __init__(self, state: State, block: Rex, file: str = "<input>"):
        self.state = state
        self.block = block
        self.file = file
        self.span: Optional[Span] = getattr(block, "span", None)

    # ----- failures -----------------------------------------------------------

    def fail(self, rex: Optional[Rex], reason: str, kind: str = "parse") -> SireFailure:
        """A failure at ``rex``: its own span if it has one (a leaf for an
        unresolved name), else the innermost place read before it (a tree a
        macro made has no spans: blame the user's form that produced it)."""
        span = getattr(rex, "span", None) or self.span
        return SireFailure(reason, rex, span, kind)

    def key(self, rex: Rex) -> int:
        """A key, or a failure."""
        k = try_key(rex)
        if k is None:
            raise self.fail(rex, "Bad key: expected something like: 234, foo, 'foo'")
        return k

    # ----- macros -------------------------------------------------------------

    def macro_for(self, rune: str) -> Optional[Value]:
        """The macro bound to a rune's text in scope, if any."""
        b = self.state.scope.get(text_nat(rune))
        return None if b is None else b.value

    def expand(self, macro: object, rex: Rex) -> Rex:
        """Call ``(macro state rex err ok)`` and adopt its result: the new
        state and the Rex to read next, or a macro failure."""
        args = (self.state.to_plan(), to_value(rex), _ERR_V, _OK_V)
        fn = macro if isinstance(macro, Value) else from_tree(macro)
        try:
            items = row_items(fn.apply(*args).whnf(), "the macro result")
            if len(items) != 3:
                raise SireError("the macro result is not a row of three")
            tag = nat_of(items[2], "the macro result tag")
            if tag == 0:
                msg = nat_of(items[0], "the macro error message")
                raise self.fail(_safe_rex(items[1]) or rex, name_text(msg), "macro")
            if tag != 1:
                raise SireError(f"the macro result has tag {tag}")
            out = from_plan(items[0])
            self.state.adopt(items[1])
        except PlanCrash as e:
            raise self.fail(rex, f"the macro crashed: {e}", "macro") from None
        except PlanError as e:
            raise self.fail(rex, f"the macro failed: {e}", "macro") from None
        except SireFailure:
            raise
        except (SireError, MalformedRex) as e:
            raise self.fail(rex, f"Invalid macro expansion result: {e}", "macro") from None
        return out

    # ----- expressions --------------------------------------------------------

    def expr(self, env: Env, rex: Rex) -> Sire:
        """The AST of an expression read in ``env`` (``readExpr``); ``env``
        lists the local binder names, innermost first."""
        try:
            return run(self._expr(Scope(env), rex))
        except RecursionError:  # a deep value met in evaluation or a macro
            raise self.fail(rex, "expression nested too deeply") from None

    def _expr(self, env: Scope, rex: Rex) -> Step[Sire]:
        while isinstance(rex, Node):
            if rex.span is not None:
                self.span = rex.span
            macro = self.macro_for(rex.rune)
            if macro is None:
                return (yield self._node(env, rex))
            rex = self.expand(macro, rex)
        if isinstance(rex, Embed):
            return K(rex.value)
        if rex.span is not None:
            self.span = rex.span
        return (yield self._leaf(env, rex))

    def _leaf(self, env: Scope, rex: Leaf) -> Step[Sire]:
        if rex.shape == "LINE":
            lines = [rex.text]
            h = rex.heir
            while h is not None:
                if not (isinstance(h, Leaf) and h.shape == "LINE"):
                    raise self.fail(h, "Mis-matched node in text block")
                lines.append(h.text)
                h = h.heir
            return K(text_nat("\n".join(lines)))
        if rex.heir is not None:
            hax = self.macro_for("#")
            if hax is None:
                raise self.fail(rex, "leaf-juxtaposition, but no # macro")
            bare = Leaf(rex.shape, rex.text, None, rex.span)
            out = self.expand(hax, Node("INFX", "#", (bare, rex.heir), None, rex.span))
            return (yield self._expr(env, out))
        if rex.shape == "TEXT":
            return K(text_nat(rex.text))
        if rex.text and not ("0" <= rex.text[0] <= "9"):
            return self.resolve(rex, env, _name_nat(rex.text))
        if is_decimal(rex.text):
            return K(parse_decimal(rex.text))
        hax = self.macro_for("#")
        if hax is None:
            raise self.fail(rex, "don't know how to parse this leaf")
        out = self.expand(hax, Node("PREF", "#", (rex,), None, rex.span))
        return (yield self._expr(env, out))

    def _word(self, env: Scope, rex: Rex) -> Optional[Sire]:
        """A plain word or text leaf read without starting a walk (what
        :meth:`_expr` gives for it); None for anything else."""
        if not isinstance(rex, Leaf) or rex.heir is not None:
            return None
        text = rex.text
        if rex.shape == "WORD" and text and not ("0" <= text[0] <= "9"):
            if rex.span is not None:
                self.span = rex.span
            return self.resolve(rex, env, _name_nat(text))
        if rex.shape == "TEXT":
            if rex.span is not None:
                self.span = rex.span
            return K(text_nat(text))
        return None

    def resolve(self, rex: Rex, env: Scope, name: int) -> Sire:
        """A name: the innermost local, else the global binding."""
        i = env.index(name)
        if i is not None:
            return V(i)
        b = self.state.scope.get(name)
        if b is None:
            raise self.fail(rex, f"Unresolved symbol: {name_text(name)}")
        return G(b)

    def _under(self, env: Scope, names: list[Optional[int]], rex: Rex) -> Step[Sire]:
        """Read ``rex`` with ``names`` bound (the last one innermost)."""
        env.bind(names)
        out = yield self._expr(env, rex)
        env.unbind(names)
        return out

    def _node(self, env: Scope, rex: Node) -> Step[Sire]:
        ks = kids(rex)
        r = rex.rune.removeprefix("#") if rex.rune != "#" else rex.rune
        if r in ("|", "-"):
            if not ks:
                raise self.fail(rex, "empty application")
            out = self._word(env, ks[0])
            if out is None:
                out = yield self._expr(env, ks[0])
            for k in ks[1:]:
                x = self._word(env, k)
                if x is None:
                    x = yield self._expr(env, k)
                out = A(out, x)
            return out
        if r == "**":
            if len(ks) != 1:
                raise self.fail(rex, "This needs to have only one parameter")
            return M((yield self._expr(env, ks[0])))
        if r == "@":
            if len(ks) != 3:
                raise self.fail(rex, "Three paramaters are required")
            n = self.key(ks[0])
            v = yield self._expr(env, ks[1])
            return L(v, (yield self._under(env, [n], ks[2])))
        if r == "@@":
            return (yield self._letrec(env, rex, ks))
        if r == "^":
            if len(ks) < 2:
                raise self.fail(rex, "Needs at least two paramaters")
            v = yield self._expr(env, ks[-1])
            env.bind([_UNDERSCORE])
            body = yield self._expr(env, ks[0])
            for k in ks[1:-1]:
                body = A(body, (yield self._expr(env, k)))
            env.unbind([_UNDERSCORE])
            return L(v, body)
        if r == "&":
            return (yield self._anon(env, rex, ks))
        if r in ("?", "??"):
            return (yield self._lam(env, rex, ks, pin=(r == "??")))
        if r == ".":
            return self._ref(env, rex, ks)
        raise self.fail(rex, f"Undefined rune: {rex.rune}")

    def _letrec(self, env: Scope, rex: Node, ks: list[Rex]) -> Step[Sire]:
        if len(ks) != 2:
            raise self.fail(rex, "Two paramaters are required")
        binds: list[tuple[int, Rex]] = []
        b: Optional[Rex] = ks[0]
        while b is not None:
            if not (isinstance(b, Node) and b.rune == "=" and len(b.sons) == 2):
                raise self.fail(rex, "Invalid (=) bind-seq")
            binds.append((self.key(b.sons[0]), b.sons[1]))
            b = b.heir
        names = [k for k, _ in reversed(binds)]  # the first binding is index 0
        env.bind(names)
        vs = []
        for _, v in binds:
            vs.append((yield self._expr(env, v)))
        body = yield self._expr(env, ks[1])
        env.unbind(names)
        return R(tuple(vs), body)

    def _anon_sig(self, sig: Rex) -> list[int]:
        if isinstance(sig, Node) and sig.rune == "|":
            return [self.key(k) for k in kids(sig)]
        if isinstance(sig, Leaf):
            return [self.key(sig)]
        raise self.fail(sig, "Expected something like: (x y z)")

    def _anon(self, env: Scope, rex: Node, ks: list[Rex]) -> Step[Sire]:
        if len(ks) not in (2, 3):
            raise self.fail(rex, "Expected two or three parameters")
        tag = self.key(ks[0]) if len(ks) == 3 else 0
        names = self._anon_sig(ks[-2])
        body = yield self._under(env, [None, *names], ks[-1])
        return F(Lam(pin=False, mark=False, recr=False, tag=tag, args=len(names), body=body))

    def wut_sig(self, sig: Rex) -> tuple[bool, int, list[int]]:
        """``(f a b)``, ``(**f a b)`` or a bare ``f``: (inline?, name, args)."""
        if isinstance(sig, Leaf):
            return False, self.key(sig), []
        if not (isinstance(sig, Node) and sig.rune == "|"):
            raise self.fail(sig, "Expecting something like: (f x y)")
        ks = kids(sig)
        if not ks:
            raise self.fail(sig, "Expected at least one parameter")
        head, mark = ks[0], False
        if isinstance(head, Node) and head.rune == "**":
            hk = kids(head)
            if len(hk) != 1:
                raise self.fail(head, "Expected something like **x")
            head, mark = hk[0], True
        return mark, self.key(head), [self.key(k) for k in ks[1:]]

    def _lam(self, env: Scope, rex: Node, ks: list[Rex], pin: bool) -> Step[Sire]:
        if len(ks) not in (2, 3):
            raise self.fail(rex, "Expected two or three parameters")
        mark, f, names = self.wut_sig(ks[-2])
        tag = self.key(ks[0]) if len(ks) == 3 else f
        body = yield self._under(env, [f, *names], ks[-1])
        n = len(names)
        return F(Lam(pin=pin, mark=mark, recr=has_ref_to(n, body), tag=tag, args=n, body=body))

    def _ref(self, env: Scope, rex: Node, ks: list[Rex]) -> Sire:
        if len(ks) == 1:
            return self.resolve(rex, env, self.key(ks[0]))
        if len(ks) == 2:
            m, n = self.key(ks[0]), self.key(ks[1])
            b = self.state.modules.get(m, {}).get(n)
            if b is None:
                raise self.fail(rex, f"Unresolved symbol: {name_text(m)}.{name_text(n)}")
            return G(b)
        raise self.fail(rex, "Needs one or two parameters")


def _safe_rex(v: object) -> Optional[Rex]:
    """The Rex a macro blamed, if it is one."""
    try:
        return from_plan(v)
    except MalformedRex:
        return None

"""Sire commands: what one top-level Rex block does to the state.

As in the reference (``execute`` in ``lib/Sire.hs``): a node whose rune is
bound in scope is a macro call, expanded and executed again; otherwise the
rune says the command:

    = #=          definitions (chains through a same-rune heir; key and
                  props forms ``= key binder expr``, ``= key props binder expr``)
    * #*          each kid is a command
    ####          module header: ``#### name`` or ``#### name <- prev``
    ^-^ #^-^      export filter: keep only the names listed
    =?= #=?=      assertion: both sides evaluate to the same value
    :| #:|        import a module, whole or a list of names
    expression    runes of expressions (and leaves): evaluate and print

:func:`run_block` runs a block on a copy of the state and returns the new
state only if the whole block succeeded, so nothing is half-applied.
"""

from __future__ import annotations

from typing import Callable, Optional

from ..errors import MalformedRex, PlanError, PlanMemory
from ..plan import Value
from ..plan.view import name_text
from ..rex import Node, Rex
from .ast import Bind, F, Lam, Sire, has_ref_to
from .backend import evaluate
from .reader import EXPR_RUNES, Reader, kids, try_key
from .state import State

Output = Callable[[str, object], None]  # (kind, payload): "define", "value", "assert"


def _quiet(kind: str, payload: object) -> None:
    """The default output: nothing (file loading is silent)."""


def run_block(state: State, block: Rex, file: str = "<input>",
              out: Output = _quiet) -> State:
    """The state after one block; the given state is left unchanged, and a
    failure (:class:`SireFailure`) applies nothing.

    A macro's result is decoded lazily (:func:`pallas_kernel.rex.from_plan`),
    so a malformed part of it may be met anywhere in the block; it fails at
    the innermost place read, as an invalid expansion result."""
    new = state.copy()
    reader = Reader(new, block, file)
    try:
        Commands(reader, out).execute(block)
    except MalformedRex as e:
        raise reader.fail(None, f"Invalid macro expansion result: {e}", "macro") from None
    return new


class Commands:
    """Executes the commands of one block."""

    def __init__(self, reader: Reader, out: Output):
        self.r = reader
        self.out = out

    @property
    def state(self) -> State:
        return self.r.state

    def execute(self, rex: Rex) -> None:
        """Run one command (macro calls are expanded first). ``*`` pushes its
        kids on an explicit stack, so nesting depth costs no Python frames."""
        todo = [rex]
        while todo:
            cur = self._expanded(todo.pop())
            if isinstance(cur, Node) and cur.rune in ("*", "#*"):
                todo.extend(reversed(kids(cur)))
            else:
                self.command(cur)

    def _expanded(self, rex: Rex) -> Rex:
        """The command after every macro call at its head is expanded."""
        while isinstance(rex, Node):
            macro = self.r.macro_for(rex.rune)
            if macro is None:
                break
            rex = self.r.expand(macro, rex)
        return rex

    def command(self, rex: Rex) -> None:
        """Run one expanded command that is not ``*``."""
        if not isinstance(rex, Node):
            return self.expression(rex)
        rune = rex.rune
        if rune in ("=", "#="):
            self.define(rune, rex)
        elif rune == "####":
            self.enter(rex)
        elif rune in ("^-^", "#^-^"):
            self.filter(rune, rex)
        elif rune in ("=?=", "#=?="):
            self.assertion(rune, rex)
        elif rune in (":|", "#:|"):
            self.import_(rune, rex)
        elif rune in EXPR_RUNES:
            self.expression(rex)
        else:
            raise self.r.fail(rex, f"Unbound rune: {rune}")

    # ----- evaluation ---------------------------------------------------------

    def eval(self, rex: Rex, expr: Sire) -> Value:
        """The normal form of an expression; a crash fails at ``rex``."""
        try:
            return evaluate(expr).force()
        except PlanMemory as e:  # the kind says "out of memory" already
            raise self.r.fail(rex, str(e).removeprefix("out of memory: "), "memory") from None
        except PlanError as e:
            raise self.r.fail(rex, f"evaluation failed: {e}", "crash") from None

    def expression(self, rex: Rex) -> None:
        value = self.eval(rex, self.r.expr([], rex))
        self.out("value", value)

    # ----- definitions --------------------------------------------------------

    def define(self, rune: str, rex: Node) -> None:
        cur: Optional[Rex] = rex
        while cur is not None:
            if isinstance(cur.heir, Node) and cur.heir.rune == rune:
                self.bind(cur, list(cur.sons))
                cur = cur.heir
            else:
                self.bind(cur, kids(cur))
                cur = None

    def bind(self, rex: Node, parts: list[Rex]) -> None:
        """One definition: ``[binder expr]``, ``[key binder expr]`` or
        ``[key props binder expr]``."""
        if len(parts) not in (2, 3, 4):
            raise self.r.fail(rex, "Define cmd needs two or three parameters")
        key = self.r.key(parts[0]) if len(parts) >= 3 else 0
        props_expr = self.r.expr([], parts[1]) if len(parts) == 4 else None
        binder, body_rex = parts[-2], parts[-1]
        simple = try_key(binder)
        if simple is not None:
            name = simple
            code = self.r.expr([], body_rex)
        else:
            law = _law_binder(binder)
            if law is None:
                raise self.r.fail(binder, "Bad binder: expected foo (foo bar), (**foo bar), etc")
            mark, name, args = law
            body = self.r.expr(list(reversed([name] + args)), body_rex)
            n = len(args)
            code = F(Lam(pin=True, mark=mark, recr=has_ref_to(n, body), tag=name, args=n, body=body))
        value = self.eval(rex, code)
        props = 0 if props_expr is None else self.eval(rex, props_expr)
        st = self.state
        if key == 0:
            key = st.next_key
            st.next_key += 1
        b = Bind(key=key, value=value, code=code, location=st.context, name=name, props=props)
        st.scope[name] = b
        st.touch_scope(name)
        self.out("define", b)

    # ----- modules ------------------------------------------------------------

    def enter(self, rex: Node) -> None:
        """``#### name`` or ``#### name <- prev``: archive the current scope
        and start the module ``name`` with an empty scope."""
        ks = kids(rex)
        st = self.state
        if len(ks) == 2 and isinstance(ks[1], Node) and ks[1].rune == "<-" \
                and len(ks[1].sons) == 1 and ks[1].heir is None:
            target, prev = self.r.key(ks[0]), self.r.key(ks[1].sons[0])
            if st.context != prev:
                raise self.r.fail(rex, "That's not where we were")
        elif len(ks) == 1:
            target = self.r.key(ks[0])
            if st.context != 0 or st.scope:
                raise self.r.fail(rex, "#### without predecessor, but not in initial state")
        else:
            raise self.r.fail(rex, "Expected something like (#### foo) or (#### foo <- bar)")
        switch_context(st, target)

    def filter(self, rune: str, rex: Node) -> None:
        keep: set[int] = set()
        cur: Optional[Rex] = rex
        while cur is not None:
            if not (isinstance(cur, Node) and cur.rune == rune):
                raise self.r.fail(cur, "Bad export-filter syntax")
            keep.update(self.r.key(s) for s in cur.sons)
            cur = cur.heir
        st = self.state
        missing = sorted(k for k in keep if k not in st.scope)
        if missing:
            names = ", ".join(name_text(k) for k in missing)
            raise self.r.fail(rex, f"filter for non-existing keys: {names}")
        st.scope = {k: b for k, b in st.scope.items() if k in keep}
        st.touch_scope()

    def import_(self, rune: str, rex: Node) -> None:
        cur: Optional[Rex] = rex
        while cur is not None:
            if not (isinstance(cur, Node) and cur.rune == rune and len(cur.sons) in (1, 2)):
                raise self.r.fail(cur, "Bad import syntax")
            names: Optional[list[int]] = None
            if len(cur.sons) == 2:
                lst = cur.sons[1]
                if not (isinstance(lst, Node) and lst.rune == "," and lst.heir is None):
                    raise self.r.fail(cur, "Bad import syntax")
                names = [self.r.key(s) for s in lst.sons]
            self.import_module(cur, self.r.key(cur.sons[0]), names)
            cur = cur.heir

    def import_module(self, rex: Rex, module: int, names: Optional[list[int]]) -> None:
        """Bring a module's names into scope (imported names win)."""
        st = self.state
        binds = st.modules.get(module)
        if binds is None:
            raise self.r.fail(rex, f"Module not loaded: {name_text(module)}")
        if names is not None:
            missing = [n for n in names if n not in binds]
            if missing:
                raise self.r.fail(rex, "imported symbols do not exist: "
                                  + ", ".join(name_text(n) for n in missing))
            binds = {n: binds[n] for n in names}
        st.scope = {**st.scope, **binds}
        st.touch_scope()

    # ----- assertions ---------------------------------------------------------

    def assertion(self, rune: str, rex: Node) -> None:
        cur: Optional[Rex] = rex
        while cur is not None:
            nxt = cur.heir if isinstance(cur.heir, Node) and cur.heir.rune == rune else None
            parts = list(cur.sons) if nxt is not None else kids(cur)
            self.out("assert", cur if nxt is None else Node(cur.shape, cur.rune, cur.sons, None, cur.span))
            if len(parts) != 2:
                raise self.r.fail(cur, f"{rune} expects two parameters")
            x = self.r.expr([], parts[0])
            y = self.r.expr([], parts[1])
            xv, yv = self.eval(parts[0], x), self.eval(parts[1], y)
            if not (xv == yv):
                from ..plan import show
                raise self.r.fail(cur, "ASSERTION FAILURE: "
                                  f"{_short(show(xv))} is not {_short(show(yv))}", "assert")
            cur = nxt


def switch_context(st: State, target: int) -> None:
    """Archive the current scope under the current module (unless it is
    the initial context 0), then start ``target`` with an empty scope."""
    if st.context != 0:
        st.modules = {**st.modules, st.context: st.scope}
        st.touch_modules()
    st.scope = {}
    st.context = target
    st.touch_scope()


def _law_binder(rex: Rex) -> Optional[tuple[bool, int, list[int]]]:
    """``(f a b)`` or ``(**f a b)`` as (inline?, name, args), else None."""
    if not (isinstance(rex, Node) and rex.rune == "|"):
        return None
    ks = kids(rex)
    if not ks:
        return None
    head, mark = ks[0], False
    if isinstance(head, Node) and head.rune == "**" and len(head.sons) == 1 and head.heir is None:
        head, mark = head.sons[0], True
    name = try_key(head)
    args = [try_key(k) for k in ks[1:]]
    if name is None or any(a is None for a in args):
        return None
    return mark, name, args


def _short(text: str, width: int = 200) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"

"""The compiler state and the PLAN encodings that macros see.

The front end keeps its state in Python (:class:`State`: next key, context,
scope, archived modules) and builds the PLAN form only when a macro asks for
it, exactly as the reference lays it out (``lib/Sire.hs``, ``Sire/Types.hs``):

    state    = [nextKey context scope modules]      (a 4-row)
    scope    = tab: name nat -> binding pin
    modules  = tab: module name nat -> PIN(tab name -> binding pin)
    binding  = PIN [key value code location name props]
    code     = the AST: V n -> n, K x -> [%K x], G b -> [%G bindingPin],
               A f x -> [%A f x], L v b -> [%L v b], R vs b -> [%R row b],
               M x -> [%M x], F l -> [%F pin mark recr tag args body]

A state returned by a macro is read back: bindings already known (by key
and name) are reused; others are decoded, AST included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Optional

from ..errors import SireError
from ..plan import Value, from_tree
from ..plan import view
from ..plan.tree import App, Law, Pin, Tree, row, text_nat
from .ast import A, Bind, F, G, K, L, Lam, M, R, Sire, V

_K, _G, _A, _L, _R, _M, _F = (text_nat(c) for c in "KGALRMF")

#: bindings already made into pins or read from them, by key: (bind, its
#: pin). Each state lineage has its own (``State.known``, shared by copies);
#: nothing is cached process-wide.
Known = dict  # of int -> tuple[Bind, Value]


# The one view of trees and values (:mod:`pallas_kernel.plan.view`), raising
# SireError here: a macro gave a malformed state, binding or AST.
layer = view.layer
nat_of = partial(view.nat_of, error=SireError)
row_items = partial(view.row_items, error=SireError)
tab_items = partial(view.tab_items, error=SireError)


def make_tab(pairs: dict[int, object]) -> Tree:
    """The tab of nat keys (sorted) to values, as a tree."""
    keys = sorted(pairs)
    return App(Law(1, 2, row(*keys)), row(*(pairs[k] for k in keys)))


# ----- the AST ----------------------------------------------------------------

def encode_ast(expr: Sire, known: Optional[Known] = None) -> Tree:
    """The reference's PLAN encoding of an AST (``sireNoun``), built with an
    explicit stack (``known`` caches binding pins)."""
    known = {} if known is None else known
    out: dict[int, Tree] = {}
    todo: list[tuple[Sire, bool]] = [(expr, False)]
    keep: list[Sire] = []
    while todo:
        e, ready = todo.pop()
        if id(e) in out:
            continue
        kids = _ast_kids(e)
        if not ready and kids:
            todo.append((e, True))
            todo.extend((k, False) for k in kids)
            continue
        keep.append(e)
        out[id(e)] = _encode_one(e, out, known)
    return out[id(expr)]


def _ast_kids(e: Sire) -> list[Sire]:
    match e:
        case A(f, x):
            return [f, x]
        case L(v, b):
            return [v, b]
        case R(vs, b):
            return [*vs, b]
        case M(x):
            return [x]
        case F(lam):
            return [lam.body]
    return []


def _encode_one(e: Sire, out: dict[int, Tree], known: Known) -> Tree:
    match e:
        case V(i):
            return i
        case K(x):
            return row(_K, x)
        case G(b):
            return row(_G, bind_pin(b, known))
        case A(f, x):
            return row(_A, out[id(f)], out[id(x)])
        case L(v, b):
            return row(_L, out[id(v)], out[id(b)])
        case R(vs, b):
            return row(_R, row(*(out[id(v)] for v in vs)), out[id(b)])
        case M(x):
            return row(_M, out[id(x)])
        case F(l):
            return row(_F, int(l.pin), int(l.mark), int(l.recr), l.tag, l.args, out[id(l.body)])
    raise SireError(f"not a Sire AST node: {type(e).__name__}")


def decode_ast(t: object, known: Optional[Known] = None) -> Sire:
    """An AST from its PLAN encoding (``getSyr``); explicit stack."""
    known = {} if known is None else known
    results: list[Sire] = []
    todo: list[tuple[str, object]] = [("go", t)]
    while todo:
        op, x = todo.pop()
        if op != "go":
            n = op[1]
            args = results[len(results) - n:] if n else []
            del results[len(results) - n:]
            results.append(x(*args))
            continue
        v = layer(x)
        if isinstance(v, int):
            results.append(V(v))
            continue
        items = row_items(v, "Sire code")
        tag = nat_of(items[0], "a Sire code tag")
        if tag == _K and len(items) == 2:
            results.append(K(items[1]))
        elif tag == _G and len(items) == 2:
            results.append(G(bind_of_pin(items[1], known)))
        elif tag in (_A, _L) and len(items) == 3:
            todo.append((("mk", 2), A if tag == _A else L))
            todo.append(("go", items[2]))
            todo.append(("go", items[1]))
        elif tag == _M and len(items) == 2:
            todo.append((("mk", 1), M))
            todo.append(("go", items[1]))
        elif tag == _R and len(items) == 3:
            vs = row_items(items[1], "letrec bindings")
            todo.append((("mk", len(vs) + 1), lambda *a: R(tuple(a[:-1]), a[-1])))
            todo.append(("go", items[2]))
            todo.extend(("go", v) for v in reversed(vs))
        elif tag == _F and len(items) == 7:
            pin, mark, recr, ltag, nargs = (nat_of(i, "a lambda field") for i in items[1:6])

            def mk(body, pin=pin, mark=mark, recr=recr, ltag=ltag, nargs=nargs):
                return F(Lam(bool(pin), bool(mark), bool(recr), ltag, nargs, body))
            todo.append((("mk", 1), mk))
            todo.append(("go", items[6]))
        else:
            raise SireError("malformed Sire code in a binding")
    return results[0]


# ----- bindings ---------------------------------------------------------------

def bind_pin(b: Bind, known: Optional[Known] = None) -> Value:
    """The binding's pin ``PIN [key value code location name props]``."""
    known = {} if known is None else known
    hit = known.get(b.key)
    if hit is not None and hit[0] is b:
        return hit[1]
    pin = from_tree(Pin(row(b.key, b.value, encode_ast(b.code, known), b.location,
                            b.name, b.props))).force()
    known[b.key] = (b, pin)
    return pin


def bind_of_pin(p: object, known: Optional[Known] = None) -> Bind:
    """The binding a pin encodes (a known binding when the key, name and
    pin agree)."""
    t = layer(p)
    if not isinstance(t, Pin):
        raise SireError("a binding is not a pin")
    items = row_items(t.item, "a binding")
    if len(items) != 6:
        raise SireError("a binding is not a row of six")
    key = nat_of(items[0], "a binding key")
    known = {} if known is None else known
    hit = known.get(key)
    if hit is not None and isinstance(p, Value) and hit[1].pin_hash() == p.pin_hash():
        return hit[0]  # by hash: a structural comparison would walk whole values
    b = Bind(key=key, value=items[1], code=decode_ast(items[2], known),
             location=nat_of(items[3], "a binding location"),
             name=nat_of(items[4], "a binding name"), props=items[5])
    if isinstance(p, Value):
        known[key] = (b, p)
    return b


# ----- the state --------------------------------------------------------------

@dataclass
class State:
    """The compiler state: what the reference threads through every command
    and macro. Scopes map name nats to bindings; ``modules`` maps module
    names to their archived scopes."""

    next_key: int = 1
    context: int = 0
    scope: dict[int, Bind] = field(default_factory=dict)
    modules: dict[int, dict[int, Bind]] = field(default_factory=dict)
    _plan: Optional[Value] = field(default=None, repr=False, compare=False)
    _scope_plan: Optional[Value] = field(default=None, repr=False, compare=False)
    _modules_plan: Optional[Value] = field(default=None, repr=False, compare=False)
    _module_pins: dict = field(default_factory=dict, repr=False, compare=False)
    known: Known = field(default_factory=dict, repr=False, compare=False)

    def copy(self) -> "State":
        """A copy that can change without changing this one (the scope and
        module tables are copied; bindings are immutable)."""
        return State(self.next_key, self.context, dict(self.scope), dict(self.modules),
                     self._plan, self._scope_plan, self._modules_plan, self._module_pins,
                     self.known)

    def touch_scope(self) -> None:
        """Forget the cached PLAN forms after the scope changed."""
        self._plan = self._scope_plan = None

    def touch_modules(self) -> None:
        """Forget the cached PLAN forms after the modules changed."""
        self._plan = self._modules_plan = None

    def scope_plan(self) -> Value:
        """The scope as a PLAN tab."""
        if self._scope_plan is None:
            self._scope_plan = from_tree(make_tab({k: bind_pin(b, self.known) for k, b in self.scope.items()})).force()
        return self._scope_plan

    def module_pin(self, name: int) -> Value:
        """The archived scope of a module, as a pin of its tab."""
        scope = self.modules[name]
        hit = self._module_pins.get(name)
        if hit is None or hit[0] is not scope:
            pin = from_tree(Pin(make_tab({k: bind_pin(b, self.known) for k, b in scope.items()}))).force()
            self._module_pins = {**self._module_pins, name: (scope, pin)}
            hit = (scope, pin)
        return hit[1]

    def modules_plan(self) -> Value:
        """The modules table as a PLAN tab."""
        if self._modules_plan is None:
            self._modules_plan = from_tree(make_tab({m: self.module_pin(m) for m in self.modules})).force()
        return self._modules_plan

    def to_plan(self) -> Value:
        """The state row ``[nextKey context scope modules]``."""
        if self._plan is None:
            self._plan = from_tree(row(self.next_key, self.context, self.scope_plan(),
                                       self.modules_plan())).force()
        return self._plan

    def adopt(self, value: Value) -> None:
        """Replace this state by a state a macro returned."""
        if self._plan is not None and value == self._plan:
            return
        items = row_items(value, "the macro's new state")
        if len(items) != 4:
            raise SireError("the macro's new state is not a row of four")
        self.next_key = nat_of(items[0], "the state's next key")
        self.context = nat_of(items[1], "the state's context")
        scope_v, modules_v = items[2], items[3]
        if self._scope_plan is None or not (scope_v == self._scope_plan):
            self.scope = {k: bind_of_pin(b, self.known) for k, b in tab_items(scope_v, "the scope")}
            self._scope_plan = scope_v if isinstance(scope_v, Value) else None
        if self._modules_plan is None or not (modules_v == self._modules_plan):
            mods = {}
            for name, pin in tab_items(modules_v, "the modules table"):
                t = layer(pin)
                if not isinstance(t, Pin):
                    raise SireError("a module in the modules table is not a pin")
                mods[name] = {k: bind_of_pin(b, self.known) for k, b in tab_items(t.item, "a module")}
            self.modules = mods
            self._modules_plan = modules_v if isinstance(modules_v, Value) else None
            self._module_pins = {}
        self._plan = value if isinstance(value, Value) else None

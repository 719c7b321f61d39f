"""The compiler state, and its PLAN form that macros see.

The front end keeps its state in Python (:class:`State`: next key, context,
scope, archived modules) and builds the PLAN form only when a macro asks for
it, exactly as the reference lays it out (``lib/Sire.hs``, ``Sire/Types.hs``):

    state    = [nextKey context scope modules]      (a 4-row)
    scope    = tab: name nat -> binding pin
    modules  = tab: module name nat -> PIN(tab name -> binding pin)
    binding  = PIN [key value code location name props]   (see :mod:`.noun`)

A state returned by a macro is read back: bindings already known (by key
and pin hash, in ``State.known``) are reused; others are decoded, AST
included, by :mod:`.noun`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Optional

from ..errors import SireError
from .._core import same
from ..plan import Value, from_tree, tab_insert
from ..plan.tree import App, Law, Pin, Tree, row
from .ast import Bind
from .noun import Known, bind_of_pin, bind_pin, layer, nat_of, row_items, tab_items


def make_tab(pairs: dict[int, object]) -> Tree:
    """The tab of nat keys (sorted) to values, as a tree."""
    keys = sorted(pairs)
    return App(Law(1, 2, row(*keys)), row(*(pairs[k] for k in keys)))


class LazyScope(Mapping):
    """An archived module scope read back from PLAN (the cache, a macro's
    state), decoded into bindings only when first looked into: a chain of
    modules archives a scope per module, and most are never imported again.
    ``pin`` is the module's pin as read, reused while nothing changed."""

    def __init__(self, pin: Value, known: Known) -> None:
        self.pin = pin
        self._known = known
        self._binds: Optional[dict[int, Bind]] = None

    def _decoded(self) -> dict[int, Bind]:
        if self._binds is None:
            t = layer(self.pin)
            self._binds = {k: bind_of_pin(b, self._known) for k, b in tab_items(t.item, "a module")}
        return self._binds

    def __getitem__(self, key: int) -> Bind:
        return self._decoded()[key]

    def __iter__(self):
        return iter(self._decoded())

    def __len__(self) -> int:
        return len(self._decoded())


# ----- the state --------------------------------------------------------------

@dataclass
class State:
    """The compiler state: what the reference threads through every command
    and macro. Scopes map name nats to bindings; ``modules`` maps module
    names to their archived scopes."""

    next_key: int = 1
    context: int = 0
    scope: dict[int, Bind] = field(default_factory=dict)
    modules: dict[int, Mapping[int, Bind]] = field(default_factory=dict)
    _plan: Optional[Value] = field(default=None, repr=False, compare=False)
    _scope_plan: Optional[Value] = field(default=None, repr=False, compare=False)
    _modules_plan: Optional[Value] = field(default=None, repr=False, compare=False)
    _module_pins: dict = field(default_factory=dict, repr=False, compare=False)
    known: Known = field(default_factory=dict, repr=False, compare=False)
    # the last scope tab made and the scope it was made from (never mutated),
    # so that a scope changed by a few bindings gets its tab by a few inserts
    _scope_base: Optional[tuple[dict, Value]] = field(default=None, repr=False, compare=False)
    # the names set since that tab was made, when only set (None: unknown)
    _scope_dirty: Optional[frozenset] = field(default=None, repr=False, compare=False)

    def copy(self) -> "State":
        """A copy that can change without changing this one (the scope and
        module tables are copied; bindings are immutable)."""
        return State(self.next_key, self.context, dict(self.scope), dict(self.modules),
                     self._plan, self._scope_plan, self._modules_plan, self._module_pins,
                     self.known, self._scope_base, self._scope_dirty)

    def touch_scope(self, name: Optional[int] = None) -> None:
        """Forget the cached PLAN forms after the scope changed: the binding
        of ``name`` was set, or anything (None)."""
        self._plan = self._scope_plan = None
        if name is None or self._scope_dirty is None:
            self._scope_dirty = None
        else:
            self._scope_dirty = self._scope_dirty | {name}

    def touch_modules(self) -> None:
        """Forget the cached PLAN forms after the modules changed."""
        self._plan = self._modules_plan = None

    def scope_plan(self) -> Value:
        """The scope as a PLAN tab: the last one made, updated by inserts
        when only a few bindings were added or replaced since (every
        definition changes the scope and every macro call after it needs
        the tab, so rebuilding it each time costs the scope's size per
        definition), else built anew."""
        if self._scope_plan is None:
            tab = self._scope_by_inserts()
            if tab is None:
                tab = from_tree(make_tab({k: bind_pin(b, self.known) for k, b in self.scope.items()})).force()
            self._scope_plan = tab
            self._scope_base = (dict(self.scope), tab)
            self._scope_dirty = frozenset()
        return self._scope_plan

    def _scope_by_inserts(self, most: int = 64) -> Optional[Value]:
        """The scope tab from the last one by inserting what changed, or None
        when a binding was removed or too many changed."""
        if self._scope_base is None:
            return None
        old, tab = self._scope_base
        if self._scope_dirty is not None and len(self._scope_dirty) <= most:
            for k in sorted(self._scope_dirty):       # only set since: no diff needed
                tab = tab_insert(tab, k, bind_pin(self.scope[k], self.known))
            return tab
        changed, added = [], 0
        for k, b in self.scope.items():
            was = old.get(k)
            if was is not b:
                changed.append(k)
                added += was is None
                if len(changed) > most:
                    return None
        if len(self.scope) - added != len(old):
            return None
        for k in changed:
            tab = tab_insert(tab, k, bind_pin(self.scope[k], self.known))
        return tab

    def module_pin(self, name: int) -> Value:
        """The archived scope of a module, as a pin of its tab."""
        scope = self.modules[name]
        if isinstance(scope, LazyScope):
            return scope.pin
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
        """Replace this state by a state a macro returned.

        Most macros hand back the state they were given, or a row holding
        the same scope and modules tabs: each part is first checked for
        being the very object made here (``same``, no evaluation), so
        adopting costs nothing per binding in scope; only a part that is
        another object is compared (normal form) and, when it differs,
        read back."""
        if self._plan is not None and same(value, self._plan):
            return
        items = row_items(value, "the macro's new state")
        if len(items) != 4:
            raise SireError("the macro's new state is not a row of four")
        self.next_key = nat_of(items[0], "the state's next key")
        self.context = nat_of(items[1], "the state's context")
        scope_v, modules_v = items[2], items[3]
        if not _unchanged(scope_v, self._scope_plan):
            self.scope = {k: bind_of_pin(b, self.known) for k, b in tab_items(scope_v, "the scope")}
            self._scope_plan = scope_v if isinstance(scope_v, Value) else None
            self._scope_base = (dict(self.scope), scope_v) if isinstance(scope_v, Value) else None
            self._scope_dirty = frozenset() if isinstance(scope_v, Value) else None
        if not _unchanged(modules_v, self._modules_plan):
            mods: dict[int, Mapping[int, Bind]] = {}
            for name, pin in tab_items(modules_v, "the modules table"):
                if not isinstance(layer(pin), Pin):
                    raise SireError("a module in the modules table is not a pin")
                mods[name] = LazyScope(pin, self.known) if isinstance(pin, Value) else \
                    {k: bind_of_pin(b, self.known) for k, b in tab_items(layer(pin).item, "a module")}
            self.modules = mods
            self._modules_plan = modules_v if isinstance(modules_v, Value) else None
            self._module_pins = {}
        self._plan = value if isinstance(value, Value) else None


def _unchanged(new: object, old: Optional[Value]) -> bool:
    """Whether a part of a returned state is the part made here: the same
    object, else equal in normal form."""
    if old is None:
        return False
    return same(new, old) or new == old

"""A Sire session: a compiler state that runs text and reports typed events.

This is the one door the REPL, ``pallas save``, the machine and the kernel use
to run Sire. A :class:`Session` holds a compiler state (:class:`.state.State`)
and runs a text of one or more Rex blocks with :meth:`Session.run`. What
happens comes back as events, never as printing:

    Defined    a binding was made (its name, the binding)
    Evaluated  an expression's value
    Asserted   an assertion held (its Rex, printed)
    Traced     ``trk`` output (streams as it happens, through ``on_event``)
    Failed     a block failed: kind, reason, file:line:column, the code as
               written, a caret under the place

A block is all or nothing: its events other than ``Traced`` are reported only
when the whole block succeeded, so nothing is shown for a definition that was
rolled back. A failing block (a Rex syntax error, an unresolved name, a crash,
an assertion, Ctrl-C, memory) leaves the state as it was and the next block
runs. No output, exit codes or process-wide settings live here: the trace hook
is installed only while the session runs (:func:`pallas_kernel.plan.tracing`),
and the session's caches belong to its state.

A session's state is saved as one pin (:meth:`Session.save`) and restored
from it (:meth:`Session.restore`), which is what a kernel restart needs; and it
answers what completion and inspection need (:meth:`names`, :meth:`describe`).
"""

from __future__ import annotations

import contextlib

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional, Union

from .. import plan
from ..errors import WINDOW, PallasError, PlanError, RexError, SireError, caret_lines, source_window
from ..plan import Value
from ..plan.view import layer, name_text
from ..rex import read_blocks
from ..plan.tree import App, Law, Pin, nat_text, text_nat
from .ast import Bind
from .cache import Cache
from .commands import run_block, switch_context
from .docs import module_definitions
from .failure import SireFailure, printed
from .modules import Loader, module_name, read_header
from .show import Names, show_value
from .state import State

# ----- events -------------------------------------------------------------------


@dataclass(frozen=True)
class Defined:
    """A binding was made by a block that succeeded."""

    name: str
    binding: Bind


@dataclass(frozen=True)
class Evaluated:
    """The value of an expression at the top level."""

    value: Value


@dataclass(frozen=True)
class Asserted:
    """An assertion that held, printed as written (Rex)."""

    text: str


@dataclass(frozen=True)
class Traced:
    """``trk`` output: the traced value; ``module`` is set while a module
    is being loaded (the CLI sends those to stderr)."""

    value: object
    module: Optional[str] = None


@dataclass(frozen=True)
class Failed:
    """A block failed and applied nothing.

    ``kind`` is one of: "syntax" (Rex), "parse" (unresolved names, bad
    forms), "macro", "assert", "crash" (a PLAN crash or loop), "interrupted",
    "memory", "module" (a module could not be found or loaded), "error".
    ``code`` is the source line as the user wrote it and ``column`` counts
    bytes from 1; ``detail`` is extra text (the offending Rex, printed)."""

    kind: str
    reason: str
    file: str = ""
    line: int = 0
    column: int = 0
    code: str = ""
    width: int = 1
    detail: str = ""

    def where(self) -> str:
        """``file:line:column`` (what is known of it)."""
        if not self.file:
            return ""
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.column}" if self.column else f"{self.file}:{self.line}"

    def message(self) -> str:
        """The error as a person reads it: place, kind, reason, the code with
        a caret under the place, then the detail."""
        label = _LABELS.get(self.kind, "error")
        where = self.where()
        text = f"{where}: {label}: {self.reason}" if where else f"{label}: {self.reason}"
        if self.code:
            width = min(max(self.width, 1), WINDOW)
            before, after = source_window(self.code.encode("utf-8"), self.column, width)
            text += "\n" + caret_lines(before, after, width)
        if self.detail:
            text += "\n" + "\n".join("    " + line for line in self.detail.splitlines())
        return text


_LABELS = {"syntax": "syntax error", "macro": "macro failure", "assert": "assertion failure",
           "crash": "crash", "interrupted": "interrupted", "memory": "out of memory",
           "module": "module error"}

Event = Union[Defined, Evaluated, Asserted, Traced, Failed]
OnEvent = Callable[[Event], None]


@dataclass
class Result:
    """What one call of :meth:`Session.run` did: its events, in order, and
    how many blocks ran and failed."""

    events: list = field(default_factory=list)
    blocks: int = 0
    failed: int = 0

    @property
    def ok(self) -> bool:
        """Every block succeeded."""
        return self.failed == 0

    def failures(self) -> list[Failed]:
        return [e for e in self.events if isinstance(e, Failed)]


@dataclass(frozen=True)
class BindingInfo:
    """What completion and inspection show of a name in scope."""

    name: str
    kind: str             # "law", "pin", "app", "nat"
    arity: int            # arguments still expected (0 for data)
    value: Value
    pin_hash: Optional[str]   # base58, for pins
    jet: bool             # a native jet is attached
    module: str           # where it was defined (its module, or "REPL")
    key: int
    file: Optional[str] = None
    line: Optional[int] = None
    doc: str = ""


# ----- the session ------------------------------------------------------------


class Session:
    """A Sire compiler state with a way to run text on it.

    :meth:`load` finds modules along ``include`` (then ``./sire``,
    ``$SIRE_PATH`` and the package's ``sire/``) and keeps compiled chains in
    ``cache`` when given; ``jets`` are extra (law name, pin hash) pairs
    accepted for native jets while this session runs; a fresh state starts in
    the module context ``context``."""

    def __init__(self, state: Optional[State] = None, *, include: Iterable[str] = (),
                 cache: Optional[Cache] = None, jets: Iterable[tuple[str, bytes]] = (),
                 context: str = "REPL"):
        self.state = state.copy() if state is not None else State()
        self.loader = Loader(include=list(include), cache=cache)
        self.jets = list(jets)
        if self.state.context == 0 and not self.state.scope and context:
            switch_context(self.state, text_nat(context))
        self.context = context
        self._origins: dict[str, dict[str, tuple[int, str]]] = {}
        self._prevs: dict[str, Optional[str]] = {}
        self._names: Optional[tuple[dict, Names]] = None

    # ----- loading modules -----------------------------------------------------

    def add_path(self, path: str) -> None:
        """Search a module file's directory too, and name that file for its
        module (``pallas sire some/dir/x.sire``)."""
        p = Path(path)
        self.loader.explicit[module_name(path)] = p
        if str(p.parent) not in self.loader.include:
            self.loader.include.append(str(p.parent))

    def load(self, name: str, on_event: Optional[OnEvent] = None, import_: bool = True) -> Result:
        """Load module ``name`` with its chain (from the cache where it can)
        and, with ``import_``, make its names this session's scope (the REPL's
        context with the module imported). A failure is one Failed event and
        changes nothing."""
        result = Result(blocks=1)
        emit = _emitter(result, on_event)
        mod = module_name(name)
        current = [mod]
        self.loader.on_module = lambda m: current.__setitem__(0, m)
        try:
            with self._running(lambda v: emit(Traced(v, current[0]))):
                loaded = self.loader.load(mod)
                new = self._merged(loaded)
                if import_:
                    _import_scope(new, text_nat(mod))
        except BaseException as e:  # noqa: BLE001 - every failure becomes an event
            fail = _failure_of(e, None)
            if fail is None:
                raise
            if fail.kind in ("parse", "error") and not fail.file:
                fail = Failed("module", fail.reason)
            fail = _code_from_file(fail)
            emit(fail)
            result.failed = 1
            return result
        self.state = new
        return result

    def _merged(self, loaded: State) -> State:
        """The loaded chain's state, continuing in this session's context
        (with its key counter, scope and earlier modules kept)."""
        new = loaded.copy()
        new.next_key = max(new.next_key, self.state.next_key)
        mods = dict(self.state.modules)
        mods.update(new.modules)
        if loaded.context != 0:
            mods[loaded.context] = loaded.scope
        new.modules = mods
        new.context = self.state.context
        new.scope = dict(self.state.scope)
        new.touch_modules()
        new.touch_scope()
        return new

    # ----- running text ----------------------------------------------------------

    def run(self, text: Union[str, bytes], file: str = "<input>", first_line: int = 1,
            on_event: Optional[OnEvent] = None) -> Result:
        """Run every block of ``text`` in order (``first_line`` is the line
        number of its first line, for messages). Never raises for anything
        the input does: failures are Failed events. A KeyboardInterrupt
        stops the current block (an ``interrupted`` failure) and the rest of
        the text is not run."""
        result = Result()
        emit = _emitter(result, on_event)
        lines = _source_lines(text)
        offset = first_line - 1
        try:
            blocks = list(read_blocks(text, file))
        except KeyboardInterrupt:
            emit(Failed("interrupted", "interrupted", file))
            result.failed += 1
            return result
        except Exception as e:  # the reader must not fail, but a message beats a traceback
            emit(Failed("syntax", f"the text could not be read: {e}", file))
            result.failed += 1
            return result
        try:
            for block in blocks:
                result.blocks += 1
                if block.errors:
                    for err in block.errors:
                        emit(_rex_failure(err, offset))
                    result.failed += 1
                    continue
                fail = self._run_block(block.rex, file, offset, lines, emit)
                if fail is not None:
                    result.failed += 1
                    if fail.kind == "interrupted":
                        break
        except KeyboardInterrupt:  # between blocks: the state is a whole block's
            emit(Failed("interrupted", "interrupted", file))
            result.failed += 1
        return result

    def _run_block(self, rex, file: str, offset: int, lines: list[str],
                   emit: Callable[[Event], None]) -> Optional[Failed]:
        """Run one block; its events reach ``emit`` only if it succeeds."""
        pending: list[Event] = []

        def out(kind: str, payload: object) -> None:
            if kind == "define":
                pending.append(Defined(_name(payload.name), payload))
            elif kind == "value":
                pending.append(Evaluated(payload))
            elif kind == "assert":
                pending.append(Asserted(printed(payload)))

        try:
            with self._running(lambda v: emit(Traced(v))):
                new = run_block(self.state, rex, file, out)
        except BaseException as e:  # noqa: BLE001 - every failure becomes an event
            fail = _failure_of(e, getattr(rex, "span", None))
            if fail is None:
                raise
            fail = _placed(fail, offset, lines, file)
            emit(fail)
            return fail
        self.state = new
        for ev in pending:
            emit(ev)
        return None

    def _running(self, on_trace: Callable[[object], None]):
        """The context a run needs: the trace hook and this session's extra
        accepted jets."""
        stack = contextlib.ExitStack()
        stack.enter_context(plan.tracing(on_trace))
        stack.enter_context(plan.accepting_jets(self.jets))
        return stack

    # ----- saving and restoring --------------------------------------------------

    def save(self) -> Value:
        """The whole state as one pin: ``PIN [nextKey context scope modules]``."""
        return plan.from_tree(Pin(self.state.to_plan())).force()

    @classmethod
    def restore(cls, pin: Value, **kwargs) -> "Session":
        """A session on the state a :meth:`save` pin holds (a SireError if
        the value is not one)."""
        t = layer(pin)
        if not isinstance(t, Pin):
            raise SireError("a saved session is a pin of the state row")
        st = State()
        st.adopt(t.item)
        return cls(st, **kwargs)

    # ----- completion and inspection ---------------------------------------------

    def names(self) -> list[str]:
        """The names in scope (printable ones), sorted."""
        out = []
        for k in self.state.scope:
            s = nat_text(k)
            if s and s.isprintable():
                out.append(s)
        return sorted(out)

    def modules(self) -> list[str]:
        """The names of the loaded modules."""
        return sorted(_name(m) for m in self.state.modules)

    def binding(self, name: str) -> Optional[Bind]:
        """The binding of a name in scope, if any."""
        return self.state.scope.get(text_nat(name))

    def describe(self, name: str) -> Optional[BindingInfo]:
        """Kind, arity, pin hash, jet, module and, for library names, file,
        line and doc comment of a name in scope."""
        b = self.binding(name)
        if b is None:
            return None
        value = b.value if isinstance(b.value, Value) else plan.from_tree(b.value)
        value = value.force()
        kind = value.kind
        module = _name(b.location) if isinstance(b.location, int) and b.location else ""
        info = dict(name=name, kind=kind, arity=value_arity(value), value=value,
                    pin_hash=plan.hash_b58(value) if kind == "pin" else None,
                    jet=bool(value.has_jet) if kind == "pin" else False,
                    module=module, key=b.key)
        origin = self._origin(module, name)
        if origin is not None:
            info.update(file=origin[0], line=origin[1], doc=origin[2])
        return BindingInfo(**info)

    def _origin(self, module: str, name: str) -> Optional[tuple[str, int, str]]:
        """Where a module's file defines ``name``, and the comment above it;
        when that definition has none (a later module binding the name again,
        say with a type), the doc of its first documented definition up the
        chain of module files."""
        if not module or module == self.context:
            return None
        here = self._defined_in(module, name)
        if here is not None and here[2]:
            return here
        first = self._first_doc(module, name)
        if first is None:
            return here
        return first if here is None else (here[0], here[1], first[2])

    def _first_doc(self, module: str, name: str) -> Optional[tuple[str, int, str]]:
        """The documented definition of ``name`` nearest the start of the
        chain that ends at ``module`` (following each file's ``#### m <- prev``)."""
        best, seen, cur = None, set(), module
        while cur is not None and cur not in seen:
            seen.add(cur)
            hit = self._defined_in(cur, name)
            if hit is not None and hit[2]:
                best = hit
            cur = self._predecessor(cur)
        return best

    def _predecessor(self, module: str) -> Optional[str]:
        """The module a module file names as its predecessor, if any."""
        if module not in self._prevs:
            try:
                path = self.loader.find(module)
                self._prevs[module] = read_header(path.read_bytes(), str(path)).prev
            except (SireError, RexError, OSError):
                self._prevs[module] = None
        return self._prevs[module]

    def _defined_in(self, module: str, name: str) -> Optional[tuple[str, int, str]]:
        """(file, line, doc comment) of ``name`` in a module's file."""
        try:
            path = self.loader.find(module)
        except SireError:
            return None
        table = self._origins.get(str(path))
        if table is None:
            table = module_definitions(path)
            self._origins[str(path)] = table
        hit = table.get(name)
        return None if hit is None else (str(path), hit[0], hit[1])

    def show(self, value: object, limit: int = 4000) -> str:
        """A value printed as Sire (:mod:`.show`): pins and laws bound in
        scope by their names, cut at ``limit`` characters with a marker."""
        return show_value(value, self._scope_names(), limit)

    def show_definition(self, ev: Defined, limit: int = 4000) -> str:
        """How the REPL prints a definition: ``name=value``, or for a law
        that the name itself is the best name of, its signature
        ``(name a b)`` (the arguments named a, b, c, ...)."""
        value = ev.binding.value
        if (isinstance(value, Value) and value.kind == "pin" and value_arity(value)
                and self._scope_names().pin_name(value) == ev.name):
            return "(" + " ".join([ev.name, *_arg_names(value_arity(value))]) + ")"
        return f"{ev.name}={self.show(value, limit)}"

    def scope_names(self) -> Names:
        """The names that pins and laws print as (the scope's), for other
        printers of values (the kernel's HTML display)."""
        return self._scope_names()

    def _scope_names(self) -> Names:
        """The names of the scope's pins and laws, built once per scope."""
        if self._names is None or self._names[0] is not self.state.scope:
            pairs = ((k, b.value) for k, b in self.state.scope.items())
            self._names = (self.state.scope, Names(pairs))
        return self._names[1]


# ----- helpers ------------------------------------------------------------------


def _emitter(result: Result, on_event: Optional[OnEvent]) -> Callable[[Event], None]:
    def emit(ev: Event) -> None:
        result.events.append(ev)
        if on_event is not None:
            on_event(ev)
    return emit


def _name(n: object) -> str:
    """A name for messages ("?" if a macro left something else than a nat)."""
    return name_text(n) if isinstance(n, int) else "?"


def _import_scope(st: State, module: int) -> None:
    """Import a loaded module's names into the scope (imported names win)."""
    st.scope = {**st.scope, **st.modules[module]}
    st.touch_scope()


def value_arity(value: Value) -> int:
    """How many more arguments a value takes before it runs (0 for nats and
    saturated data): a law's arity less the arguments it has, through pins."""
    t, given = layer(value), 0
    while True:
        if isinstance(t, App):
            given += 1
            t = layer(t.fun)
        elif isinstance(t, Pin):
            t = layer(t.item)
        elif isinstance(t, Law):
            return max(t.arity - given, 0)
        else:
            return 0


def _arg_names(n: int) -> list[str]:
    """a, b, ..., z, a1, b1, ...: names for a law's arguments."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return [letters[i % 26] + (str(i // 26) if i >= 26 else "") for i in range(n)]


def _source_lines(text: Union[str, bytes]) -> list[str]:
    data = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return data.split("\n")


def _rex_failure(err: RexError, offset: int) -> Failed:
    return Failed("syntax", err.reason, err.file, err.line + offset, err.column,
                  err.source, err.width, err.hint and f"hint: {err.hint}")


def _failure_of(e: BaseException, span) -> Optional[Failed]:
    """The Failed event for an exception a block raised (None: not ours to
    catch, e.g. SystemExit)."""
    file = getattr(span, "file", "") or ""
    line = getattr(span, "line", 0) or 0
    col = getattr(span, "column", 0) or 0
    if isinstance(e, KeyboardInterrupt):
        return Failed("interrupted", "interrupted", file, line, col)
    if isinstance(e, RexError):
        return _rex_failure(e, 0)
    if isinstance(e, SireFailure):
        s = e.span or span
        made = e.rex is not None and getattr(e.rex, "span", None) is None  # by a macro
        detail = printed(e.rex) if made else ""
        return Failed(e.kind, e.reason, getattr(s, "file", "") or "", getattr(s, "line", 0) or 0,
                      getattr(s, "column", 0) or 0, detail=detail)
    if isinstance(e, MemoryError):  # PlanMemory too
        return Failed("memory", str(e) or "out of memory", file, line, col)
    if isinstance(e, PlanError):
        return Failed("crash", str(e), file, line, col)
    if isinstance(e, RecursionError):
        return Failed("error", "the block is nested too deeply", file, line, col)
    if isinstance(e, (PallasError, OSError, ValueError)):
        return Failed("error", str(e), file, line, col)
    if isinstance(e, Exception):  # a bug of ours: say so, but keep the session
        return Failed("error", f"internal error: {type(e).__name__}: {e}", file, line, col)
    return None


def _placed(fail: Failed, offset: int, lines: list[str], file: str) -> Failed:
    """The failure with its line counted in the whole input and the source
    line as written (when it is in this text)."""
    if not fail.line or (fail.file and fail.file != file):
        return fail
    line = fail.line + offset
    code = lines[fail.line - 1] if 0 < fail.line <= len(lines) else ""
    width = _word_width(code, fail.column)
    return Failed(fail.kind, fail.reason, fail.file or file, line, fail.column, code, width,
                  fail.detail)


def _code_from_file(fail: Failed) -> Failed:
    """A failure inside a module file, with that file's line as the code."""
    if fail.code or not fail.file or not fail.line:
        return fail
    try:
        with open(fail.file, "rb") as f:
            lines = f.read().split(b"\n")
    except OSError:
        return fail
    if not 0 < fail.line <= len(lines):
        return fail
    code = lines[fail.line - 1].decode("utf-8", "replace")
    return Failed(fail.kind, fail.reason, fail.file, fail.line, fail.column, code,
                  _word_width(code, fail.column), fail.detail)


def _word_width(code: str, column: int) -> int:
    """How many bytes the caret covers: the word (name, number) at the column,
    else one."""
    data = code.encode("utf-8")
    i = column - 1
    if not 0 <= i < len(data):
        return 1
    j = i
    while j < len(data) and (chr(data[j]).isalnum() or data[j] in b"_"):
        j += 1
    return max(j - i, 1)



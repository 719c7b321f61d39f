"""The Sire REPL and the ``pallas sire`` / ``pallas save`` commands.

``pallas sire [-I DIR]... [MODULE]...`` loads the modules (each with its
chain), switches to the context ``REPL``, imports the last module, then reads
Rex blocks from stdin (a blank line ends a block) and runs each: definitions
print ``name=value``, expressions their value, assertions echo themselves,
and ``trk`` prints its message. A failing block prints its error and the
REPL goes on with the state it had before the block. At the end of input it
exits 0, so ``pallas sire MODULE </dev/null`` checks that a chain loads and
its assertions pass. A load failure exits 2 (1 for a Rex syntax error).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterable, Optional, TextIO

from .. import _core, plan
from ..errors import PallasError, RexError
from ..rex import read_blocks, show as show_rex
from ..tree import nat_text, text_nat
from .ast import Bind
from .cache import Cache
from .commands import run_block, switch_context
from .failure import SireFailure, printed
from .modules import Loader, module_name
from .rexvalue import rex_of_value
from .state import State

SHOW_WIDTH = 2000


def show_value(value: object) -> str:
    """A value for the REPL: Rex values as Rex, others in PLAN notation
    (cut at :data:`SHOW_WIDTH` characters)."""
    if isinstance(value, int):
        return plan.show(value)
    try:
        return show_rex(rex_of_value(value))
    except Exception:  # not a Rex value: print it as PLAN
        pass
    return plan.notation.show(value.to_tree(), width=SHOW_WIDTH)


class Printer:
    """Prints what commands report, to a stream."""

    def __init__(self, stream: TextIO):
        self.stream = stream

    def __call__(self, kind: str, payload: object) -> None:
        if kind == "define":
            b: Bind = payload
            print(f"{_name(b.name)}={show_value(b.value)}", file=self.stream)
        elif kind == "value":
            print(show_value(payload), file=self.stream)
        elif kind == "assert":
            print(printed(payload), file=self.stream)
        self.stream.flush()

    def trace(self, value: object) -> None:
        """``trk`` output."""
        print(show_value(value), file=self.stream)
        self.stream.flush()


def _name(n: int) -> str:
    s = nat_text(n)
    return s if s is not None and s.isprintable() and s else str(n)


def stdin_blocks(stream: TextIO) -> Iterable[tuple[int, str]]:
    """The input cut at blank lines, so each chunk is read as soon as it is
    complete: (lines before the chunk, its text)."""
    lines: list[str] = []
    before = seen = 0
    for line in stream:
        seen += 1
        if line.strip():
            if not lines:
                before = seen - 1
            lines.append(line)
        elif lines:
            yield before, "".join(lines)
            lines = []
    if lines:
        yield before, "".join(lines)


def repl_state(loaded: Optional[State], last: Optional[str]) -> State:
    """The REPL's starting state: the context REPL, the last module imported."""
    st = (loaded or State()).copy()
    switch_context(st, text_nat("REPL"))
    if last is not None:
        mod = text_nat(last)
        st.scope = dict(st.modules[mod])
        st.touch_scope()
    return st


def run_repl(state: State, stream: TextIO, out: Printer, err: TextIO) -> State:
    """Read and run blocks until the end of input (errors name the line of
    the whole input); the final state."""
    for before, chunk in stdin_blocks(stream):
        for block in read_blocks(chunk, "REPL"):
            if block.errors:
                for e in block.errors:
                    e.line += before
                    print(e, file=err)
                continue
            try:
                state = run_block(state, block.rex, "REPL", out)
            except SireFailure as e:
                if e.span is not None:
                    e.span = e.span._replace(line=e.span.line + before)
                print(e, file=err)
            except RecursionError:
                print("REPL: the block is nested too deeply", file=err)
    return state


def jet_report(stream: TextIO, state: Optional[State] = None) -> None:
    """Jet names: matched (a pin was made with the table's hash), mismatched
    (made only with other hashes), unmet (table entries never made) and, given
    a state, unknown (bound laws named like jets, ``_Xxx``, that the table
    does not list)."""
    rows = _core.jet_report()
    matched = sorted({_name(n) for n, _, m, _ in rows if m})
    mismatched = sorted({_name(n) for n, _, m, x in rows if x} - set(matched))
    unmet = sorted({_name(n) for n, _, m, x in rows if not m and not x})
    print(f"jets matched ({len(matched)}): {' '.join(matched)}", file=stream)
    print(f"jets mismatched ({len(mismatched)}): {' '.join(mismatched)}", file=stream)
    print(f"jets unmet ({len(unmet)}): {' '.join(unmet)}", file=stream)
    if state is not None:
        known = {_name(n) for n, _, _, _ in rows}
        unknown = sorted(_jet_like_names(state) - known)
        print(f"jets unknown ({len(unknown)}): {' '.join(unknown)}", file=stream)


def _jet_like_names(state: State) -> set[str]:
    """Names of pinned laws bound anywhere in the state that look like jet
    names: an underscore and a capital letter."""
    from ..tree import Law, Pin
    from .state import layer

    names: set[str] = set()
    for scope in (state.scope, *state.modules.values()):
        for b in scope.values():
            v = b.value
            if isinstance(v, int) or v.kind != "pin":
                continue
            item = layer(layer(v).item)
            name = _name(item.name) if isinstance(item, Law) else ""
            if len(name) > 1 and name[0] == "_" and name[1].isupper():
                names.add(name)
    return names


def make_loader(include: list[str], modules: list[str], use_cache: bool,
                verbose_out=None) -> Loader:
    """A loader for the command line: paths to files are searched by their
    directory too."""
    loader = Loader(include=list(include), cache=Cache.default() if use_cache else None)
    for arg in modules:
        p = Path(arg)
        if p.suffix == ".sire" and p.is_file():
            loader.explicit[module_name(arg)] = p
            if str(p.parent) not in loader.include:
                loader.include.append(str(p.parent))  # its chain sits beside it
    if verbose_out is not None:
        loader.out = verbose_out
    return loader


def main_sire(include: list[str], modules: list[str], jets: bool, use_cache: bool,
              stdin: Optional[TextIO] = None, stdout: Optional[TextIO] = None,
              stderr: Optional[TextIO] = None) -> int:
    """``pallas sire``: load, then the REPL on stdin (streams default to the
    process's, looked up at call time)."""
    stdin, stdout, stderr = stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr
    printer = Printer(stdout)
    _core.set_trace(printer.trace)
    try:
        loader = make_loader(include, modules, use_cache)
        state: Optional[State] = None
        names = [module_name(m) for m in modules]
        try:
            for name in names:
                state = loader.load(name)
        except RexError as e:
            print(e, file=stderr)
            return 1
        except (SireFailure, PallasError) as e:
            print(e, file=stderr)
            return 2
        final = run_repl(repl_state(state, names[-1] if names else None), stdin, printer, stderr)
        if jets:
            jet_report(stdout, final)
        return 0
    finally:
        _core.set_trace(None)


def main_save(seed_file: str, source: str, include: list[str], use_cache: bool,
              stderr: Optional[TextIO] = None) -> int:
    """``pallas save SEED FILE``: load FILE's chain, save its ``main``."""
    stderr = stderr or sys.stderr
    loader = make_loader(include, [source], use_cache)
    try:
        state = loader.load(module_name(source))
    except RexError as e:
        print(e, file=stderr)
        return 1
    except (SireFailure, PallasError) as e:
        print(e, file=stderr)
        return 2
    b = state.scope.get(text_nat("main"))
    if b is None:
        print(f"{source}: no `main` in scope after loading", file=stderr)
        return 2
    data = plan.save_seed(b.value)
    Path(seed_file).write_bytes(data)
    print(f"{seed_file}: {len(data)} bytes")
    return 0

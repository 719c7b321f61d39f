"""The ``pallas`` command line.

    pallas plan [--hash] [--no-jets] EXPR   evaluate PLAN notation, print the normal form
                                            (or, with --hash, the pin's base58 hash)
    pallas show FILE.seed                   print the value stored in a seed
    pallas save-plan EXPR FILE.seed         evaluate EXPR and save it as a seed
    pallas rex [--hash] FILE                print each Rex block re-printed (or, with
                                            --hash, the plan hash of its PLAN encoding)
    pallas sire [-I DIR]... [MODULE]...     load Sire modules, then a REPL on stdin
                                            (--jet-report, --no-cache)
    pallas save SEED FILE                   compile a Sire file, save its `main` as a seed
    pallas boot STORE FILE                  make a machine store whose cog 0 is FILE's `main`
    pallas log STORE                        print a store's events, one line each

Errors go to stderr, each naming its place, and the exit status is 1
(130 after Ctrl-C); `pallas sire` and `pallas save` use 2 for a failure
that is not a syntax error (see :func:`exit_status`).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

from . import __version__, plan
from .errors import PallasError, SeedError
from .plan.notation import NotationError


def _cmd_plan(args: argparse.Namespace) -> int:
    with plan.jets_enabled(not args.no_jets):
        value = plan.read(args.expr, "<command line>").force()
        if args.hash:
            if value.kind != "pin":
                raise PallasError(f"--hash needs a pin, but the value is a {value.kind}")
            print(plan.hash_b58(value))
        else:
            print(plan.show(value))
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    with open(args.file, "rb") as f:
        data = f.read()
    try:
        value = plan.load_seed(data)
    except SeedError as e:
        raise SeedError(f"{args.file}: {e}") from None
    print(plan.show(value))
    return 0


def _cmd_save_plan(args: argparse.Namespace) -> int:
    value = plan.read(args.expr, "<command line>").force()
    data = plan.save_seed(value)
    with open(args.file, "wb") as f:
        f.write(data)
    print(f"{args.file}: {len(data)} bytes")
    return 0


def _cmd_rex(args: argparse.Namespace) -> int:
    from . import rex

    if args.file == "-":
        data, name = sys.stdin.buffer.read(), "<stdin>"
    else:
        with open(args.file, "rb") as f:
            data, name = f.read(), args.file
    failed = False
    for k, block in enumerate(rex.read_blocks(data, name)):
        failed = failed or bool(block.errors)
        if args.hash:
            print(f"ERROR {block.errors[0].short()}" if block.errors else rex.plan_hash_b58(block.rex))
        else:
            for e in block.errors:
                print(e, file=sys.stderr)
            if block.rex is not None:
                print(("\n" if k else "") + rex.show(block.rex))
    return 1 if failed else 0


# ----- Sire: the REPL and `pallas save` ------------------------------------------
#
# Exit codes: 0 when everything succeeded; 1 when only Rex syntax errors
# happened; 2 for any other failure (a module that does not load, an
# unresolved name, a crash, a failed assertion, an interrupted block).


def exit_status(failures: list[str]) -> int:
    """The exit code for the kinds of the failures seen (see above)."""
    if not failures:
        return 0
    return 1 if all(k == "syntax" for k in failures) else 2


def _session(include: list[str], modules: list[str], use_cache: bool):
    """A session whose loader searches ``include`` and the directories of
    module files given as paths; a missing path is an error."""
    from .sire.cache import Cache
    from .sire.session import Session

    session = Session(include=include, cache=Cache.default() if use_cache else None)
    for arg in modules:
        if arg.endswith(".sire") or os.sep in arg:
            if not os.path.isfile(arg):
                raise FileNotFoundError(arg)
            session.add_path(arg)
    return session


def run_sire(include: list[str], modules: list[str], jets: bool = False, use_cache: bool = True,
             stdin=None, stdout=None, stderr=None, quiet_load: bool = False) -> int:
    """``pallas sire``: load the modules (the last one imported), then the
    REPL on stdin; the exit code (streams default to the process's, looked
    up at call time)."""
    from .sire.repl import Repl, jet_report

    stdin, stdout, stderr = stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr
    try:
        session = _session(include, modules, use_cache)
    except FileNotFoundError as e:
        print(f"pallas: file not found: {e.args[0]}", file=stderr)
        return 2
    _interruptible()
    tty = _is_terminal(stdin)
    repl = Repl(session, stdout, stderr, prompt=tty, quiet_load=quiet_load)
    for mod in modules:
        if not repl.load(mod).ok:
            return exit_status(repl.outcome.failures)
    outcome = repl.run(stdin)
    if jets:
        jet_report(stdout, session.state)
    return exit_status(outcome.failures)


def _interruptible() -> None:
    """Make Ctrl-C raise KeyboardInterrupt even when the process started with
    SIGINT ignored or blocked (as jobs started in the background by a shell
    may): the
    REPL's promise is that Ctrl-C aborts the running block."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.default_int_handler)
        if hasattr(signal, "pthread_sigmask"):  # a blocked SIGINT is inherited too
            signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _load_main(source: str, include: list[str], use_cache: bool, stderr):
    """FILE's module chain compiled with the session layer: its ``main``, or
    the exit code after printing why there is none."""
    from .sire.session import Failed

    try:
        session = _session(include, [source], use_cache)
    except FileNotFoundError as e:
        print(f"pallas: file not found: {e.args[0]}", file=stderr)
        return 2
    result = session.load(source, on_event=lambda ev: isinstance(ev, Failed)
                          and print(ev.message(), file=stderr))
    if not result.ok:
        return exit_status([f.kind for f in result.failures()])
    b = session.binding("main")
    if b is None:
        print(f"{source}: no `main` in scope after loading", file=stderr)
        return 2
    return b.value


def run_save(seed_file: str, source: str, include: list[str], use_cache: bool = True,
             stdout=None, stderr=None) -> int:
    """``pallas save SEED FILE``: load FILE's chain, save its ``main``."""
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    main = _load_main(source, include, use_cache, stderr)
    if isinstance(main, int):
        return main
    data = plan.save_seed(main)
    with open(seed_file, "wb") as f:
        f.write(data)
    print(f"{seed_file}: {len(data)} bytes", file=stdout)
    return 0


def run_boot(store: str, source: str, include: list[str], use_cache: bool = True,
             stdout=None, stderr=None) -> int:
    """``pallas boot STORE FILE``: a new machine in STORE whose cog 0 is
    FILE's ``main``."""
    from .machine import Machine

    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    main = _load_main(source, include, use_cache, stderr)
    if isinstance(main, int):
        return main
    h = Machine.boot(store, main)
    print(f"{store}: booted, cog 0 = main of {source}, state {plan.base58.encode(h)}", file=stdout)
    return 0


def _cmd_sire(args: argparse.Namespace) -> int:
    return run_sire(args.include, args.modules, args.jet_report, not args.no_cache,
                    quiet_load=args.quiet)


def _cmd_save(args: argparse.Namespace) -> int:
    return run_save(args.seed, args.file, args.include, not args.no_cache)


def _cmd_boot(args: argparse.Namespace) -> int:
    status = run_boot(args.store, args.file, args.include, not args.no_cache)
    return _cmd_start(args) if status == 0 and args.start else status


def _cmd_start(args: argparse.Namespace) -> int:
    from .machine.commands import run_start
    return run_start(args.store, getattr(args, "replay_all", False), args.time_limit, args.snapshot_every,
                     args.executor)


def _cmd_log(args: argparse.Namespace) -> int:
    from .machine.commands import run_log
    return run_log(args.store)


def _cmd_cogs(args: argparse.Namespace) -> int:
    from .machine.commands import run_cogs
    return run_cogs(args.store)


def _cmd_show_state(args: argparse.Namespace) -> int:
    from .machine.commands import run_show_state
    return run_show_state(args.store, args.event, args.values)


SIRE_HELP = """\
Load Sire modules, then run Sire blocks read from standard input.

Each module is a name searched in -I DIR, ./sire, $SIRE_PATH and the package's
sire/ directory, or a path to a .sire file; the last one is imported. Then
blocks come from stdin: a blank line ends a block. Definitions print
name=value, expressions their value, assertions echo themselves; errors go to
stderr and the state stays as it was before the failing block. Ctrl-C aborts
the running block. trk output of modules being loaded goes to stderr (-q:
not at all). Exit status: 0 if every block succeeded, 1 if only syntax errors
happened, 2 for any other failure.
"""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pallas", description="Pallas: PLAN, Rex and Sire.")
    p.add_argument("--version", action="version", version=f"pallas-kernel {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("plan", help="evaluate PLAN notation and print the normal form")
    c.add_argument("expr")
    c.add_argument("--hash", action="store_true", help="print the pin's base58 hash instead")
    c.add_argument("--no-jets", action="store_true", help="run legal code only")
    c.set_defaults(run=_cmd_plan)
    c = sub.add_parser("show", help="print the value stored in a seed file")
    c.add_argument("file")
    c.set_defaults(run=_cmd_show)
    c = sub.add_parser("save-plan", help="evaluate PLAN notation and save it as a seed")
    c.add_argument("expr")
    c.add_argument("file")
    c.set_defaults(run=_cmd_save_plan)
    c = sub.add_parser("rex", help="read a Rex file and print each block (or its plan hash)")
    c.add_argument("file", help="the file, or - for stdin")
    c.add_argument("--hash", action="store_true", help="print each block's plan hash instead")
    c.set_defaults(run=_cmd_rex)
    c = sub.add_parser("sire", help="load Sire modules, then read Sire blocks from stdin",
                       description=SIRE_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    c.add_argument("modules", nargs="*", help="modules (names or .sire files); the last is imported")
    _module_options(c)
    c.add_argument("--jet-report", action="store_true", help="print matched/mismatched/unknown jets at exit")
    c.add_argument("-q", "--quiet", action="store_true", help="no trk output while modules load")
    c.set_defaults(run=_cmd_sire)
    c = sub.add_parser("save", help="compile a Sire file and save its `main` as a seed")
    c.add_argument("seed")
    c.add_argument("file")
    _module_options(c)
    c.set_defaults(run=_cmd_save)
    c = sub.add_parser("boot", help="make a machine store whose cog 0 is a Sire file's `main`")
    c.add_argument("store")
    c.add_argument("file")
    _module_options(c)
    c.add_argument("--start", action="store_true", help="then start it (as `pallas start STORE`)")
    _run_options(c)
    c.set_defaults(run=_cmd_boot)
    c = sub.add_parser("start", help="run a machine: answer its cogs' requests until Ctrl-C or idle")
    c.add_argument("store")
    c.add_argument("--replay-all", action="store_true", help="replay every event from the boot snapshot")
    _run_options(c)
    c.set_defaults(run=_cmd_start)
    c = sub.add_parser("log", help="print a machine store's events, one line each, newest last")
    c.add_argument("store")
    c.set_defaults(run=_cmd_log)
    c = sub.add_parser("cogs", help="print a machine's cogs: status and open requests")
    c.add_argument("store")
    c.set_defaults(run=_cmd_cogs)
    c = sub.add_parser("show-state", help="print a machine's state as of an event (default: the last)")
    c.add_argument("store")
    c.add_argument("event", nargs="?", type=int)
    c.add_argument("--values", action="store_true", help="print each cog's whole value")
    c.set_defaults(run=_cmd_show_state)
    return p


def _run_options(c: argparse.ArgumentParser) -> None:
    """The options of the commands that run a machine."""
    c.add_argument("--time-limit", type=float, default=None, metavar="SECONDS",
                   help="how long one step of a cog may run (default 10)")
    c.add_argument("--snapshot-every", type=int, default=10000, metavar="N",
                   help="write a snapshot every N events (and every minute, and at exit)")
    c.add_argument("--executor", default=None, metavar="SPEC",
                   help="where eval jobs run: local (default), local:N, dask:local, dask:tcp://HOST:PORT")


def _module_options(c: argparse.ArgumentParser) -> None:
    """The options of every command that compiles Sire modules."""
    c.add_argument("-I", dest="include", action="append", default=[], help="search DIR for modules")
    c.add_argument("--no-cache", action="store_true", help="compile every module, use no cache")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except BrokenPipeError:  # the reader went away (`pallas ... | head`): stop quietly
        _silence_stdout()
        return 1
    except KeyboardInterrupt:
        print("pallas: interrupted", file=sys.stderr)
        return 130
    except NotationError as e:
        print(str(e), file=sys.stderr)
    except (PallasError, SeedError, OSError) as e:
        print(f"pallas: {e}", file=sys.stderr)
    return 1


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's final flush of a
    broken pipe does not print a traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    sys.exit(main())

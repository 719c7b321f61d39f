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

Errors go to stderr, each naming its place, and the exit status is 1
(130 after Ctrl-C).
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from . import plan
from .errors import PallasError
from .notation import NotationError
from .seed import SeedError


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


def _cmd_sire(args: argparse.Namespace) -> int:
    from .sire.repl import main_sire

    return main_sire(args.include, args.modules, args.jet_report, not args.no_cache)


def _cmd_save(args: argparse.Namespace) -> int:
    from .sire.repl import main_save

    return main_save(args.seed, args.file, args.include, not args.no_cache)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pallas", description="Pallas: PLAN, Rex and Sire.")
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
    c = sub.add_parser("sire", help="load Sire modules, then read Sire blocks from stdin")
    c.add_argument("modules", nargs="*", help="modules (names or .sire files); the last is imported")
    c.add_argument("-I", dest="include", action="append", default=[], help="search DIR for modules")
    c.add_argument("--jet-report", action="store_true", help="print matched/mismatched/unknown jets at exit")
    c.add_argument("--no-cache", action="store_true", help="compile every module, use no cache")
    c.set_defaults(run=_cmd_sire)
    c = sub.add_parser("save", help="compile a Sire file and save its `main` as a seed")
    c.add_argument("seed")
    c.add_argument("file")
    c.add_argument("-I", dest="include", action="append", default=[], help="search DIR for modules")
    c.add_argument("--no-cache", action="store_true", help="compile every module, use no cache")
    c.set_defaults(run=_cmd_save)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except NotationError as e:
        print(str(e), file=sys.stderr)
    except (PallasError, SeedError, OSError) as e:
        print(f"pallas: {e}", file=sys.stderr)
    except KeyboardInterrupt:
        print("pallas: interrupted", file=sys.stderr)
        return 130
    return 1


if __name__ == "__main__":
    sys.exit(main())

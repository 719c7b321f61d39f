"""Fuzzing the readers and the evaluator: random and mutated input, and only
documented exceptions may come out.

    python fuzz/fuzz.py                  every target, FUZZ_N inputs each (10^5)
    python fuzz/fuzz.py -n 1000 rex      one target, 1000 inputs
    make fuzz / make fuzz-ci             10^5 / 10^4 inputs per target

Targets (``TARGETS``): ``rex`` (``rex.read_blocks`` on mutated ``.sire``
files and random bytes, then the printer on every tree it reads), ``seed``
(``plan.load_seed`` on mutated seeds: the ones in tests/data/seeds and ones
saved from random values; a seed that loads must save and load back equal)
``plan`` (``plan.read(text).force()`` on random and mutated PLAN
notation), ``session`` and ``session-library`` (``Session.run`` of cells cut
from the repository's ``.sire`` files and mutated, in a bare session and in
one with the test library loaded: nothing may escape, no failure may be an
internal error, every failure and value must print; the timer interrupts a
cell as Ctrl-C would). Adding one is adding a function and a line::

    def run_thing(data: bytes) -> None:
        ...
    register("thing", make_rex_input, run_thing, allowed=(PallasError,))

Each input is made from (seed, target, index) alone, so any input can be made
again. Inputs run in a worker process (a segfault or abort kills only the
worker) with a per-input time limit (``signal.setitimer``: the core polls
for signals, so the timer's exception stops a long evaluation), a memory
limit for the core (``plan.set_memory_limit``) and an address-space limit
for the process. An exception that is not allowed, a dead worker or a worker
that stops reporting (a hang the timer could not stop) is a failure: the
input is saved under fuzz/failures/<target>/ with what happened, and the
run exits with status 1. Timeouts are counted, not failures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import select
import signal
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))          # this checkout's pallas_kernel, not an installed one
FAILURES = Path(os.environ.get("FUZZ_FAILURES", ROOT / "fuzz" / "failures"))
MiB = 1 << 20


class InputTimeout(Exception):
    """Raised by the per-input timer: the input ran out of time (allowed)."""


@dataclass
class Target:
    """What to fuzz: how to make input ``i`` and how to run one input."""
    name: str
    make: Callable[[random.Random], bytes]
    run: Callable[[bytes], None]
    allowed: tuple = ()               # exception types besides the timer's
    time_limit: float = 1.0           # seconds per input


TARGETS: dict[str, Target] = {}


def register(name: str, make: Callable[[random.Random], bytes], run: Callable[[bytes], None],
             allowed: Optional[tuple] = None, time_limit: float = 1.0) -> None:
    """Add a target; ``allowed`` defaults to (PallasError,)."""
    if allowed is None:
        from pallas_kernel.errors import PallasError
        allowed = (PallasError,)
    TARGETS[name] = Target(name, make, run, allowed, time_limit)


def input_rng(seed: int, target: str, index: int) -> random.Random:
    """The generator of one input: its bytes depend on nothing else."""
    return random.Random(f"{seed}:{target}:{index}")


# ----- mutation -------------------------------------------------------------------

SYNTAX = [b"(", b")", b"[", b"]", b"{", b"}", b"\"", b"'", b"|", b"#", b"=", b":", b";",
          b",", b".", b"\n", b" ", b"\t", b"\\", b"%", b"$", b"@", b"!", b"~", b"^", b"-",
          b"0", b"9", b"x", b"\x00", b"\xff", b"\xc3", b"\x80", b"}}}", b"(((", b"\n\n",
          b"\"\"\"", b"'''", b"  ", b"<", b">", b"b#", b"x#", b"%[", b"#["]


def mutate(rng: random.Random, data: bytes, corpus: list[bytes], tokens: list[bytes],
           max_len: int = 1 << 16, edits: int = 8) -> bytes:
    """1 to `edits` random edits (few more often than many): byte flips, token
    inserts, deletions, duplicated or spliced spans, truncation, deep nesting."""
    b = bytearray(data)
    for _ in range(min(rng.randint(1, edits), rng.randint(1, edits))):
        op = rng.randrange(9)
        at = rng.randint(0, len(b))
        if op == 0 and b:
            i = rng.randrange(len(b))
            b[i] ^= 1 << rng.randrange(8)
        elif op == 1:
            b[at:at] = rng.choice(tokens)
        elif op == 2 and b:
            end = min(len(b), at + rng.randint(1, 64))
            del b[at:end]
        elif op == 3 and b:
            start = rng.randrange(len(b))
            span = b[start:start + rng.randint(1, 256)]
            b[at:at] = span * rng.randint(1, 4)
        elif op == 4 and corpus:
            other = rng.choice(corpus)
            start = rng.randint(0, len(other))
            b[at:at] = other[start:start + rng.randint(1, 512)]
        elif op == 5:
            del b[at:]
        elif op == 6:
            depth = rng.choice([10, 100, 1000, 5000])
            opener, closer = rng.choice([(b"(", b")"), (b"[", b"]"), (b"{", b"}")])
            b[at:at] = opener * depth + (closer * depth if rng.random() < 0.5 else b"")
        elif op == 7:
            b[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif b:
            i = rng.randrange(len(b))
            b[i] = rng.randrange(256)
    return bytes(b[:max_len])


def random_bytes(rng: random.Random, tokens: list[bytes]) -> bytes:
    """Noise: mostly tokens and printable text, sometimes any byte."""
    out = bytearray()
    for _ in range(rng.randint(0, 200)):
        r = rng.random()
        if r < 0.5:
            out += rng.choice(tokens)
        elif r < 0.9:
            out.append(rng.randrange(32, 127))
        else:
            out.append(rng.randrange(256))
    return bytes(out)


# ----- rex ------------------------------------------------------------------------

_rex_corpus: list[bytes] = []


def rex_corpus() -> list[bytes]:
    """Every .sire file of the repository (tests/data/sire, sire/), read once."""
    if not _rex_corpus:
        for folder in (ROOT / "tests" / "data" / "sire", ROOT / "sire"):
            if folder.is_dir():
                _rex_corpus.extend(p.read_bytes() for p in sorted(folder.rglob("*.sire")))
        _rex_corpus.append(b"= (f x) | add x 1\n\n(f 3)\n")
    return _rex_corpus


def make_rex_input(rng: random.Random) -> bytes:
    corpus = rex_corpus()
    if rng.random() < 0.1:
        return random_bytes(rng, SYNTAX)
    return mutate(rng, rng.choice(corpus), corpus, SYNTAX)


def run_rex(data: bytes) -> None:
    """Read every block; print every tree that was read."""
    from pallas_kernel import rex
    for block in rex.read_blocks(data):
        if block.rex is not None:
            rex.show(block.rex)


# ----- seeds ------------------------------------------------------------------------

_seed_corpus: list[bytes] = []


def random_tree(rng: random.Random, depth: int = 0):
    """A random PLAN tree in normal form territory: nats (some big), pins,
    laws, rows, bars and applications."""
    from pallas_kernel.plan.tree import App, Law, Pin, row
    r = rng.random()
    if depth > 4 or r < 0.35:
        return rng.choice([0, 1, 2, 3, 7, 255, 256, 2 ** 63 - 1, 2 ** 63, 2 ** 64 + 5,
                           rng.randrange(2 ** 200), rng.randrange(1000)])
    if r < 0.45:
        return Pin(random_tree(rng, depth + 1))
    if r < 0.6:
        return Law(rng.randrange(1 << 24), rng.randint(1, 4), random_tree(rng, depth + 1))
    if r < 0.8:
        return row(*[random_tree(rng, depth + 1) for _ in range(rng.randint(0, 5))])
    if r < 0.85:
        raw = bytes(rng.randrange(256) for _ in range(rng.randint(0, 12)))
        return Law(1, 1, int.from_bytes(raw + b"\x01", "little"))
    return App(Law(0, rng.randint(2, 5), 0), random_tree(rng, depth + 1))


def seed_corpus() -> list[bytes]:
    """The seeds in tests/data/seeds and 64 saved from random values."""
    if not _seed_corpus:
        from pallas_kernel import plan
        _seed_corpus.extend(p.read_bytes() for p in sorted((ROOT / "tests" / "data" / "seeds").glob("*.seed")))
        rng = random.Random("seed-corpus")
        while len(_seed_corpus) < 70:
            try:
                _seed_corpus.append(plan.save_seed(plan.from_tree(random_tree(rng)).force()))
            except Exception:            # a law of arity 0 and the like: skip it
                continue
    return _seed_corpus


def make_seed_input(rng: random.Random) -> bytes:
    corpus = seed_corpus()
    if rng.random() < 0.05:
        return bytes(rng.randrange(256) for _ in range(rng.randint(0, 128)))
    data = bytearray(rng.choice(corpus))
    if rng.random() < 0.7 and data:      # the length kept: the header still adds up
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(data))
            data[i] = rng.choice([data[i] ^ (1 << rng.randrange(8)), rng.randrange(256), 0, 255])
        return bytes(data)
    tokens = [bytes([rng.randrange(256)]) for _ in range(8)] + [b"\x00" * 8, b"\xff" * 8]
    return mutate(rng, bytes(data), corpus, tokens, max_len=1 << 14, edits=3)


def run_seed(data: bytes) -> None:
    """Load; a value that loads must save and load back equal."""
    from pallas_kernel import plan
    v = plan.load_seed(data)
    again = plan.load_seed(plan.save_seed(v))
    if again != v:
        raise AssertionError("a loaded seed did not survive save_seed and load_seed")


# ----- PLAN notation ----------------------------------------------------------------

PROGRAMS = [
    '(<{"_Add" 2 (0 (0 (<{"_Times" 3 (0 (0 (0 (2 2) 2) (0 (0 0 1) (0 1 2))) 3)}> 3) '
    '(0 <{"_ToNat" 1 (0 (2 0 3) 1)}> 1)) 2)}> 20 22)',
    '({"_If" 3 (0 (0 (0 (2 2) 3) (0 {0 2 1} 2)) 1)} 1 7 8)',
    '(1 0 0 0 0 <5>)', '(2 0 {0 2 (0 3 1)} 9)', '(0 "f" 2 (0 (2 3) 1))', '[1 2 [3 4] "x"]',
    '%[1 2 3]', '#[1=2 3=4]', 'b#"bar"', '(4 {"k" 1 1})', '({"loop" 1 (0 0 1)} 0)',
    '({"grow" 1 (0 0 (0 (0 {0 3 0} 1) 1))} 0)', '(7 (3 4))',
]
PLAN_TOKENS = [t.encode() for t in ["(", ")", "<", ">", "{", "}", "[", "]", " ", "0", "1", "2", "3",
                                    "4", "5", "99", '"_Add"', '"x"', "%[", "#[", "=", "b#\"", "x#0a",
                                    "18446744073709551617", "(0 ", "(1 ", "(2 ", "(3 ", "(4 ", ";"]]


def make_plan_input(rng: random.Random) -> bytes:
    r = rng.random()
    if r < 0.45:
        from pallas_kernel.plan import notation
        from pallas_kernel.plan.tree import App
        tree = random_tree(rng)
        for _ in range(rng.randint(0, 3)):                # apply it: opcodes, laws, crashes
            tree = App(tree, random_tree(rng, 3)) if rng.random() < 0.5 else App(rng.randrange(8), tree)
        text = notation.show(tree).encode()
        return mutate(rng, text, [p.encode() for p in PROGRAMS], PLAN_TOKENS, edits=2) if rng.random() < 0.3 else text
    if r < 0.9:
        corpus = [p.encode() for p in PROGRAMS]
        return mutate(rng, rng.choice(corpus), corpus, PLAN_TOKENS, max_len=1 << 12, edits=2)
    return random_bytes(rng, PLAN_TOKENS)


def run_plan(data: bytes) -> None:
    """Read the notation and force the value; hash it if it is a pin."""
    from pallas_kernel import plan
    v = plan.read(data.decode("utf-8", "replace")).force()
    if v.kind == "pin":
        v.pin_hash()


# ----- the Sire session ----------------------------------------------------------------

_sessions: dict[str, object] = {}


def session_for(context: str):
    """A session to copy for each input: bare, or with the test library
    loaded (tests/data/sire's chain: macros, imports, assertions), made once
    per worker."""
    if context not in _sessions:
        from pallas_kernel.sire.session import Session
        s = Session(include=[str(ROOT / "tests" / "data" / "sire")])
        if context == "library":
            result = s.load("t_last")
            if not result.ok:
                raise RuntimeError(f"the fuzz library does not load: {result.failures()}")
        _sessions[context] = s
    return _sessions[context]


def make_session_input(rng: random.Random) -> bytes:
    """A cell: some blocks of a Sire file of the repository, mutated."""
    corpus = rex_corpus()
    if rng.random() < 0.1:
        return random_bytes(rng, SYNTAX)
    lines = rng.choice(corpus).split(b"\n")
    at = rng.randrange(len(lines))
    cell = b"\n".join(lines[at:at + rng.randint(1, 30)])
    return mutate(rng, cell, corpus, SYNTAX, max_len=1 << 14, edits=4)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _run_session(context: str, data: bytes) -> None:
    """Run a cell; the session must turn everything into events: nothing may
    escape ``Session.run``, and no failure may be an internal error. The
    per-input timer interrupts the cell (as Ctrl-C would)."""
    from pallas_kernel.sire.session import Evaluated, Defined, Session
    base = session_for(context)
    s = Session(base.state, include=base.loader.include)
    previous = signal.signal(signal.SIGALRM, _interrupt)
    try:
        result = s.run(data, "cell")
    finally:  # the timer is the cell's alone: stop it before anything else runs
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    for f in result.failures():
        if f.reason.startswith("internal error"):
            raise AssertionError(f"the session failed inside: {f.message()}")
        f.message()
    for ev in result.events:                  # printing never fails either
        if isinstance(ev, Evaluated):
            s.show(ev.value)
        elif isinstance(ev, Defined):
            s.show_definition(ev)


def run_session_bare(data: bytes) -> None:
    _run_session("bare", data)


def run_session_library(data: bytes) -> None:
    _run_session("library", data)


def _register_builtin() -> None:
    from pallas_kernel.errors import PallasError
    from pallas_kernel.plan.notation import NotationError
    register("rex", make_rex_input, run_rex)
    register("seed", make_seed_input, run_seed)
    # NotationError is documented by the notation reader (a ValueError, not a
    # PallasError); 0.2 s per input: random programs often loop forever
    register("plan", make_plan_input, run_plan, allowed=(PallasError, NotationError), time_limit=0.2)
    # the session reports every failure as an event: nothing is allowed out
    register("session", make_session_input, run_session_bare, allowed=(), time_limit=1.0)
    register("session-library", make_session_input, run_session_library, allowed=(), time_limit=1.0)
    if os.environ.get("FUZZ_SELFTEST"):   # the harness's own test: a target that aborts,
        register("selftest", _make_digit, _run_selftest, time_limit=0.5)   # hangs or raises


def _make_digit(rng: random.Random) -> bytes:
    return str(rng.randrange(10)).encode()


def _run_selftest(data: bytes) -> None:
    """Input 3 aborts the process, 5 raises an undocumented exception, 7
    sleeps in C past every timer; the rest pass."""
    if data == b"3":
        os.abort()
    if data == b"5":
        raise ZeroDivisionError("selftest")
    if data == b"7":
        import ctypes
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        ctypes.CDLL(None).sleep(3600)


# ----- the worker -------------------------------------------------------------------

def _on_alarm(signum, frame):
    raise InputTimeout()


def worker(name: str, seed: int, start: int, stop: int) -> None:
    """Run inputs start..stop-1, reporting each on stdout as a JSON line
    before it runs ("at") and when it ends badly ("fail"); "done" at the end."""
    import resource
    from pallas_kernel import plan
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
    plan.set_memory_limit(256 * MiB)
    sys.setrecursionlimit(10000)
    target = TARGETS[name]
    signal.signal(signal.SIGALRM, _on_alarm)
    counts: dict[str, int] = {}
    out = sys.stdout
    for i in range(start, stop):
        data = target.make(input_rng(seed, name, i))
        out.write(json.dumps({"at": i}) + "\n")
        out.flush()
        outcome = "ok"
        try:
            signal.setitimer(signal.ITIMER_REAL, target.time_limit)
            try:
                target.run(data)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        except InputTimeout:
            outcome = "timeout"
        except target.allowed as e:
            outcome = type(e).__name__
        except BaseException as e:         # anything else is a finding
            out.write(json.dumps({"fail": i, "error": type(e).__name__,
                                  "trace": traceback.format_exc()}) + "\n")
            out.flush()
            outcome = "failure"
        counts[outcome] = counts.get(outcome, 0) + 1
    out.write(json.dumps({"done": stop, "counts": counts}) + "\n")
    out.flush()


# ----- the driver -------------------------------------------------------------------

@dataclass
class Report:
    target: str
    inputs: int = 0
    counts: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)

    def add(self, counts: dict) -> None:
        for k, v in counts.items():
            self.counts[k] = self.counts.get(k, 0) + v


def save_failure(report: Report, seed: int, index: int, what: str, detail: str) -> None:
    """Write the input and what happened under fuzz/failures/<target>/."""
    folder = FAILURES / report.target
    folder.mkdir(parents=True, exist_ok=True)
    data = TARGETS[report.target].make(input_rng(seed, report.target, index))
    stem = folder / f"{seed}-{index}"
    stem.with_suffix(".bin").write_bytes(data)
    stem.with_suffix(".txt").write_text(f"{what}\n\n{detail}\n")
    report.failures.append((index, what, str(stem.with_suffix(".bin"))))
    report.counts["failure"] = report.counts.get("failure", 0) + (what != "exception")


def run_target(name: str, n: int, seed: int, batch: int, quiet: bool,
               hang_after: Optional[float] = None) -> Report:
    """Run n inputs in workers of `batch` inputs; a dead or silent worker is
    replaced, starting after the input it died on."""
    report = Report(name)
    hang_after = hang_after or max(10.0, 20 * TARGETS[name].time_limit)
    i = 0
    while i < n:
        stop = min(n, i + batch)
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", name,
               "--seed", str(seed), "--start", str(i), "--stop", str(stop)]
        env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
        current, done, buf = i, False, b""
        last = time.monotonic()
        while True:
            ready, _, _ = select.select([proc.stdout], [], [], 1.0)
            if ready:
                chunk = os.read(proc.stdout.fileno(), 1 << 16)
                if not chunk:
                    break
                buf += chunk
                *lines, buf = buf.split(b"\n")
                for line in lines:
                    msg = json.loads(line)
                    if "at" in msg:
                        current, last = msg["at"], time.monotonic()
                    elif "fail" in msg:
                        save_failure(report, seed, msg["fail"], "exception",
                                     f"{msg['error']}\n{msg['trace']}")
                    elif "done" in msg:
                        report.add(msg["counts"])
                        done = True
            elif time.monotonic() - last > hang_after:
                proc.kill()
                proc.wait()
                save_failure(report, seed, current, "hang",
                             f"no progress for {hang_after:.0f} s (the time limit could not stop it)")
                break
        err = proc.communicate()[1].decode("utf-8", "replace") if proc.poll() is not None or done else ""
        proc.wait()
        if done:
            report.inputs += stop - i
            i = stop
            continue
        if proc.returncode not in (None, 0) and not any(f[0] == current for f in report.failures):
            save_failure(report, seed, current, f"worker died (exit status {proc.returncode})", err[-4000:])
        report.inputs += current + 1 - i
        report.counts["ok-before-death"] = report.counts.get("ok-before-death", 0) + (current - i)
        i = current + 1
        if not quiet:
            print(f"  {name}: input {current} ended its worker; going on", flush=True)
    return report


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="*", help="targets to run (default: all)")
    parser.add_argument("-n", type=int, default=int(os.environ.get("FUZZ_N", 100_000)),
                        help="inputs per target (FUZZ_N, default 100000)")
    parser.add_argument("--seed", type=int, default=int(os.environ.get("FUZZ_SEED", 1)))
    parser.add_argument("--batch", type=int, default=5000, help="inputs per worker process")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--hang-after", type=float, help="seconds without progress that make a hang")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--start", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--stop", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    _register_builtin()
    if args.worker:
        worker(args.worker, args.seed, args.start, args.stop)
        return 0
    names = args.targets or list(TARGETS)
    unknown = [t for t in names if t not in TARGETS]
    if unknown:
        parser.error(f"unknown target(s) {', '.join(unknown)}; known: {', '.join(TARGETS)}")
    failed = False
    for name in names:
        t0 = time.monotonic()
        report = run_target(name, args.n, args.seed, args.batch, args.quiet, args.hang_after)
        counts = ", ".join(f"{k} {v}" for k, v in sorted(report.counts.items()))
        print(f"{name}: {report.inputs} inputs in {time.monotonic() - t0:.0f} s: {counts}", flush=True)
        for index, what, path in report.failures:
            print(f"  FAILURE input {index}: {what.splitlines()[0]} -> {path}", flush=True)
        failed = failed or bool(report.failures)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Comparing a native jet with its legal code: each jetted pin is applied to
the same sample arguments as its bare law (the pin's item, which runs the
legal code), and the two outcomes (the normal form, or the crash) must be
equal. Calls whose legal code takes too long are not compared."""

from __future__ import annotations

import itertools
import signal
from typing import Optional

from pallas_kernel import plan
from pallas_kernel.errors import PallasError, PlanCrash

SAMPLES = ["0", "1", "2", "5", "300", "[]", "[3 1 2]", "[[1 2] [3]]", "<7>", "{1 1 1}",
           "{1 1 24930}", "{1 2 [1 3]}", "({1 2 [1 3]} [8 9])", "(0 0)", "{0 3 0}"]


class TooSlow(Exception):
    pass


def _alarm(signum, frame):
    raise TooSlow


def outcome(f: plan.Value, args: list, seconds: float = 0.2):
    """The normal form of (f args..) printed, or the crash, or None if slow."""
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return ("ok", plan.show(plan.evaluate(f.apply(*args))))
    except PlanCrash as e:
        return ("crash", e.op, plan.show(e.value))
    except PallasError as e:
        return ("error", type(e).__name__)
    except (TooSlow, KeyboardInterrupt, RecursionError):
        return None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def law_name(pin: plan.Value) -> str:
    """The name of a pinned law, as text."""
    name = pin.layer().item.force().layer().name
    name = name.nat if isinstance(name, plan.Value) else name
    return name.to_bytes((name.bit_length() + 7) // 8, "little").decode("utf8", "replace")


def jetted_pins(state, hashes: Optional[set[bytes]] = None) -> dict[str, plan.Value]:
    """The jets as the loaded state binds them: pins that carry a jet (with
    one of ``hashes``, if given), by law name."""
    names = {name for name, _ in plan.jet_table()}
    found: dict[str, plan.Value] = {}
    for scope in [state.scope, *state.modules.values()]:
        for b in scope.values():
            v = b.value if isinstance(b.value, plan.Value) else plan.from_tree(b.value)
            v = v.force()
            if v.kind != "pin" or not v.has_jet:
                continue
            if hashes is not None and plan.pin_hash(v) not in hashes:
                continue
            text = law_name(v)
            if text in names:
                found[text] = v
    return found


def compare(pins: dict[str, plan.Value], extra: Optional[dict[str, list[str]]] = None,
            per_jet: int = 60) -> tuple[set[str], list[tuple]]:
    """Each pin against its bare law on combinations of the samples (and the
    ``extra`` argument texts for a name): the names checked and the
    disagreements (name, arguments, native outcome, legal outcome)."""
    samples = [plan.read(s).force() for s in SAMPLES]
    checked, disagree = set(), []
    for name, pin in sorted(pins.items()):
        bare = pin.layer().item.force()
        arity = bare.layer().arity
        arity = arity.nat if isinstance(arity, plan.Value) else arity
        pool = samples + [plan.read(s).force() for s in (extra or {}).get(name, [])]
        combos = itertools.islice(itertools.product(pool, repeat=arity), per_jet)
        for args in combos:
            native = outcome(pin, list(args))
            if native is None:
                continue
            legal = outcome(bare, list(args))
            if legal is None:
                continue
            checked.add(name)
            if native != legal:
                disagree.append((name, [plan.show(a) for a in args], native, legal))
    return checked, disagree

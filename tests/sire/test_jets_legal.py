"""Every native jet against its legal definition: with the reference's chain
to the prelude loaded, each pin the table matched (and so runs natively) is
applied to the same sample arguments as its bare law (the pin's item, which
runs the legal code), and the two outcomes (the normal form, or the crash)
must be equal. Skipped unless PALLAS_REFERENCE points at a reference checkout;
calls whose legal code takes too long (unary arithmetic on big inputs) are
skipped, and the test requires that most jets are checked."""

import itertools
import os
import signal
from pathlib import Path

import pytest

from pallas_kernel import plan
from pallas_kernel.errors import PallasError, PlanCrash
from pallas_kernel.sire.modules import Loader

ROOT = os.environ.get("PALLAS_REFERENCE")
pytestmark = pytest.mark.skipif(not ROOT, reason="PALLAS_REFERENCE is not set")

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


def jetted_pins(state) -> dict[str, plan.Value]:
    """The table's jets as the loaded state binds them: pins that carry a jet."""
    names = {name for name, _ in plan.jet_table()}
    found: dict[str, plan.Value] = {}
    scopes = [state.scope, *state.modules.values()]
    for scope in scopes:
        for b in scope.values():
            v = b.value if isinstance(b.value, plan.Value) else plan.from_tree(b.value)
            v = v.force()
            if v.kind != "pin" or not v.has_jet:
                continue
            law = v.layer().item.force()
            name = law.layer().name
            name = name.nat if isinstance(name, plan.Value) else name
            text = name.to_bytes((name.bit_length() + 7) // 8, "little").decode("utf8", "replace")
            if text in names:
                found[text] = v
    return found


def test_every_native_jet_agrees_with_its_legal_code():
    base = Path(ROOT)
    sire = str(base / "sire" if (base / "sire").is_dir() else base)
    state = Loader(include=[sire]).load("prelude")
    pins = jetted_pins(state)
    samples = [plan.read(s).force() for s in SAMPLES]
    checked, disagree = set(), []
    for name, pin in sorted(pins.items()):
        bare = pin.layer().item.force()
        arity = bare.layer().arity
        arity = arity.nat if isinstance(arity, plan.Value) else arity
        combos = itertools.islice(itertools.product(samples, repeat=arity), 60)
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
    print(f"jets bound {len(pins)}, checked {len(checked)}, disagreements {len(disagree)}")
    for d in disagree:
        print("DISAGREE", d[0], d[1], str(d[2])[:120], "| legal:", str(d[3])[:120])
    assert len(checked) >= 150
    assert not disagree

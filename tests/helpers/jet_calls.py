"""Calling native jets from tests: arguments written in PLAN notation are read
as values, so a test can say J("_Weld", "[1]", "[2]")."""

from pallas_kernel import _core, plan


def V(a):
    """A value: notation text is read, anything else is passed through."""
    return plan.read(a) if isinstance(a, str) else a


def J(name, *args):
    """Call a native jet (through the evaluator, as `_core.call_jet` does)."""
    return _core.call_jet(name, *[V(a) for a in args])


def S(name, *args):
    """The jet's result, printed."""
    return plan.show(J(name, *args))


def F(text):
    """Notation read and forced to WHNF."""
    return plan.read(text).force()

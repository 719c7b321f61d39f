"""Compatibility with the reference's own Sire code: its compiler test and
its bootstrap chain up to the prelude load unmodified with every assertion
passing, and every jet of the reference's table is matched by hash. Skipped
unless PALLAS_REFERENCE points at a checkout of the reference (or at its
sire/ directory); nothing of it is kept in this repository."""

import io
import os
from pathlib import Path

import pytest

from pallas_kernel import _core, plan
from pallas_kernel.sire.modules import Loader
from pallas_kernel.sire.repl import jet_report
from pallas_kernel.plan.tree import text_nat

ROOT = os.environ.get("PALLAS_REFERENCE")

pytestmark = pytest.mark.skipif(not ROOT, reason="PALLAS_REFERENCE is not set")


def sire_dir() -> str:
    base = Path(ROOT)
    return str(base / "sire" if (base / "sire").is_dir() else base)


def test_reference_compiler_test_passes():
    st = Loader(include=[sire_dir()]).load("test_sire_compiler")
    assert st.context == text_nat("test_sire_compiler")


def test_bootstrap_chain_to_prelude_loads_with_all_jets_matched():
    traces: list = []
    _core.set_trace(traces.append)
    try:
        loader = Loader(include=[sire_dir()])
        st = loader.load("prelude")
    finally:
        _core.set_trace(None)
    assert st.context == text_nat("prelude")
    for m in ("sire_01_fan", "sire_17_sug", "sire_27_sire", "sire", "kern"):
        assert text_nat(m) in st.modules
    assert traces, "the chain's trk calls reach the trace hook"
    out = io.StringIO()
    jet_report(out, st)
    lines = out.getvalue().splitlines()
    n = len({name for name, _ in plan.reference_jet_table()})
    assert lines[0].startswith(f"jets matched ({n}):"), lines[0][:80]
    # only names our own library adds natives for can be "mismatched": the
    # reference has laws of that name (sort) but no jet for them
    mismatched = set(lines[1].split(": ", 1)[1].split())
    assert mismatched <= plan.LIBRARY_NATIVES, lines[1]
    assert lines[2] == "jets unmet (0): "
    assert lines[3].startswith("jets unknown (")

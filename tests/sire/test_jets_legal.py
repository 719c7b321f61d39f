"""Every native jet against its legal definition: with the reference's chain
to the prelude loaded, each pin the table matched (and so runs natively) is
applied to the same sample arguments as its bare law (the pin's item, which
runs the legal code), and the two outcomes (the normal form, or the crash)
must be equal. Skipped unless PALLAS_REFERENCE points at a reference checkout;
calls whose legal code takes too long (unary arithmetic on big inputs) are
skipped, and the test requires that most jets are checked."""

import os
from pathlib import Path

import pytest

from helpers.jet_legal import compare, jetted_pins

from pallas_kernel.sire.modules import Loader

ROOT = os.environ.get("PALLAS_REFERENCE")
pytestmark = pytest.mark.skipif(not ROOT, reason="PALLAS_REFERENCE is not set")


def test_every_native_jet_agrees_with_its_legal_code():
    base = Path(ROOT)
    sire = str(base / "sire" if (base / "sire").is_dir() else base)
    state = Loader(include=[sire]).load("prelude")
    pins = jetted_pins(state)
    checked, disagree = compare(pins)
    print(f"jets bound {len(pins)}, checked {len(checked)}, disagreements {len(disagree)}")
    for d in disagree:
        print("DISAGREE", d[0], d[1], str(d[2])[:120], "| legal:", str(d[3])[:120])
    assert len(checked) >= 150
    assert not disagree

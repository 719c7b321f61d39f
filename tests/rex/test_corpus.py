"""The reference's own Sire files, read by our reader: no errors, and every
block survives print-then-read. Skipped unless PALLAS_REFERENCE points at a
checkout of the reference (or at its sire/ directory)."""

import os
import sys
from pathlib import Path

import pytest
from helpers import REPO

ROOT = os.environ.get("PALLAS_REFERENCE")

pytestmark = pytest.mark.skipif(not ROOT, reason="PALLAS_REFERENCE is not set")


def test_reference_corpus_reads_and_round_trips():
    sys.path.insert(0, str(REPO / "tools"))
    import rex_corpus

    base = Path(ROOT)
    if (base / "sire").is_dir():
        base = base / "sire"
    files = sorted(base.rglob("*.sire"))
    assert files, f"no .sire files under {base}"
    blocks = 0
    for f in files:
        n, errors, trips = rex_corpus.check_file(f, None)
        assert errors == [] and trips == [], (errors + trips)[0]
        blocks += n
    assert blocks > 1000

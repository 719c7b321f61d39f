"""The reference's documented examples on our prelude: every `expr == result`
line of its standard-library docs (doc/reference/standard-library/*.md) that
holds on the reference's own prelude must hold on ours (about 40 do not hold
on the reference itself; those are not asked of us). Skipped unless
PALLAS_REFERENCE points at a checkout of the reference; nothing of it is
kept in this repository. Run with -s to see the counts."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from pallas_kernel.sire.library import LAST_MODULE, library_dir
from pallas_kernel.sire.session import Session

ROOT = os.environ.get("PALLAS_REFERENCE")
pytestmark = pytest.mark.skipif(not ROOT, reason="PALLAS_REFERENCE is not set")

EXAMPLE = re.compile(r"^(\S.*?)\s+==\s+(\S.*)$")


def examples() -> list[tuple[str, str, str]]:
    """(where, expression, result) for each example line of the docs."""
    found = []
    for md in sorted((Path(ROOT) / "doc" / "reference" / "standard-library").glob("*.md")):
        for n, line in enumerate(md.read_text("utf-8").splitlines(), 1):
            m = EXAMPLE.match(line)
            if m and not line.startswith(("#", "|", ">", "-", "*")):
                found.append((f"{md.name}:{n}", m.group(1), m.group(2)))
    return found


def holding(session: Session, cases: list[tuple[str, str, str]]) -> set[str]:
    """The places whose example holds in the session."""
    ok = set()
    for where, expr, result in cases:
        if session.run(f"=?= ({result}) ({expr})", file=where).ok:
            ok.add(where)
    return ok


def test_documented_examples_that_hold_on_the_reference_hold_on_ours():
    cases = examples()
    assert len(cases) > 1000
    ref = Session(include=[str(Path(ROOT) / "sire")])
    ref.load("prelude")
    ours = Session(include=[str(library_dir())])
    ours.load(LAST_MODULE)
    on_ref, on_ours = holding(ref, cases), holding(ours, cases)
    lost = sorted(on_ref - on_ours)
    print(f"doc examples: {len(cases)}; hold on the reference {len(on_ref)}; "
          f"on ours {len(on_ours & on_ref)} of those (+{len(on_ours - on_ref)} that fail there)")
    text = {w: f"{e} == {r}" for w, e, r in cases}
    assert not lost, f"{len(lost)} fail on ours: " + "; ".join(f"{w}: {text[w]}" for w in lost[:30])
